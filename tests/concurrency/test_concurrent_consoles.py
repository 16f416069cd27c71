"""Several console processes on one database: unique codes, no lost update, never "locked"."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest
from sqlalchemy import select

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import DISPATCH_WAITING_STATES, Action
from gridconsole.domain.errors import StaleCase, TransitionRefused
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.store.models import CaseEvent, Dispatch
from tests.factories import T0, new_case_fields

PROCESSES = 6
CASES_EACH = 25


def _report_many(url: str, username: str, count: int) -> list[str]:
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), username)
    codes = [services.cases.report(new_case_fields(title=f"并发{i}")).code for i in range(count)]
    db.dispose()
    return codes


def _accept_all(url: str, username: str) -> tuple[int, int, list[str]]:
    """Read the queue, then try to accept every case with the version seen: a dispatcher racing
    the others. Returns (won, lost, unexpected errors)."""
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), username)
    rows = services.queue.page(QueueFilter(), limit=500).rows
    won = lost = 0
    unexpected: list[str] = []
    for row in rows:
        try:
            services.cases.accept(row.code, row.version)
            won += 1
        except (StaleCase, TransitionRefused):
            lost += 1
        except Exception as exc:  # "database is locked" would land here
            unexpected.append(f"{type(exc).__name__}: {exc}")
    db.dispose()
    return won, lost, unexpected


def _dispatch_all(url: str, username: str) -> tuple[int, int, list[str]]:
    """Read the registered cases, then bulk-dispatch every one of them with the versions seen."""
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), username)
    rows = services.queue.page(QueueFilter(states=DISPATCH_WAITING_STATES), limit=500).rows
    outcomes = services.dispatch.dispatch_many([(row.code, row.version) for row in rows], lead="CG")
    db.dispose()
    won = sum(outcome.ok for outcome in outcomes)
    # a loser is told the case moved (and who moved it) or that it is no longer waiting
    unexpected = [
        outcome.error
        for outcome in outcomes
        if not outcome.ok and "已被" not in outcome.error and "当前为" not in outcome.error
    ]
    return won, len(outcomes) - won, unexpected


@pytest.fixture
def url(any_db: Database) -> str:
    return any_db.reader.url.render_as_string(hide_password=False)


def test_concurrent_consoles(url: str) -> None:
    context = multiprocessing.get_context("spawn")
    users = ["disp", "lead"] * (PROCESSES // 2)
    with context.Pool(PROCESSES) as pool:
        batches = pool.starmap(_report_many, [(url, user, CASES_EACH) for user in users])
        codes = [code for batch in batches for code in batch]
        assert len(codes) == PROCESSES * CASES_EACH
        assert len(set(codes)) == len(codes), "two consoles were given the same case code"
        sequences = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
        assert sequences == list(range(1, len(codes) + 1))

        results = pool.starmap(_accept_all, [(url, user) for user in users])
    assert [error for _, _, errors in results for error in errors] == []
    assert sum(won for won, _, _ in results) == len(codes)

    db = Database.connect(url)
    with db.read() as session:
        accepts = Counter(
            session.execute(
                select(CaseEvent.case_id).where(CaseEvent.action == Action.accept)  # type: ignore[arg-type]
            ).scalars()
        )
    db.dispose()
    assert len(accepts) == len(codes)
    assert set(accepts.values()) == {1}, "a case was accepted twice: an update was lost"


def test_concurrent_dispatchers_dispatch_each_case_exactly_once(url: str) -> None:
    """Several dispatchers bulk-dispatch the same registered cases at once: each case gets
    exactly one dispatch (one event, one lead row); the others are told who was first."""
    context = multiprocessing.get_context("spawn")
    users = ["disp", "lead"] * (PROCESSES // 2)
    with context.Pool(PROCESSES) as pool:
        batches = pool.starmap(_report_many, [(url, user, 10) for user in users[:2]])
        pool.starmap(_accept_all, [(url, "disp")])
        results = pool.starmap(_dispatch_all, [(url, user) for user in users])
    codes = [code for batch in batches for code in batch]
    assert [error for _, _, errors in results for error in errors] == []
    assert sum(won for won, _, _ in results) == len(codes)

    db = Database.connect(url)
    with db.read() as session:
        dispatched = Counter(
            session.execute(
                select(CaseEvent.case_id).where(CaseEvent.action == Action.dispatch)  # type: ignore[arg-type]
            ).scalars()
        )
        leads = Counter(session.execute(select(Dispatch.case_id)).scalars())  # type: ignore[call-overload]
    db.dispose()
    assert len(dispatched) == len(codes)
    assert set(dispatched.values()) == {1}, "a case was dispatched twice: an update was lost"
    assert set(leads.values()) == {1}
