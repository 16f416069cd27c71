"""Deadline timers at 100,000 open cases: firing lateness of a burst, memory, recompute time.

Works on a copy of the demo database: every case is made open with a running handling deadline
far ahead, then ``burst`` of them are given the same due instant two seconds from now. The
timers run as in ``gridconsole scheduler`` (APScheduler on an asyncio loop, one date job);
lateness is when each batch's transaction finished, minus the due instant.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.datasets import copy_database
from gridconsole.clock import OffsetClock
from gridconsole.config import Settings
from gridconsole.domain.work_calendar import DayKind
from gridconsole.scheduling.deadline_timers import DeadlineTimers
from gridconsole.services.deadline_records import FiredDeadlines
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.services.deadlines import recompute_open_deadlines
from gridconsole.store.engine import Database
from gridconsole.store.models import CalendarDay


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(db: Database, burst: int, due: datetime) -> int:
    far = due + timedelta(days=60)
    with db.write() as session:
        session.execute(
            text(
                "UPDATE cases SET state='dispatched', step='handle', step_started_at=:start,"
                " due_at=:far, warn_at=:far_warn, warning_fired_for=NULL, breach_fired_for=NULL,"
                " ladder_rung=0, ladder_next_at=NULL"
            ),
            {"start": due - timedelta(days=3), "far": far, "far_warn": far - timedelta(days=1)},
        )
        session.execute(
            text(
                "UPDATE cases SET due_at=:due, warn_at=:warn, warning_fired_for=:due"
                " WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT :burst)"
            ),
            {"due": due, "warn": due - timedelta(hours=1), "burst": burst},
        )
        return int(session.execute(text("SELECT count(*) FROM cases")).scalar_one())


def run(source: Path, burst: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "timers.db"
        copy_database(source, path)
        db = Database.connect(f"sqlite:///{path}")
        settings = Settings()
        rss_start = _rss_mib()
        due = datetime.now(UTC) + timedelta(seconds=2)
        open_cases = _prepare(db, burst, due)
        clock = OffsetClock(datetime.now(UTC))
        watch = DeadlineWatch.headless(db, clock, settings)
        batches: list[tuple[int, float]] = []
        original = watch._fire_breaches

        def timed(*args: Any) -> int:
            count = original(*args)
            batches.append((count, time.time()))
            return count

        watch._fire_breaches = timed  # type: ignore[method-assign,assignment]
        done = asyncio.Event()
        rss_before_timers = _rss_mib()

        async def main() -> float:
            def on_fired(fired: FiredDeadlines) -> None:
                if fired.breached:
                    done.set()

            timers = DeadlineTimers(watch, clock, on_fired=on_fired)
            started = time.perf_counter()
            timers.start()
            armed = time.perf_counter() - started
            await asyncio.wait_for(done.wait(), timeout=120)
            timers.shutdown()
            return armed

        armed = asyncio.run(main())
        due_wall = due.timestamp()
        lateness = [max(0.0, (at - due_wall) * 1000) for count, at in batches for _ in range(count)]
        lateness.sort()
        started = time.perf_counter()
        next_instant = watch.next_instant(clock.now())
        next_ms = (time.perf_counter() - started) * 1000
        # a calendar change: a holiday entered, every open deadline recomputed in one transaction
        started = time.perf_counter()
        with db.write() as session:
            session.add(
                CalendarDay(
                    day=(due + timedelta(days=7)).date(),
                    kind=DayKind.holiday,
                    note="bench",
                    entered_by_id=1,
                    entered_at=datetime.now(UTC),
                )
            )
            session.flush()
            changed = recompute_open_deadlines(session, settings, datetime.now(UTC))
        recompute_s = time.perf_counter() - started
        db.dispose()
    return {
        "open_cases": open_cases,
        "burst": len(lateness),
        "median_ms": statistics.median(lateness),
        "p99_ms": lateness[int(len(lateness) * 0.99) - 1],
        "max_ms": lateness[-1],
        "arm_ms": armed * 1000,
        "next_instant_ms": next_ms,
        "next_instant": next_instant,
        "rss_start_mib": rss_start,
        "rss_before_timers_mib": rss_before_timers,
        "rss_max_mib": _rss_mib(),
        "recompute_s": recompute_s,
        "recompute_changed": changed,
    }


def report(source: Path, bursts: tuple[int, ...] = (1_000, 10_000)) -> None:
    for burst in bursts:
        figures = run(source, burst)
        print(
            f"  burst of {figures['burst']:,} breaches due at once among"
            f" {figures['open_cases']:,} open cases: lateness median {figures['median_ms']:.0f} ms,"
            f" p99 {figures['p99_ms']:.0f} ms, max {figures['max_ms']:.0f} ms"
        )
        print(
            f"  next_instant {figures['next_instant_ms']:.2f} ms; scheduler start"
            f" {figures['arm_ms']:.1f} ms; ru_maxrss {figures['rss_before_timers_mib']:.0f} MiB"
            f" before the timers, {figures['rss_max_mib']:.0f} MiB after"
        )
        print(
            f"  recompute_open_deadlines after a calendar change: {figures['recompute_s']:.1f} s"
            f" ({figures['recompute_changed']:,} deadlines moved)"
        )
