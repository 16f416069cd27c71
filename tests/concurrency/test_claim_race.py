"""Eight console processes race to claim and dispatch the same 1,000 cases (issue 8).

Each process reads the 待派遣 list once (the versions it saw), then walks it in the same order
as every other process (so all eight race for each case at once), claims each case and
dispatches it with the version it saw: the way a dispatcher works. The winner keeps its claim,
except on every fourth case, which it releases once dispatched: the next claimer then wins the
claim and is refused the dispatch as stale (or no longer waiting), and keeps the case. A claim another holds is refused
naming the holder. Every case must be dispatched exactly once, its version
must equal the number of its version-bumping events (no lost update), the claims on each case
must never overlap, and no process may ever see "database is locked".
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import insert, select

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.claims import ClaimHeld
from gridconsole.domain.enums import DISPATCH_WAITING_STATES, Action, Role
from gridconsole.domain.errors import StaleCase, TransitionRefused
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent, Operator
from tests.factories import T0, new_case_fields, services_for

PROCESSES = 8
CASES = 1_000
CLAIM_EVENTS = frozenset({Action.claim, Action.release_claim, Action.break_claim})
_cases = Case.__table__  # type: ignore[attr-defined]
_events = CaseEvent.__table__  # type: ignore[attr-defined]


def _seed(db: Database) -> list[str]:
    """One case reported and accepted through the services, then copied (row and events) to
    ``CASES`` registered cases: the race is the subject, not intake's speed."""
    with db.write() as session:
        for index in range(PROCESSES):
            session.add(
                Operator(
                    username=f"racer{index}",
                    display_name=f"调度{index}",
                    role=Role.dispatcher,
                    created_at=T0,
                )
            )
    services = services_for(db, "disp", FrozenClock(T0))
    template = services.cases.report(new_case_fields())
    services.cases.accept(template.code, template.version)
    with db.write() as session:
        row = dict(
            session.execute(select(_cases).where(_cases.c.code == template.code)).one()._mapping
        )
        events = [
            dict(event._mapping)
            for event in session.execute(
                select(_events).where(_events.c.case_id == row["id"]).order_by(_events.c.id)
            )
        ]
        del row["id"]
        codes = [f"RACE-{index:04d}" for index in range(CASES - 1)]
        session.execute(insert(_cases), [{**row, "code": code} for code in codes])
        ids = session.execute(select(_cases.c.id).where(_cases.c.code.in_(codes))).scalars()
        copies = [
            {**{k: v for k, v in event.items() if k != "id"}, "case_id": case_id}
            for case_id in ids
            for event in events
        ]
        session.execute(insert(_events), copies)
    return [template.code, *codes]


def _race(url: str, username: str) -> dict[str, Any]:
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(T0), username)
    seen = {
        row.code: row.version
        for row in services.queue.page(
            QueueFilter(states=DISPATCH_WAITING_STATES), limit=CASES
        ).rows
    }
    order = sorted(seen)
    outcome: Counter[str] = Counter()
    latencies: list[float] = []
    unexpected: list[str] = []
    for code in order:
        try:
            started = time.perf_counter()
            services.claims.claim(code)
            latencies.append(time.perf_counter() - started)
        except ClaimHeld:
            latencies.append(time.perf_counter() - started)
            outcome["claim_refused"] += 1
            continue
        except Exception as exc:  # "database is locked" would land here
            unexpected.append(f"claim: {type(exc).__name__}: {exc}")
            continue
        try:
            started = time.perf_counter()
            services.dispatch.dispatch(code, seen[code], lead="CG")
            outcome["dispatched"] += 1
        except (StaleCase, TransitionRefused):
            outcome["stale_refused"] += 1
            continue
        except Exception as exc:
            unexpected.append(f"dispatch: {type(exc).__name__}: {exc}")
            continue
        finally:
            latencies.append(time.perf_counter() - started)
        if int(code.rsplit("-", 1)[1]) % 4:
            continue
        try:
            started = time.perf_counter()
            services.claims.release(code)
            latencies.append(time.perf_counter() - started)
        except Exception as exc:
            unexpected.append(f"release: {type(exc).__name__}: {exc}")
    db.dispose()
    return {"outcome": dict(outcome), "latencies": latencies, "unexpected": unexpected}


def _overlaps(trail: list[tuple[str, int]]) -> bool:
    """Whether a claim was taken while another operator's was still held (never released)."""
    holder: int | None = None
    for action, operator_id in trail:
        if action == Action.claim:
            if holder is not None and holder != operator_id:
                return True
            holder = operator_id
        elif action == Action.release_claim:
            if holder != operator_id:
                return True
            holder = None
    return False


@pytest.fixture
def url(any_db: Database) -> str:
    return any_db.reader.url.render_as_string(hide_password=False)


def test_eight_processes_claim_and_dispatch_each_case_exactly_once(
    any_db: Database, url: str
) -> None:
    codes = _seed(any_db)
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        pool.starmap(time.sleep, [(0,)] * PROCESSES)  # the workers' imports, outside the clock
        started = time.perf_counter()
        results = pool.starmap(_race, [(url, f"racer{index}") for index in range(PROCESSES)])
        elapsed = time.perf_counter() - started
    unexpected = [error for result in results for error in result["unexpected"]]
    outcome: Counter[str] = Counter()
    for result in results:
        outcome.update(result["outcome"])
    latencies = sorted(latency for result in results for latency in result["latencies"])
    p99 = latencies[int(len(latencies) * 0.99)] * 1000

    with any_db.read() as session:
        versions = dict(session.execute(select(_cases.c.id, _cases.c.version)).all())
        events = session.execute(
            select(_events.c.case_id, _events.c.action, _events.c.operator_id).order_by(
                _events.c.id
            )
        ).all()
    dispatches: Counter[int] = Counter()
    edits: Counter[int] = Counter()
    claim_trail: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for case_id, action, operator_id in events:
        if action == Action.dispatch:
            dispatches[case_id] += 1
        if Action(action) in CLAIM_EVENTS:
            claim_trail[case_id].append((action, operator_id))
        else:
            edits[case_id] += 1
    overlapping = [case_id for case_id, trail in claim_trail.items() if _overlaps(trail)]
    lost = [case_id for case_id, version in versions.items() if version != edits[case_id]]

    print(
        f"\n[{any_db.dialect}] {PROCESSES} processes, {len(codes)} cases: "
        f"{outcome['dispatched']} dispatched in {elapsed:.1f} s "
        f"({outcome['dispatched'] / elapsed:.0f} transitions/s); refusals: "
        f"{outcome['claim_refused']} claims held by another, {outcome['stale_refused']} stale; "
        f"p99 latency {p99:.1f} ms over {len(latencies)} calls; "
        f"unexpected errors {len(unexpected)}; lost updates {len(lost)}; "
        f"overlapping claims {len(overlapping)}"
    )
    assert unexpected == []
    assert outcome["dispatched"] == len(codes)
    assert set(dispatches.values()) == {1}
    assert len(dispatches) == len(codes)
    assert lost == []
    assert overlapping == []
