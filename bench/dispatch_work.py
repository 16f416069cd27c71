"""Dispatch work through the services, beside the same SQL through the bare sqlite3 module:
the dispatch pane's page with its routing suggestions, a department's work list, the shift
lead's pending requests, and one dispatch (a write transaction) on a copy of the database."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from bench.datasets import copy_database
from bench.queue_pages import _captured_sql
from bench.stats import Figure, measure
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import DISPATCH_WAITING_STATES, CaseState, Role
from gridconsole.services.bundle import Services
from gridconsole.services.operators import os_username
from gridconsole.services.records import QueueFilter
from gridconsole.services.routing import RoutingService
from gridconsole.store.engine import Database
from gridconsole.store.models import Department, Dispatch, Operator
from tests.factories import T0


def _busiest_department(db: Database) -> str:
    with db.read() as session:
        return str(
            session.execute(
                select(col(Department.code))
                .join(Dispatch, col(Dispatch.department_id) == col(Department.id))
                .where(col(Dispatch.active))
                .group_by(col(Department.code))
                .order_by(func.count().desc())
                .limit(1)
            ).scalar_one()
        )


def run(path: Path, runs: int) -> list[tuple[str, Figure, Figure | None]]:
    db = Database.connect(f"sqlite:///{path}")
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    bare = sqlite3.connect(path)
    department = _busiest_department(db)
    waiting = QueueFilter(states=DISPATCH_WAITING_STATES)

    def dispatch_page() -> None:
        page = services.queue.page(waiting)
        services.routing.suggest([row.code for row in page.rows])

    def dispatch_page_cold() -> None:
        # a console's first read, or one after HISTORY_CACHE: the 90-day aggregate runs
        page = services.queue.page(waiting)
        RoutingService(services.context).suggest([row.code for row in page.rows])

    def work_list() -> None:
        services.desk.work_list(department)

    def pending() -> None:
        services.approvals.pending()

    figures: list[tuple[str, Figure, Figure | None]] = []
    for label, call in (
        ("dispatch pane page + suggestions (first read)", dispatch_page_cold),
        ("dispatch pane page + suggestions (cached)", dispatch_page),
        (f"work list, first page ({department})", work_list),
        ("pending requests (approvals pane)", pending),
    ):
        call()  # warm: the cached figure's floor is the SQL a warm call sends
        statements = _captured_sql(db, call)

        def floor(statements: list[tuple[str, tuple[Any, ...]]] = statements) -> None:
            for sql, params in statements:
                bare.execute(sql, params).fetchall()

        figures.append((label, measure(call, runs=runs), measure(floor, runs=runs)))
    bare.close()
    db.dispose()
    figures.append(("one dispatch (write transaction)", _dispatch_writes(path, runs), None))
    return figures


def _dispatch_writes(path: Path, runs: int) -> Figure:
    """Dispatch up to ``runs`` waiting cases one by one on a copy, each its own transaction."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        copy_database(path, copy)
        db = Database.connect(f"sqlite:///{copy}")
        with db.read() as session:
            lead_name = (
                session.execute(
                    select(col(Operator.username)).where(col(Operator.role) == Role.shift_lead)
                )
                .scalars()
                .first()
            )
        services = Services.build(db, Settings(), FrozenClock(T0), lead_name or os_username())
        # registered cases only: a returned one must go to another department than before
        rows = services.queue.page(QueueFilter(states=(CaseState.registered,)), limit=runs).rows
        department = services.dispatch.active_departments()[0].code
        samples = []
        for row in rows:
            started = time.perf_counter()
            services.dispatch.dispatch(
                row.code, row.version, lead=department, override_reason="bench"
            )
            samples.append((time.perf_counter() - started) * 1000)
        db.dispose()
    samples.sort()
    return Figure(samples[len(samples) // 2], samples[0], samples[-1], len(samples))
