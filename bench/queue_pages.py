"""The queue page through the services, beside the same SQL through the bare sqlite3 module."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.stats import Figure, measure
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import QUEUE_STATES, CaseState
from gridconsole.services.bundle import Services
from gridconsole.services.operators import os_username
from gridconsole.services.records import QueueCursor, QueueFilter
from gridconsole.store.engine import Database
from tests.factories import T0

DEEP_PAGES = 20


def _cursor_after(services: Services, query: QueueFilter, pages: int) -> QueueCursor | None:
    cursor = None
    for _ in range(pages):
        page = services.queue.page(query, cursor)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return cursor


def run(path: Path, runs: int) -> list[tuple[str, Figure, Figure]]:
    """(what, through the services, bare sqlite3 floor) for each queue figure."""
    db = Database.connect(f"sqlite:///{path}")
    bare = sqlite3.connect(path)
    try:
        return run_on(db, lambda sql, params: bare.execute(sql, params).fetchall(), runs)
    finally:
        bare.close()
        db.dispose()


BareExecute = Callable[[str, Any], object]


def run_on(db: Database, bare: BareExecute, runs: int) -> list[tuple[str, Figure, Figure]]:
    """The same on any database: ``bare(sql, parameters)`` runs a statement through the bare
    driver (sqlite3, psycopg) and fetches every row."""
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    everything = tuple(CaseState)
    cases = [
        ("queue, first page", QueueFilter(states=QUEUE_STATES), 0),
        ("all states, first page", QueueFilter(states=everything), 0),
        (f"all states, keyset page {DEEP_PAGES + 1}", QueueFilter(states=everything), DEEP_PAGES),
        (
            "all states + category filter, first page",
            QueueFilter(
                states=everything, category_code=services.queue.filter_options().categories[0].code
            ),
            0,
        ),
        ("search '漏水', first page", QueueFilter(states=everything, search="漏水"), 0),
    ]
    figures = []
    for label, query, depth in cases:
        cursor = _cursor_after(services, query, depth) if depth else None

        def through_services(
            query: QueueFilter = query, cursor: QueueCursor | None = cursor
        ) -> None:
            services.queue.page(query, cursor)

        statements = _captured_sql(db, through_services)

        def through_driver(statements: list[tuple[str, Any]] = statements) -> None:
            for sql, params in statements:
                bare(sql, params)

        figures.append(
            (label, measure(through_services, runs=runs), measure(through_driver, runs=runs))
        )
    return figures


def _captured_sql(db: Database, call: Callable[[], None]) -> list[tuple[str, Any]]:
    """The statements and parameters one service call sends to the driver, to replay bare
    (a tuple for sqlite3, a mapping for psycopg)."""
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: object, _cursor: object, statement: str, parameters: Any, *_: object
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            kept = dict(parameters) if isinstance(parameters, dict) else tuple(parameters)
            captured.append((statement, kept))

    event.listen(db.reader, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.reader, "before_cursor_execute", capture)
    return captured
