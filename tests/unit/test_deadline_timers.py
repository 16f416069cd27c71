"""The APScheduler glue: ticks driven by the injected clock, one job re-armed to the next instant."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import FrozenClock, OffsetClock
from gridconsole.domain.enums import Action
from gridconsole.scheduling.deadline_timers import DeadlineTimers, describe
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_records import FiredDeadlines
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent
from tests.factories import T0, new_case_fields, services_for


def _deadline(db: Database, code: str) -> tuple[datetime, datetime]:
    with db.read() as session:
        row = session.execute(
            select(col(Case.warn_at), col(Case.due_at)).where(col(Case.code) == code)
        ).one()
    assert row.warn_at is not None
    assert row.due_at is not None
    return row.warn_at, row.due_at


def test_ticks_follow_the_frozen_clock(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    warn_at, due_at = _deadline(db, code)
    seen: list[FiredDeadlines] = []
    timers = DeadlineTimers(DeadlineWatch(dispatcher.context), clock, on_fired=seen.append)

    async def run() -> None:
        # not started: the test is the only one to tick (a started scheduler ticks at once too)
        try:
            assert (await timers.tick()).count == 0
            assert timers.armed_for == warn_at
            clock.set(warn_at)
            assert len((await timers.tick()).warned) == 1
            assert timers.armed_for == due_at
            clock.advance(timedelta(hours=-3))  # a jump back
            assert (await timers.tick()).count == 0
            clock.set(due_at + timedelta(days=1, hours=1))
            fired = await timers.tick()
            assert (len(fired.warned), len(fired.breached)) == (0, 1)
        finally:
            timers.shutdown()

    asyncio.run(run())
    assert [len(f.breached) for f in seen] == [0, 1]
    assert any(code in line for line in describe(seen[-1]))


def test_the_date_job_fires_on_an_accelerated_clock(db: Database, clock: FrozenClock) -> None:
    """One real wait (bounded): an OffsetClock at high speed reaches the warning within ~1 s."""
    reporter = services_for(db, "disp", clock)
    code = reporter.cases.report(new_case_fields()).code
    warn_at, _ = _deadline(db, code)
    start = warn_at - timedelta(minutes=5)
    fast = OffsetClock(start, speed=600.0)  # five simulated minutes in half a real second
    services = services_for(db, "disp", clock)
    watch = DeadlineWatch(services.context)
    fired_event = asyncio.Event()

    async def run() -> FiredDeadlines:
        results: list[FiredDeadlines] = []

        def on_fired(fired: FiredDeadlines) -> None:
            results.append(fired)
            fired_event.set()

        timers = DeadlineTimers(watch, fast, on_fired=on_fired)
        timers.start()
        try:
            await asyncio.wait_for(fired_event.wait(), timeout=2.0)
        finally:
            timers.shutdown()
        return results[0]

    fired = asyncio.run(run())
    assert [f.case_code for f in fired.warned] == [code]
    with db.read() as session:
        at = session.execute(
            select(col(CaseEvent.at)).where(col(CaseEvent.action) == Action.deadline_warning.value)
        ).scalar_one()
    assert at == warn_at
    assert at > T0


def test_a_tick_cancelled_at_closing_ends_quietly(
    dispatcher: Services, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Closing the console cancels a tick waiting on its database thread: the scheduler's job
    ends without raising, so APScheduler logs no failed job (it printed a CancelledError
    traceback onto a hung-up terminal), and the wait in the thread is left to finish."""
    release = threading.Event()

    class SlowWatch(DeadlineWatch):
        def fire_due(self, now: datetime | None = None) -> FiredDeadlines:
            release.wait(10)
            return FiredDeadlines()

    timers = DeadlineTimers(SlowWatch(dispatcher.context), clock)

    async def run() -> asyncio.Task[None]:
        job = asyncio.ensure_future(timers._tick_job())
        await asyncio.sleep(0.05)  # the tick is waiting on its thread
        job.cancel()
        await asyncio.wait([job], timeout=5)
        release.set()
        return job

    with caplog.at_level(logging.DEBUG):
        job = asyncio.run(run())
    assert job.done()
    assert not job.cancelled()
    assert job.exception() is None
    assert [record.levelno for record in caplog.records if record.levelno > logging.DEBUG] == []
    ours = [record for record in caplog.records if record.name.startswith("gridconsole")]
    assert [record.getMessage() for record in ours] == [
        "deadline tick cancelled: the process is closing"
    ]
