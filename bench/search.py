"""Search for Chinese terms of 2, 3 and 5 characters: the queue's first page and total through
the services (the bigram index, confirmed by the substring match), beside the same page and
total by ``LIKE '%…%'`` alone through the bare sqlite3 module (the scan the index replaces)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from unittest import mock

from bench.queue_pages import BareExecute, _captured_sql
from bench.stats import Figure, measure
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import CaseState
from gridconsole.services.bundle import Services
from gridconsole.services.operators import os_username
from gridconsole.services.records import QueueFilter
from gridconsole.store import case_search
from gridconsole.store.engine import Database
from tests.factories import T0

# common two-character searches, then longer phrases from the demo's texts
TERMS = ("噪音", "漏水", "欠薪", "农民工", "施工噪", "拖欠农民工", "夜间施工噪")


def run(path: Path, runs: int) -> list[tuple[str, Figure, Figure, int]]:
    """(what, through the services, bare LIKE floor, matches) for each term."""
    db = Database.connect(f"sqlite:///{path}")
    bare = sqlite3.connect(path)
    try:
        return run_on(db, lambda sql, params: bare.execute(sql, params).fetchall(), runs)
    finally:
        bare.close()
        db.dispose()


def run_on(db: Database, bare: BareExecute, runs: int) -> list[tuple[str, Figure, Figure, int]]:
    """The same on any database, ``bare`` running a statement through the bare driver."""
    services = Services.build(db, Settings(), FrozenClock(T0), os_username())
    figures = []
    for term in TERMS:
        query = QueueFilter(states=tuple(CaseState), search=term)

        def through_services(query: QueueFilter = query) -> int:
            return services.queue.page(query).total

        total = through_services()

        # the floor: the statements the queue sent before the index (substring match only)
        def page(query: QueueFilter = query) -> None:
            services.queue.page(query)

        with mock.patch.object(case_search, "narrowed", return_value=None):
            statements = _captured_sql(db, page)

        def like_scan(statements: list[tuple[str, Any]] = statements) -> None:
            for sql, params in statements:
                bare(sql, params)

        label = f"search '{term}' ({len(term)} chars), page + total"
        figures.append(
            (label, measure(through_services, runs=runs), measure(like_scan, runs=runs), total)
        )
    return figures
