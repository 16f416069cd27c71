"""The deadline timers: one APScheduler date job re-armed to the next unfired instant.

APScheduler never holds a job per case (100k jobs cost seconds and 100 MiB, and a burst of them
was dropped as misfires): it holds ONE date job armed for the earliest unfired warning, due or
ladder instant (an indexed query), plus a periodic safety tick. Each tick reads ``now`` from the
injected clock, fires everything due up to it in one batch (in a thread: the event loop never
waits on the database), and re-arms from the database. So a late tick still fires (and records
the true instants), and a clock jump either way neither loses nor doubles a firing: what is due is
decided by ``now`` and the rows' compare-and-set columns, never by which jobs happened to run.

Simulated clocks: the job's wall-clock run date is the clock's own conversion
(``real_seconds_until``: an ``OffsetClock`` at speed 60 reaches an instant one hour away in one
real minute). A ``FrozenClock`` never arms a date job; tests call :meth:`DeadlineTimers.tick`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from gridconsole.clock import Clock, host_wall_time
from gridconsole.services.deadline_records import FiredDeadlines

log = logging.getLogger(__name__)

NEXT_JOB_ID = "deadline-next"
SAFETY_JOB_ID = "deadline-safety"
CHANGES_JOB_ID = "deadline-changes"
SAFETY_SECONDS = 30.0


class WatchPort(Protocol):
    """What the timers need of :class:`gridconsole.services.deadline_watch.DeadlineWatch`."""

    def next_instant(self, after: datetime) -> datetime | None: ...

    def fire_due(self, now: datetime | None = None) -> FiredDeadlines: ...


def real_seconds_until(clock: Clock, instant: datetime) -> float | None:
    """Real seconds until ``clock`` shows ``instant`` (None: it never will by itself)."""
    convert = getattr(clock, "real_seconds_until", None)
    if convert is None:
        return max(0.0, (instant - clock.now()).total_seconds())
    result: float | None = convert(instant)
    return result


class DeadlineTimers:
    """Fire deadlines on the running event loop.

    ``on_fired`` runs on the event loop after each tick that wrote something. ``change_token``
    (optional, for the headless scheduler) is polled every ``changes_seconds`` in a thread: when
    it moves, the timer is re-armed (a new case may fall due before the armed instant). A console
    calls :meth:`rearm` from its own poll instead.
    """

    def __init__(
        self,
        watch: WatchPort,
        clock: Clock,
        *,
        on_fired: Callable[[FiredDeadlines], None] | None = None,
        change_token: Callable[[], int] | None = None,
        changes_seconds: float = 1.0,
        safety_seconds: float = SAFETY_SECONDS,
    ) -> None:
        self.watch = watch
        self.clock = clock
        self.on_fired = on_fired
        self.change_token = change_token
        self.changes_seconds = changes_seconds
        self.safety_seconds = safety_seconds
        self.armed_for: datetime | None = None  # the simulated instant the date job waits for
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._last_token: int | None = None

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start on the running event loop and tick at once (catching up after downtime)."""
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        job_defaults = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=self.safety_seconds,
            id=SAFETY_JOB_ID,
            **job_defaults,
        )
        if self.change_token is not None:
            scheduler.add_job(
                self._poll_changes,
                "interval",
                seconds=self.changes_seconds,
                id=CHANGES_JOB_ID,
                **job_defaults,
            )
        scheduler.start()
        self.scheduler = scheduler
        self.rearm()

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    def rearm(self) -> None:
        """Tick now (data changed: the next instant may be earlier than the armed one)."""
        self._arm_wall(host_wall_time())

    # -- the tick -------------------------------------------------------------------------------

    async def tick(self) -> FiredDeadlines:
        """Fire what is due by the clock's ``now``, then arm the job for the next instant."""
        async with self._lock:
            now = self.clock.now()
            fired = await asyncio.to_thread(self.watch.fire_due, now)
            following = await asyncio.to_thread(self.watch.next_instant, now)
            self._arm(following)
        if fired.count and self.on_fired is not None:
            self.on_fired(fired)
        return fired

    async def _tick_job(self) -> None:
        """The scheduler's job: a tick, unless the process is closing. Closing cancels a tick
        waiting on its database thread (the write there finishes or rolls back on its own);
        APScheduler would log that cancellation as a failed job, a traceback for nothing."""
        try:
            await self.tick()
        except asyncio.CancelledError:
            log.debug("deadline tick cancelled: the process is closing")

    def _arm(self, instant: datetime | None) -> None:
        self.armed_for = instant
        if instant is None:
            self._remove_next()
            return
        seconds = real_seconds_until(self.clock, instant)
        if seconds is None:
            self._remove_next()  # a frozen clock: the test drives the ticks
            return
        self._arm_wall(host_wall_time() + timedelta(seconds=seconds))

    def _arm_wall(self, run_date: datetime) -> None:
        if self.scheduler is None:
            return
        self.scheduler.add_job(
            self._tick_job,
            "date",
            run_date=run_date,
            id=NEXT_JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    def _remove_next(self) -> None:
        if self.scheduler is not None and self.scheduler.get_job(NEXT_JOB_ID) is not None:
            self.scheduler.remove_job(NEXT_JOB_ID)

    async def _poll_changes(self) -> None:
        assert self.change_token is not None
        token = await asyncio.to_thread(self.change_token)
        if self._last_token is not None and token != self._last_token:
            self.rearm()
        self._last_token = token


def describe(fired: FiredDeadlines, zone: object | None = None) -> list[str]:
    """One line per firing (the headless scheduler's log)."""
    from gridconsole.i18n import t

    lines = []
    for kind, group in (
        ("kind_warned", fired.warned),
        ("kind_breached", fired.breached),
        ("kind_urged", fired.urged),
        ("kind_prompted", fired.prompted),
        ("kind_reported", fired.reported),
    ):
        for firing in group:
            at = firing.at.astimezone(zone) if zone is not None else firing.at  # type: ignore[arg-type]
            lines.append(
                t(
                    "deadline_watch.fired_line",
                    kind=t(f"deadline_watch.{kind}"),
                    code=firing.case_code,
                    step=t(f"step.{firing.step.value}") if firing.step else "-",
                    at=f"{at:%Y-%m-%d %H:%M:%S}",
                )
            )
    return lines
