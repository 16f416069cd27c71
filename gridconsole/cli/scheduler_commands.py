"""The deadline timers, headless."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.deadline_records import FiredDeadlines
from gridconsole.cli.main import (
    CliState,
    main,
    pass_state,
)


@main.command()
@pass_state
def scheduler(state: CliState) -> None:
    """Run the deadline timers headless until SIGTERM or SIGINT (nights without a console).

    Fires warnings, breaches and the overdue ladder exactly as a console does (each once, however
    many consoles and schedulers run), logging one line per firing.
    """
    import asyncio
    import logging
    import signal

    from gridconsole.scheduling.deadline_timers import DeadlineTimers, describe
    from gridconsole.services import database
    from gridconsole.services.database_files import require_existing
    from gridconsole.services.deadline_watch import DeadlineWatch
    from gridconsole.services.live_changes import LiveChanges

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log = logging.getLogger("gridconsole.scheduler")
    require_existing(state.db_url)
    db = database.connect(state.db_url)
    if state.clock.simulated:
        database.allow_clock_override(db)
    watch = DeadlineWatch.headless(db, state.clock, state.settings)
    zone = state.settings.centre.zone

    def on_fired(fired: FiredDeadlines) -> None:
        for line in describe(fired, zone):
            log.info(line)

    def change_token() -> int:
        from gridconsole.services.queue import QueueService

        return QueueService(watch.context).change_token()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        timers = DeadlineTimers(
            watch,
            state.clock,
            on_fired=on_fired,
            change_token=change_token,
            changes_seconds=state.settings.queue.refresh_seconds,
        )
        timers.start()
        # PostgreSQL: a change re-arms at once (a new deadline may fall due first); the token
        # poll stays as the fallback and is the mechanism on SQLite
        live = LiveChanges(db)
        live.subscribe(lambda: loop.call_soon_threadsafe(timers.rearm))
        log.info(
            t(
                "deadline_watch.scheduler_started",
                clock=f"{state.clock.now().astimezone(zone):%Y-%m-%d %H:%M:%S%z}",
            )
        )
        try:
            await stop.wait()
        finally:
            live.close()
            timers.shutdown()
            log.info(t("deadline_watch.scheduler_stopped"))

    try:
        asyncio.run(run())
    finally:
        db.dispose()
