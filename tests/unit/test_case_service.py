"""Case intake and the queue's transitions on a real SQLite file, with a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Action, CaseState, Priority, RejectReason
from gridconsole.domain.errors import (
    NotFound,
    PermissionDenied,
    RuleRefused,
    StaleCase,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.services.bundle import Services
from gridconsole.services.records import CaseDetail
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent
from tests.factories import new_case_fields, services_for

NOISE_GRID = "320102002001001"


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def report(services: Services, **fields: object) -> CaseDetail:
    return services.cases.report(new_case_fields(**fields))


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.execute(select(func.count()).select_from(Case)).scalar_one(),
            session.execute(select(func.count()).select_from(CaseEvent)).scalar_one(),
        )


# -- intake -------------------------------------------------------------------------------------


def test_report_creates_a_case_with_code_event_and_masked_phone(dispatcher: Services) -> None:
    case = report(dispatcher)
    assert case.code == "MY-20261129-0001"
    assert case.state is CaseState.reported
    assert case.version == 1
    assert case.reporter_phone_masked == "138****1234"
    assert case.community_name == "大行宫社区"
    assert [(e.action, e.to_state, e.operator_name) for e in case.events] == [
        (Action.report, CaseState.reported, "王调度")
    ]


def test_codes_follow_the_local_date_and_daily_sequence(
    dispatcher: Services, clock: FrozenClock
) -> None:
    assert report(dispatcher).code == "MY-20261129-0001"
    assert report(dispatcher).code == "MY-20261129-0002"
    clock.advance(timedelta(hours=15))  # 00:30 the next day in Nanjing, 16:30 UTC
    assert report(dispatcher).code == "MY-20261130-0001"


def test_invalid_report_names_every_field_and_writes_nothing(
    dispatcher: Services, db: Database
) -> None:
    before = counts(db)
    with pytest.raises(ValidationFailed) as failed:
        report(
            dispatcher,
            title="",
            category="no-such",
            reporter_phone="12",
            priority="highest",
            reported_at="2026-11-29T09:00:00",
        )
    fields = [problem.field for problem in failed.value.problems]
    assert fields == ["title", "priority", "reporter_phone", "reported_at"]
    with pytest.raises(ValidationFailed, match="category: 代码“no-such”不存在"):
        report(dispatcher, category="no-such")
    assert counts(db) == before


def test_report_keeps_markup_and_drops_controls(dispatcher: Services) -> None:
    case = report(
        dispatcher,
        title="[bold red]x[/] \x1b[2J",
        description="[@click=app.quit]点我[/]\n第二行\x07",
        reporter_name="张三[/]",
    )
    assert case.title == "[bold red]x[/] [2J"
    assert case.description == "[@click=app.quit]点我[/]\n第二行"
    assert case.reporter_name == "张三[/]"


def test_report_in_the_future_is_refused(dispatcher: Services) -> None:
    with pytest.raises(ValidationFailed, match="reported_at"):
        report(dispatcher, reported_at="2026-11-29T12:00:00+08:00")


# -- transitions --------------------------------------------------------------------------------


def test_accept_confirms_category_and_grid(dispatcher: Services) -> None:
    case = report(dispatcher, grid="")
    accepted = dispatcher.cases.accept(
        case.code, case.version, category_code="11-water", grid_code="320102002002001"
    )
    assert accepted.state is CaseState.registered
    assert accepted.version == 2
    assert accepted.category_name == "供水漏水"
    assert accepted.grid_name == "总统府专属网格"
    assert accepted.community_name == "长江路社区"
    assert accepted.accepted_at is not None
    last = accepted.events[-1]
    assert (last.action, last.from_state, last.to_state) == (
        Action.accept,
        CaseState.reported,
        CaseState.registered,
    )
    assert last.detail == {"category": "11-water", "grid": "320102002002001"}


def test_accept_without_a_grid_is_refused(dispatcher: Services, db: Database) -> None:
    case = report(dispatcher, grid="")
    before = counts(db)
    with pytest.raises(ValidationFailed, match="grid"):
        dispatcher.cases.accept(case.code, case.version)
    assert counts(db) == before


def test_reject_needs_a_note_and_is_final(dispatcher: Services) -> None:
    case = report(dispatcher)
    with pytest.raises(ValidationFailed, match="note"):
        dispatcher.cases.reject(case.code, case.version, reason=RejectReason.malicious, note=" ")
    with pytest.raises(ValidationFailed, match="合并"):
        dispatcher.cases.reject(case.code, case.version, reason=RejectReason.duplicate, note="x")
    rejected = dispatcher.cases.reject(
        case.code, case.version, reason=RejectReason.out_of_scope, note="属于物业合同纠纷"
    )
    assert rejected.state is CaseState.rejected
    assert rejected.reject_reason is RejectReason.out_of_scope
    assert rejected.events[-1].reason == "属于物业合同纠纷"
    with pytest.raises(TransitionRefused, match="不予受理"):
        dispatcher.cases.accept(rejected.code, rejected.version)


def test_merge_records_both_sides(dispatcher: Services) -> None:
    original = report(dispatcher)
    duplicate = report(dispatcher)
    merged = dispatcher.cases.merge(duplicate.code, duplicate.version, into_code=original.code)
    assert merged.state is CaseState.rejected
    assert merged.reject_reason is RejectReason.duplicate
    assert merged.merged_into_code == original.code
    target = dispatcher.queue.detail(original.code)
    assert target.state is CaseState.reported
    assert target.version == 2
    assert target.events[-1].action is Action.absorb_duplicate
    assert target.events[-1].detail == {"duplicate": duplicate.code}
    assert Action.absorb_duplicate not in target.allowed_actions
    assert target.allowed_actions == (
        Action.accept,
        Action.reject,
        Action.merge,
        Action.resolve_in_grid,
        Action.set_priority,
    )


def test_merge_into_itself_or_a_finished_case_is_refused(dispatcher: Services) -> None:
    first = report(dispatcher)
    second = report(dispatcher)
    with pytest.raises(RuleRefused, match="自身"):
        dispatcher.cases.merge(first.code, first.version, into_code=first.code)
    closed = dispatcher.cases.reject(
        second.code, second.version, reason=RejectReason.malicious, note="恶意"
    )
    with pytest.raises(RuleRefused, match="不能再并入"):
        dispatcher.cases.merge(first.code, first.version, into_code=closed.code)
    with pytest.raises(NotFound):
        dispatcher.cases.merge(first.code, first.version, into_code="MY-20000101-0001")


def test_resolve_in_grid_only_where_the_category_allows(dispatcher: Services) -> None:
    noise = report(dispatcher)
    resolved = dispatcher.cases.resolve_in_grid(noise.code, noise.version, note="网格员已劝导")
    assert resolved.state is CaseState.feedback_given
    assert resolved.accepted_at is not None
    water = report(dispatcher, category="11-water", title="水管爆裂")
    with pytest.raises(RuleRefused, match="不允许网格内解决"):
        dispatcher.cases.resolve_in_grid(water.code, water.version, note="x")


def test_set_priority_is_an_event_without_a_state_change(dispatcher: Services) -> None:
    case = report(dispatcher)
    urgent = dispatcher.cases.set_priority(
        case.code, case.version, priority=Priority.urgent, reason="涉及老人"
    )
    assert urgent.priority is Priority.urgent
    assert urgent.state is CaseState.reported
    event = urgent.events[-1]
    assert (event.action, event.to_state, event.detail) == (
        Action.set_priority,
        None,
        {"from": "normal", "to": "urgent"},
    )
    same = dispatcher.cases.set_priority(urgent.code, urgent.version, priority=Priority.urgent)
    assert same.version == urgent.version


# -- who may do it -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["liaison", "admin", "audit"])
@pytest.mark.parametrize("action", ["accept", "reject", "merge", "resolve_in_grid", "set_priority"])
def test_roles_outside_the_centre_are_refused(
    db: Database, clock: FrozenClock, dispatcher: Services, username: str, action: str
) -> None:
    case = report(dispatcher)
    other = report(dispatcher)
    outsider = services_for(db, username, clock)
    calls = {
        "accept": lambda: outsider.cases.accept(case.code, case.version),
        "reject": lambda: outsider.cases.reject(
            case.code, case.version, reason=RejectReason.malicious, note="x"
        ),
        "merge": lambda: outsider.cases.merge(case.code, case.version, into_code=other.code),
        "resolve_in_grid": lambda: outsider.cases.resolve_in_grid(
            case.code, case.version, note="x"
        ),
        "set_priority": lambda: outsider.cases.set_priority(
            case.code, case.version, priority=Priority.urgent
        ),
    }
    before = counts(db)
    with pytest.raises(PermissionDenied):
        calls[action]()
    assert counts(db) == before
    assert dispatcher.queue.detail(case.code).version == case.version


@pytest.mark.parametrize("username", ["admin", "audit"])
def test_admins_and_auditors_cannot_report(db: Database, clock: FrozenClock, username: str) -> None:
    with pytest.raises(PermissionDenied):
        report(services_for(db, username, clock))


def test_shift_lead_works_the_queue_too(lead: Services) -> None:
    case = report(lead)
    assert lead.cases.accept(case.code, case.version).state is CaseState.registered


# -- concurrent change ----------------------------------------------------------------------------


def test_stale_version_names_who_changed_it_and_when(
    dispatcher: Services, lead: Services, clock: FrozenClock, db: Database
) -> None:
    case = report(dispatcher)
    clock.advance(timedelta(minutes=3))
    lead.cases.set_priority(case.code, case.version, priority=Priority.urgent)
    before = counts(db)
    with pytest.raises(StaleCase) as stale:
        dispatcher.cases.accept(case.code, case.version)
    assert str(stale.value) == (
        f"事件 {case.code} 已被 李值班 于 2026-11-29 09:33:00 修改，请重新载入"
    )
    assert counts(db) == before


def test_a_refused_transition_leaves_no_event(dispatcher: Services, db: Database) -> None:
    case = report(dispatcher)
    resolved = dispatcher.cases.resolve_in_grid(case.code, case.version, note="已劝导")
    before = counts(db)
    with pytest.raises(TransitionRefused):
        dispatcher.cases.resolve_in_grid(resolved.code, resolved.version, note="again")
    assert counts(db) == before
    assert dispatcher.queue.detail(case.code).version == resolved.version
