"""Performance evaluation over a demo database: the statistics pane's first read (the
department ranking and the daily trend of last month), the other dimensions, a drill-down, and
the monthly report built and written as a workbook; beside them the floor, one bare GROUP BY of
the same month's lead dispatches through sqlite3.

Figures only: no assertion on wall time (shared machines are noisy).
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC
from pathlib import Path

from bench.stats import Figure, measure
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.periods import PeriodKind
from gridconsole.services.bundle import Services
from gridconsole.services.operators import os_username
from gridconsole.services.statistics import StatisticsService
from gridconsole.services.statistics_records import Dimension, Measure
from gridconsole.services.statistics_report import ReportFormat, build_report, write_report
from gridconsole.store.engine import Database
from tests.factories import T0


def run(path: Path, runs: int) -> list[tuple[str, Figure, Figure | None]]:
    db = Database.connect(f"sqlite:///{path}")
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    statistics = services.statistics
    period = statistics.named_period(PeriodKind.last_month)
    zone = services.context.settings.centre.zone
    start = period.start(zone).astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    end = period.end(zone).astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    bare = sqlite3.connect(path)

    def floor() -> None:
        bare.execute(
            "SELECT department_id, count(*), sum(feedback_at <= scored_due_at) FROM dispatches "
            "WHERE role = 'lead' AND feedback_at >= ? AND feedback_at < ? GROUP BY department_id",
            (start, end),
        ).fetchall()

    def first_read() -> None:
        statistics.table(Dimension.department, period, fresh=True)
        statistics.trend(period)

    table = statistics.table(Dimension.department, period)
    busiest = max(table.rows, key=lambda row: row.measures.received)
    workbook = Path(tempfile.mkdtemp(prefix="bench-statistics-")) / "report.xlsx"

    def report() -> None:
        # a console's first export: no table read before
        built = build_report(services.context, StatisticsService(services.context), period)
        write_report(built, workbook, ReportFormat.xlsx, services.context)

    heavy = max(3, runs // 10)
    figures: list[tuple[str, Figure, Figure | None]] = [
        ("pane first read (departments + trend)", measure(first_read, runs=heavy, warmup=1),
         measure(floor, runs=runs)),
        ("department table", measure(lambda: statistics.table(Dimension.department, period, fresh=True),
                                     runs=heavy, warmup=1), None),
        ("community table", measure(lambda: statistics.table(Dimension.community, period, fresh=True),
                                    runs=heavy, warmup=1), None),
        ("grid table", measure(lambda: statistics.table(Dimension.grid, period, fresh=True),
                               runs=heavy, warmup=1), None),
        ("trend (days of the month)", measure(lambda: statistics.trend(period), runs=heavy,
                                              warmup=1), None),
        ("drill: busiest department, overdue in period", measure(
            lambda: statistics.drill(period, Dimension.department, busiest.key,
                                     Measure.overdue_ever), runs=heavy, warmup=1), None),
        ("monthly report built and written (xlsx)", measure(report, runs=max(2, heavy // 2),
                                                            warmup=0), None),
    ]  # fmt: skip
    bare.close()
    db.dispose()
    return figures


def report(path: Path, runs: int) -> None:
    print(f"{'statistics (last month)':44} {'services':>38}   {'bare GROUP BY':>38}")
    for label, ours, floor in run(path, runs):
        ratio = f"  x{ours.median_ms / floor.median_ms:.1f}" if floor else ""
        print(f"  {label:42} {ours!s:>38}   {(str(floor) if floor else ''):>38}{ratio}")
