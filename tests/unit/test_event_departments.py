"""``case_events.department_id`` (the department an event judges, for the statistics) is written
with the event on every path that writes events, and filled by its migration for the rows
already there: on each, it equals the join it replaced (tests/event_departments.py). The services'
journey and the statistics history are checked in test_statistics.py, the demo generator in
test_demo.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import EscalationKind, Severity
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.services.imports import import_cases
from gridconsole.store import schema
from gridconsole.store.engine import Database
from gridconsole.store.event_departments import pick_department
from gridconsole.store.models import Case, CaseEvent, Department
from tests.event_departments import judged, misjudged
from tests.factories import new_case_fields, services_for

T = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _department_id(db: Database, code: str) -> int:
    with db.read() as session:
        return session.execute(
            select(col(Department.id)).where(col(Department.code) == code)
        ).scalar_one()


def _version(services: Services, code: str) -> int:
    return services.queue.detail(code).version


def _departments_of(db: Database, code: str) -> dict[str, set[int | None]]:
    with db.read() as session:
        rows = session.execute(
            select(col(CaseEvent.action), col(CaseEvent.department_id))
            .join(Case, col(Case.id) == col(CaseEvent.case_id))
            .where(col(Case.code) == code)
        ).all()
    found: dict[str, set[int | None]] = {}
    for action, department_id in rows:
        found.setdefault(str(action), set()).add(department_id)
    return found


def test_pick_department() -> None:
    leads = [(7, T, 3), (9, T + timedelta(hours=2), 5)]
    assert pick_department({"department_id": 4}, T, leads) == 4  # named wins
    assert pick_department({}, T - timedelta(seconds=1), leads) is None  # before any dispatch
    assert pick_department({}, T, leads) == 3  # made at the instant counts
    assert pick_department(None, T + timedelta(hours=3), leads) == 5  # the latest by id
    assert pick_department({"department_id": True}, T, leads) == 3  # not a department id
    assert pick_department({}, T + timedelta(hours=3), []) is None


def test_timers_claims_escalations_and_an_import_write_it(
    db: Database, dispatcher: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    """Paths outside a case's state change: the deadline timers' batches (a breach, the
    automatic urge, the ladder's prompt), the escalation board's event and its report windows, a
    claim, and the importer's executemany."""
    # a minute between steps: the join cannot tell which of two writes at one instant came
    # first, the column can (it is written when the event is)
    clock.set(T)
    code = dispatcher.cases.report(new_case_fields()).code
    clock.advance(timedelta(minutes=1))
    dispatcher.cases.accept(code, _version(dispatcher, code))
    clock.advance(timedelta(minutes=1))
    dispatcher.dispatch.dispatch(code, _version(dispatcher, code), lead="CG")
    clock.advance(timedelta(minutes=1))
    dispatcher.claims.claim(code)
    clock.advance(timedelta(minutes=1))
    dispatcher.escalations.raise_(
        code, kind=EscalationKind.major_hazard, severity=Severity.general, reason="塌方隐患"
    )
    # a reported case the timers fire on before any dispatch: nothing to judge
    bare = dispatcher.cases.report(new_case_fields(title="无人处理")).code
    watch = DeadlineWatch(dispatcher.context)
    with db.read() as session:
        due = session.execute(select(col(Case.due_at)).where(col(Case.code) == code)).scalar_one()
    assert due is not None
    for _ in range(3):  # the breach and its urge, then the ladder's rungs and report windows
        clock.set(max(clock.now(), due) + timedelta(days=2))
        watch.fire_due()
    records = tmp_path / "two.jsonl"
    records.write_text(
        "\n".join(
            json.dumps({"title": f"井盖缺失{n}", "description": "井盖缺失", "category": "11-noise"})
            for n in range(2)
        ),
        encoding="utf-8",
    )
    assert len(import_cases(dispatcher.context, records).imported) == 2

    assert misjudged(db) == []
    cg = _department_id(db, "CG")
    seen = _departments_of(db, code)
    for action in (
        "escalate",
        "claim",
        "deadline_breach",
        "urge",  # the automatic one: its detail names no department
        "supervise_due",
        "report_window_missed",
    ):
        assert seen.get(action) == {cg}, (action, seen)
    assert seen["report"] == {None}
    assert set(_departments_of(db, bare)) >= {"report", "deadline_warning"}
    assert all(found == {None} for found in _departments_of(db, bare).values())
    assert judged(db)[("report", False)] == 0  # the imported reports too


def test_the_migration_fills_the_rows_already_there(db: Database, clock: FrozenClock) -> None:
    """Down to the revision before the column and up again: each event gets what the join
    gives, named by its detail (a sign, a return) or looked up (a claim)."""
    disp = services_for(db, "disp", clock)
    lead = services_for(db, "lead", clock)
    clock.set(T)
    codes = []
    for category, department in (("11-noise", "CG"), ("03-food", "SC")):
        code = disp.cases.report(new_case_fields(category=category)).code
        clock.advance(timedelta(minutes=1))
        disp.cases.accept(code, _version(disp, code))
        clock.advance(timedelta(minutes=1))
        disp.dispatch.dispatch(code, _version(disp, code), lead=department)
        clock.advance(timedelta(minutes=30))
        codes.append(code)
    signed, returned = codes
    disp.desk.sign(signed, _version(disp, signed))
    clock.advance(timedelta(minutes=1))
    disp.claims.claim(signed)
    disp.desk.request_return(
        returned, _version(disp, returned), reason="不属于本所", basis="三定方案"
    )
    clock.advance(timedelta(minutes=30))
    request = lead.approvals.for_case(returned)[-1]
    lead.approvals.approve(request.id, request.case_version, reason="同意")
    before = judged(db)
    assert before[("dispatch", False)] == 2
    assert before[("claim", False)] == before[("sign", True)] == before[("return", True)] == 1
    head = schema.HEAD_REVISION
    schema.downgrade(db.writer, "e6dc66580253")
    schema.upgrade(db.writer)
    assert schema.schema_status(db.reader).revision == head
    assert misjudged(db) == []
    assert judged(db) == before
    cg, sc = _department_id(db, "CG"), _department_id(db, "SC")
    assert _departments_of(db, signed) == {
        "report": {None},
        "accept": {None},
        "dispatch": {cg},
        "sign": {cg},
        "claim": {cg},
    }
    assert _departments_of(db, returned)["return"] == {sc}


def test_a_wrong_column_is_found(db: Database, dispatcher: Services, clock: FrozenClock) -> None:
    """The check itself: an event whose column was not written is reported."""
    clock.set(T)
    code = dispatcher.cases.report(new_case_fields()).code
    clock.advance(timedelta(minutes=1))
    dispatcher.cases.accept(code, _version(dispatcher, code))
    clock.advance(timedelta(minutes=1))
    dispatcher.dispatch.dispatch(code, _version(dispatcher, code), lead="CG")
    assert misjudged(db) == []
    with db.write() as session:
        session.execute(update(CaseEvent).values(department_id=None))
    assert [row[1] for row in misjudged(db)] == ["dispatch"]
