"""Transitions per second with 8 console processes writing to one database.

Eight OS processes (spawned, as the console runs: each its own interpreter, engine and
``Services``) share one database: a copy of a demo database with ``8 × per_process`` new cases
imported for the purpose. Released together, each accepts its own share of the cases one by
one (a compare-and-set transaction with its event), then dispatches them to a department (the
dispatch row, the handling deadline, the event). Reported: transitions per second over the
whole phase (first start to last end), p50/p99 of a transition's latency, and the errors
(anything raised: "database is locked" would be one). No floor: performance.md has the bare
figures of the same machine (4,000–10,000 commits/s through sqlite3, 1,900–2,500 through
SQLAlchemy sessions).
"""

from __future__ import annotations

import multiprocessing
import queue
import statistics
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from bench.datasets import copy_database
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.services.imports import import_cases
from gridconsole.services.operators import os_username
from gridconsole.store.engine import Database
from tests.factories import T0

PROCESSES = 8


@dataclass(frozen=True)
class Throughput:
    transitions: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: tuple[str, ...]

    @property
    def per_second(self) -> float:
        return self.transitions / self.seconds

    def __str__(self) -> str:
        locked = sum("locked" in error for error in self.errors)
        return (
            f"{self.per_second:8.0f} tx/s  p50 {self.p50_ms:6.1f} ms  p99 {self.p99_ms:7.1f} ms  "
            f"{self.transitions:,} in {self.seconds:.1f} s  errors {len(self.errors)}"
            f" (locked {locked})"
        )


def _writer(url: str, codes: list[str], lead: str, barrier: Barrier, out: Any) -> None:
    """One console: accept each of ``codes``, then dispatch each; times for both phases."""
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    services.queue.page  # noqa: B018 - the services are built and connected before the start
    results: dict[str, tuple[float, float, list[float], list[str]]] = {}
    for phase in ("accept", "dispatch"):
        latencies: list[float] = []
        errors: list[str] = []
        barrier.wait()
        started = time.perf_counter()
        for code in codes:
            began = time.perf_counter()
            try:
                if phase == "accept":
                    services.cases.accept(code, 1)
                else:
                    services.dispatch.dispatch(code, 2, lead=lead, override_reason="bench")
            except Exception as exc:  # counted: "database is locked" would land here
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - began) * 1000)
        results[phase] = (started, time.perf_counter(), latencies, errors)
    db.dispose()
    out.put(results)


def _prepare(url: str, base: Path | None, folder: Path, count: int) -> tuple[list[str], str]:
    """``count`` new reported cases in the database at ``url`` (their codes) and a department."""
    from bench.imports import write_records

    data = folder / "cases.jsonl"
    write_records(base or _any_demo(), count, data)
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    report = import_cases(services.context, data)
    lead = services.dispatch.active_departments()[0].code
    db.dispose()
    return [case.code for case in report.imported], lead


def _any_demo() -> Path:
    from bench.datasets import demo_database

    return demo_database(2000)[0]


def measure(url: str, codes: list[str], lead: str) -> dict[str, Throughput]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    out = context.Queue()
    shares = [codes[index::PROCESSES] for index in range(PROCESSES)]
    workers = [
        context.Process(target=_writer, args=(url, share, lead, barrier, out)) for share in shares
    ]
    for worker in workers:
        worker.start()
    results: list[dict[str, tuple[float, float, list[float], list[str]]]] = []
    while len(results) < len(workers):
        try:
            results.append(out.get(timeout=1))
        except queue.Empty:
            dead = [worker.exitcode for worker in workers if worker.exitcode not in (None, 0)]
            if dead:
                for worker in workers:
                    worker.kill()
                raise RuntimeError(f"a writer process failed (exit codes {dead})") from None
    for worker in workers:
        worker.join()
    figures = {}
    for phase in ("accept", "dispatch"):
        starts = [result[phase][0] for result in results]
        ends = [result[phase][1] for result in results]
        latencies = sorted(latency for result in results for latency in result[phase][2])
        errors = tuple(error for result in results for error in result[phase][3])
        p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
        figures[phase] = Throughput(
            len(latencies), max(ends) - min(starts), statistics.median(latencies), p99, errors
        )
    return figures


def run_sqlite(base: Path, per_process: int) -> dict[str, Throughput]:
    """On a copy of the demo database ``base``."""
    with tempfile.TemporaryDirectory(dir=base.parent) as scratch:
        folder = Path(scratch)
        copy = folder / "writers.db"
        copy_database(base, copy)
        url = f"sqlite:///{copy}"
        codes, lead = _prepare(url, base, folder, per_process * PROCESSES)
        return measure(url, codes, lead)


def run_url(url: str, base: Path | None, per_process: int) -> dict[str, Throughput]:
    """On a demo database already at ``url`` (PostgreSQL)."""
    with tempfile.TemporaryDirectory() as scratch:
        codes, lead = _prepare(url, base, Path(scratch), per_process * PROCESSES)
        return measure(url, codes, lead)


TARGET_PER_SECOND = 500


def report(where: str, figures: dict[str, Throughput]) -> None:
    print(f"{f'{PROCESSES} console processes writing, {where}':44}")
    for phase, figure in figures.items():
        verdict = figure.per_second >= TARGET_PER_SECOND and not figure.errors
        print(
            f"  {phase + ' (own cases, one by one)':42} {figure!s}"
            f"  target >= {TARGET_PER_SECOND} tx/s, 0 errors: {'met' if verdict else 'MISSED'}"
        )
        for error in figure.errors[:3]:
            print(f"    {error[:150]}")
