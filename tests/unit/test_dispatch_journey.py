"""Dispatch to linkage departments, the department's side, the shift lead's approvals,
verification and follow-up (issue 4), through the services on SQLite and PostgreSQL.

Working time 08:30–12:00, 13:30–17:30; Monday 30 November 2026 is a working day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    Action,
    AdministrativePower,
    CaseState,
    ContactChannel,
    DispatchRole,
    Priority,
    RequestKind,
    RequestStatus,
    Satisfaction,
)
from gridconsole.domain.errors import (
    NotFound,
    PermissionDenied,
    RuleRefused,
    StaleCase,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseCategory, CaseRequest, Department, Dispatch
from tests.factories import new_case_fields, services_for

NANJING = ZoneInfo("Asia/Shanghai")
R = TypeVar("R", Dispatch, CaseRequest)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=NANJING).astimezone(UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
def monday(clock: FrozenClock) -> FrozenClock:
    clock.set(MONDAY_9)
    return clock


@pytest.fixture
def liaison(db: Database, monday: FrozenClock) -> Services:
    return services_for(db, "liaison", monday)  # 城管执法中队 (CG)


@pytest.fixture
def liaison2(db: Database, monday: FrozenClock) -> Services:
    return services_for(db, "liaison2", monday)  # 市场监管所 (SC)


def registered(dispatcher: Services, **fields: object) -> tuple[str, int]:
    """A noise case (CG handles it), reported and accepted."""
    case = dispatcher.cases.report(new_case_fields(**fields))
    accepted = dispatcher.cases.accept(case.code, case.version)
    return accepted.code, accepted.version


def rows_of(db: Database, model: type[R], code: str) -> list[R]:
    """The rows of ``model`` (dispatches, requests) belonging to case ``code``, oldest first."""
    with db.read() as session:
        rows = list(
            session.execute(
                select(model)
                .join(Case, col(Case.id) == model.case_id)  # type: ignore[attr-defined]
                .where(col(Case.code) == code)
                .order_by(model.id)  # type: ignore[attr-defined]
            ).scalars()
        )
        for row in rows:
            session.expunge(row)
        return rows


def dispatches(db: Database, code: str) -> list[Dispatch]:
    return rows_of(db, Dispatch, code)


def requests(db: Database, code: str) -> list[CaseRequest]:
    return rows_of(db, CaseRequest, code)


# -- dispatch ---------------------------------------------------------------------------------


def test_dispatch_sets_lead_and_assists_with_sign_and_handling_deadlines(
    db: Database, dispatcher: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    preview = dispatcher.dispatch.preview(code, "CG")
    detail = dispatcher.dispatch.dispatch(
        code, version, lead="CG", assists=["SC"], instruction="请于今日到场核实"
    )
    assert detail.state is CaseState.dispatched
    rows = dispatches(db, code)
    assert [(row.role, row.active) for row in rows] == [
        (DispatchRole.lead, True),
        (DispatchRole.assist, True),
    ]
    # sign: 1 working hour from Monday 09:00; handling: 3 working days (the default limit)
    assert rows[0].sign_due_at == local(2026, 11, 30, 10, 0) == preview.sign_due_at
    assert rows[0].handle_due_at == detail.due_at == preview.handle_due_at
    assert detail.due_at == local(2026, 12, 3, 9, 0)
    event = detail.events[-1]
    assert event.action is Action.dispatch
    assert event.reason == "请于今日到场核实"
    assert event.detail["lead"] == "CG"
    assert event.detail["assists"] == ["SC"]


def test_signing_keeps_the_handling_clock_that_began_at_dispatch(
    dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    dispatched = dispatcher.dispatch.dispatch(code, version, lead="CG")
    monday.advance(timedelta(hours=2))
    signed = liaison.desk.sign(code, dispatched.version)
    assert signed.state is CaseState.in_progress
    assert signed.due_at == dispatched.due_at  # a late signature does not buy time
    assert signed.events[-1].detail["late"] is True  # signed 11:00, due 10:00
    assert signed.events[-1].on_behalf is False


def test_a_department_that_does_not_handle_the_category_or_is_inactive_is_refused(
    db: Database, dispatcher: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    with pytest.raises(RuleRefused) as refused:
        dispatcher.dispatch.dispatch(code, version, lead="SC")
    assert refused.value.rule == "department_not_handling"
    assert "市场监管所不承办此类事件" in str(refused.value)
    with db.write() as session:
        session.execute(update(Department).where(col(Department.code) == "CG").values(active=False))
    with pytest.raises(RuleRefused) as inactive:
        dispatcher.dispatch.dispatch(code, version, lead="CG")
    assert inactive.value.rule == "department_inactive"
    # a dispatcher cannot override; the shift lead can, with a reason that is recorded
    with pytest.raises(PermissionDenied):
        dispatcher.dispatch.dispatch(code, version, lead="SC", override_reason="城管今日停班")
    detail = lead.dispatch.dispatch(code, version, lead="SC", override_reason="城管今日停班")
    assert detail.state is CaseState.dispatched
    assert detail.events[-1].detail["override"] == "城管今日停班"
    assert detail.events[-1].detail["overridden"] == ["department_not_handling:SC"]
    assert dispatches(db, code)[0].department_id is not None


def test_bad_dispatch_input_names_the_field_and_changes_nothing(
    db: Database, dispatcher: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    with pytest.raises(ValidationFailed) as unknown:
        dispatcher.dispatch.dispatch(code, version, lead="NOPE")
    assert [problem.field for problem in unknown.value.problems] == ["lead"]
    with pytest.raises(ValidationFailed) as twice:
        dispatcher.dispatch.dispatch(code, version, lead="CG", assists=["CG"])
    assert twice.value.problems[0].field == "assists"
    assert dispatches(db, code) == []
    assert dispatcher.queue.detail(code).version == version


def test_two_dispatchers_at_once_one_wins_and_the_other_is_told_who(
    db: Database, dispatcher: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    lead.dispatch.dispatch(code, version, lead="CG")
    with pytest.raises(StaleCase) as stale:
        dispatcher.dispatch.dispatch(code, version, lead="CG")
    assert "李值班" in str(stale.value)
    assert len(dispatches(db, code)) == 1


def test_bulk_dispatch_dispatches_each_case_on_its_own(
    db: Database, dispatcher: Services, lead: Services, monday: FrozenClock
) -> None:
    first = registered(dispatcher)
    water = registered(dispatcher, category="11-water", title="水管爆裂")
    stale = registered(dispatcher, title="广场舞噪音")
    lead.cases.set_priority(stale[0], stale[1], priority=Priority.urgent)  # moves its version
    outcomes = dispatcher.dispatch.dispatch_many([first, water, stale], lead="CG")
    assert [outcome.ok for outcome in outcomes] == [True, False, False]
    assert "不承办" in outcomes[1].error
    assert "李值班" in outcomes[2].error
    assert [len(dispatches(db, code)) for code, _ in (first, water, stale)] == [1, 0, 0]


# -- the department's side and its scope --------------------------------------------------------


def test_a_liaison_neither_sees_nor_acts_on_another_departments_dispatches(
    dispatcher: Services, liaison: Services, liaison2: Services, monday: FrozenClock
) -> None:
    noise, version = registered(dispatcher)
    noise_detail = dispatcher.dispatch.dispatch(noise, version, lead="CG", assists=["SC"])
    food, food_version = registered(dispatcher, category="03-food", title="过期食品")
    food_detail = dispatcher.dispatch.dispatch(food, food_version, lead="SC")

    assert [row.case_code for row in liaison.desk.work_list().rows] == [noise]
    # a liaison's list is always their own, whatever department they name
    assert [row.case_code for row in liaison.desk.work_list("SC").rows] == [noise]
    assert {row.case_code for row in liaison2.desk.work_list().rows} == {noise, food}
    with pytest.raises(NotFound):
        liaison.desk.sign(food, food_detail.version)
    # an assisting department sees the case but only the lead acts on it
    with pytest.raises(RuleRefused) as assist:
        liaison2.desk.sign(noise, noise_detail.version)
    assert assist.value.rule == "lead_department_only"
    with pytest.raises(PermissionDenied):
        liaison.dispatch.dispatch(food, food_detail.version, lead="CG")
    with pytest.raises(PermissionDenied):
        liaison.closure.verify(noise, noise_detail.version, passed=True, note="ok")
    # the centre sees everything, by department or all
    assert {row.case_code for row in dispatcher.desk.work_list().rows} == {noise, food}
    assert [row.case_code for row in dispatcher.desk.work_list("SC").rows] == [noise, food]


def test_the_centre_records_for_a_department_marked_on_its_behalf(
    dispatcher: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    dispatched = dispatcher.dispatch.dispatch(code, version, lead="CG")
    signed = dispatcher.desk.sign(code, dispatched.version, note="电话：已派人前往")
    assert signed.events[-1].action is Action.sign
    assert signed.events[-1].on_behalf is True
    assert signed.events[-1].operator_name == "王调度"


# -- returns ------------------------------------------------------------------------------------


def test_a_return_waits_for_the_shift_lead_who_refuses_or_accepts_it(
    db: Database, dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    dispatched = dispatcher.dispatch.dispatch(code, version, lead="CG")
    asked = liaison.desk.request_return(
        code, dispatched.version, reason="属供水管网问题", basis="《城管执法职责清单》第3条"
    )
    assert asked.state is CaseState.dispatched  # nothing moves until the lead decides
    with pytest.raises(RuleRefused) as again:
        liaison.desk.request_return(code, asked.version, reason="再次申请", basis="同上")
    assert again.value.rule == "request_pending"
    (pending,) = lead.approvals.pending()
    assert (pending.kind, pending.case_code, pending.basis) == (
        RequestKind.return_,
        code,
        "《城管执法职责清单》第3条",
    )
    assert pending.department is not None
    assert pending.department.code == "CG"
    with pytest.raises(PermissionDenied):
        dispatcher.approvals.refuse(pending.id, pending.case_version, reason="不同意")

    refused = lead.approvals.refuse(pending.id, pending.case_version, reason="属城管职责")
    assert refused.state is CaseState.dispatched
    assert refused.due_at == dispatched.due_at  # deadline unchanged
    assert lead.approvals.pending() == ()
    assert requests(db, code)[0].status is RequestStatus.refused

    asked = liaison.desk.request_return(
        code, refused.version, reason="现场确认为供水管破裂", basis="供水设施归供水公司"
    )
    (pending,) = lead.approvals.pending()
    accepted = lead.approvals.approve(pending.id, pending.case_version, reason="同意改派供水")
    assert accepted.state is CaseState.returned
    assert [request.status for request in requests(db, code)] == [
        RequestStatus.refused,
        RequestStatus.approved,
    ]
    (old,) = dispatches(db, code)
    assert old.active is False
    assert old.returned_at == MONDAY_9
    # deciding it twice: the case moved on
    with pytest.raises(RuleRefused) as decided:
        lead.approvals.approve(pending.id, accepted.version, reason="again")
    assert decided.value.rule == "request_decided"

    with pytest.raises(RuleRefused) as same:
        dispatcher.dispatch.dispatch(code, accepted.version, lead="CG")
    assert same.value.rule == "redispatch_same_department"
    redispatched = lead.dispatch.dispatch(
        code, accepted.version, lead="GS", override_reason="供水管破裂，由供水公司处置"
    )
    assert redispatched.state is CaseState.dispatched
    assert redispatched.events[-1].action is Action.redispatch


# -- extensions and suspensions ------------------------------------------------------------------


def in_progress(dispatcher: Services, liaison: Services) -> tuple[str, int, datetime]:
    code, version = registered(dispatcher)
    dispatched = dispatcher.dispatch.dispatch(code, version, lead="CG")
    signed = liaison.desk.sign(code, dispatched.version)
    assert signed.due_at is not None
    return code, signed.version, signed.due_at


def test_an_extension_must_be_asked_before_the_deadline_for_a_later_working_instant(
    db: Database, dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version, due = in_progress(dispatcher, liaison)  # due Thursday 3 Dec 09:00
    with pytest.raises(RuleRefused) as earlier:
        liaison.desk.request_extension(
            code, version, new_due=local(2026, 12, 2, 16, 0), reason="需协调"
        )
    assert earlier.value.rule == "extension_not_later"
    with pytest.raises(RuleRefused) as night:
        liaison.desk.request_extension(
            code, version, new_due=local(2026, 12, 4, 22, 0), reason="需协调"
        )
    assert night.value.rule == "extension_not_working_time"
    saturday = local(2026, 12, 5, 10, 0)
    with pytest.raises(RuleRefused):
        liaison.desk.request_extension(code, version, new_due=saturday, reason="需协调")
    assert requests(db, code) == []

    asked = liaison.desk.request_extension(
        code, version, new_due=local(2026, 12, 4, 17, 30), reason="需协调产权单位"
    )
    (pending,) = lead.approvals.pending()
    assert pending.new_due_at == local(2026, 12, 4, 17, 30)
    assert pending.current_due_at == due
    approved = lead.approvals.approve(pending.id, asked.version, reason="同意延期")
    assert approved.due_at == local(2026, 12, 4, 17, 30)
    with db.read() as session:
        original = session.execute(
            select(col(Case.original_due_at)).where(col(Case.code) == code)
        ).scalar_one()
    assert original == due  # the first deadline is the one scored


def test_an_extension_cannot_be_asked_once_the_deadline_has_passed(
    dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    code, version, due = in_progress(dispatcher, liaison)
    monday.set(due + timedelta(minutes=1))
    with pytest.raises(RuleRefused) as late:
        liaison.desk.request_extension(
            code, version, new_due=local(2026, 12, 8, 9, 0), reason="来不及"
        )
    assert late.value.rule == "extension_after_deadline"


def test_a_refused_extension_leaves_the_deadline_alone(
    dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version, due = in_progress(dispatcher, liaison)
    liaison.desk.request_extension(
        code, version, new_due=local(2026, 12, 7, 9, 0), reason="材料未到"
    )
    (pending,) = lead.approvals.pending()
    refused = lead.approvals.refuse(pending.id, pending.case_version, reason="时限充足")
    assert refused.due_at == due
    assert refused.events[-1].action is Action.refuse_extension


def test_a_suspension_is_asked_approved_and_resumed(
    db: Database, dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version, _ = in_progress(dispatcher, liaison)
    with pytest.raises(ValidationFailed):
        liaison.desk.request_suspension(
            code, version, resume_planned=date(2026, 11, 1), reason="等待鉴定"
        )
    asked = liaison.desk.request_suspension(
        code, version, resume_planned=date(2026, 12, 10), reason="等待房屋安全鉴定"
    )
    (pending,) = lead.approvals.pending()
    assert pending.resume_planned_on == date(2026, 12, 10)
    suspended = lead.approvals.approve(pending.id, asked.version, reason="同意")
    assert suspended.state is CaseState.suspended
    assert suspended.due_at is None
    resumed = lead.cases.resume(code, suspended.version, reason="鉴定已出")
    assert resumed.state is CaseState.in_progress
    assert resumed.due_at is not None


def test_feedback_withdraws_requests_still_waiting(
    db: Database, dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    code, version, _ = in_progress(dispatcher, liaison)
    asked = liaison.desk.request_extension(
        code, version, new_due=local(2026, 12, 7, 9, 0), reason="材料未到"
    )
    fed_back = liaison.desk.feedback(code, asked.version, text="已协调施工方停止夜间施工")
    assert fed_back.state is CaseState.feedback_given
    assert requests(db, code)[0].status is RequestStatus.withdrawn
    (lead_dispatch,) = dispatches(db, code)
    assert lead_dispatch.feedback == "已协调施工方停止夜间施工"
    assert lead_dispatch.feedback_at == MONDAY_9


# -- verification, follow-up, reopen ------------------------------------------------------------


def test_the_whole_journey_with_a_failed_verification_and_a_reopen(
    db: Database, dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    code, version, _ = in_progress(dispatcher, liaison)
    fed_back = liaison.desk.feedback(code, version, text="已处理")
    failed = dispatcher.closure.verify(
        code, fed_back.version, passed=False, note="现场仍有噪音", checked_by="网格员陈明"
    )
    assert failed.state is CaseState.reopened
    assert failed.events[-1].detail["checked_by"] == "网格员陈明"
    assert all(not row.active for row in dispatches(db, code))
    assert failed.events[-1].detail["department_id"] == dispatches(db, code)[0].department_id

    monday.advance(timedelta(minutes=20))
    again = dispatcher.dispatch.dispatch(code, failed.version, lead="CG")
    signed = liaison.desk.sign(code, again.version)
    done = liaison.desk.feedback(code, signed.version, text="已没收扩音设备")
    closed = dispatcher.closure.verify(code, done.version, passed=True, note="现场安静")
    assert closed.state is CaseState.closed
    assert closed.closed_at == MONDAY_9 + timedelta(minutes=20)
    with pytest.raises(TransitionRefused):
        dispatcher.closure.reopen(code, closed.version, reason="不满意")
    followed = dispatcher.closure.follow_up(
        code, closed.version, satisfaction=Satisfaction.unsatisfied, note="嫌处理太慢"
    )
    assert followed.state is CaseState.followed_up
    assert followed.events[-1].detail["satisfaction"] == "unsatisfied"
    reopened = dispatcher.closure.reopen(code, followed.version, reason="反映人要求重新处理")
    assert reopened.state is CaseState.reopened
    actions = [event.action for event in reopened.events]
    assert actions[-3:] == [Action.verify_pass, Action.follow_up, Action.reopen]


def test_only_an_unsatisfied_follow_up_can_be_reopened(
    dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    code, version, _ = in_progress(dispatcher, liaison)
    fed_back = liaison.desk.feedback(code, version, text="已处理")
    closed = dispatcher.closure.verify(code, fed_back.version, passed=True, note="ok")
    followed = dispatcher.closure.follow_up(
        code, closed.version, satisfaction=Satisfaction.satisfied
    )
    with pytest.raises(RuleRefused) as refused:
        dispatcher.closure.reopen(code, followed.version, reason="想重新处理")
    assert refused.value.rule == "reopen_needs_unsatisfied"


# -- Art. 16 and urging ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_list", "power", "rule"),
    [
        (True, AdministrativePower.penalty, "administrative_power"),
        (False, None, "not_on_matter_list"),
    ],
)
def test_grid_workers_are_never_given_official_powers_or_matters_off_the_list(
    db: Database,
    dispatcher: Services,
    on_list: bool,
    power: AdministrativePower | None,
    rule: str,
) -> None:
    with db.write() as session:
        session.execute(
            update(CaseCategory)
            .where(col(CaseCategory.code) == "11-noise")
            .values(on_matter_list=on_list, administrative_power=power)
        )
    case = dispatcher.cases.report(new_case_fields())
    with pytest.raises(RuleRefused) as refused:
        dispatcher.cases.resolve_in_grid(case.code, case.version, note="网格员劝导")
    assert refused.value.rule == rule
    assert "第十六条" in str(refused.value)


def test_urging_records_the_channel_and_the_department_held_to_account(
    dispatcher: Services, monday: FrozenClock
) -> None:
    code, version = registered(dispatcher)
    dispatched = dispatcher.dispatch.dispatch(code, version, lead="CG")
    urged = dispatcher.cases.urge(
        code, dispatched.version, note="请尽快签收", channel=ContactChannel.phone
    )
    assert urged.events[-1].detail["channel"] == "phone"
    assert isinstance(urged.events[-1].detail["department_id"], int)


def test_a_liaison_reads_only_cases_given_to_their_department(
    dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    from gridconsole.domain.enums import QUEUE_STATES
    from gridconsole.services.records import QueueFilter

    noise, version = registered(dispatcher)
    dispatcher.dispatch.dispatch(noise, version, lead="CG")
    food, food_version = registered(dispatcher, category="03-food", title="过期食品")
    dispatcher.dispatch.dispatch(food, food_version, lead="SC")
    waiting = dispatcher.cases.report(new_case_fields(title="尚未受理"))

    assert liaison.queue.detail(noise).code == noise
    for hidden in (food, waiting.code):
        with pytest.raises(NotFound):
            liaison.queue.detail(hidden)
    every_state = QueueFilter(states=tuple(CaseState))
    assert [row.code for row in liaison.queue.page(every_state).rows] == [noise]
    assert liaison.queue.page(QueueFilter(states=QUEUE_STATES)).total == 0
    assert {row.code for row in dispatcher.queue.page(every_state).rows} == {
        noise,
        food,
        waiting.code,
    }


def test_an_approved_suspension_lets_a_waiting_extension_lapse(
    db: Database, dispatcher: Services, liaison: Services, lead: Services, monday: FrozenClock
) -> None:
    """Found by the random walks: an extension left pending on a suspended case could never be
    decided (there is no running deadline to move)."""
    code, version, _ = in_progress(dispatcher, liaison)
    asked = liaison.desk.request_extension(
        code, version, new_due=local(2026, 12, 7, 9, 0), reason="材料未到"
    )
    asked = liaison.desk.request_suspension(
        code, asked.version, resume_planned=date(2026, 12, 10), reason="等待鉴定"
    )
    suspension = next(row for row in lead.approvals.pending() if row.kind is RequestKind.suspension)
    lead.approvals.approve(suspension.id, asked.version, reason="同意挂起")
    assert lead.approvals.pending() == ()
    assert [request.status for request in requests(db, code)] == [
        RequestStatus.withdrawn,
        RequestStatus.approved,
    ]


def test_verification_ends_the_departments_part_either_way(
    db: Database, dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    code, version, _ = in_progress(dispatcher, liaison)
    fed_back = liaison.desk.feedback(code, version, text="已处理")
    assert [row.active for row in dispatches(db, code)] == [True]  # awaiting the check
    dispatcher.closure.verify(code, fed_back.version, passed=True, note="现场安静")
    assert [row.active for row in dispatches(db, code)] == [False]
    assert liaison.desk.work_list().rows == ()


def test_a_liaisons_header_counts_only_their_departments_cases(
    dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    noise, version = registered(dispatcher)
    dispatcher.dispatch.dispatch(noise, version, lead="CG")
    food, food_version = registered(dispatcher, category="03-food", title="过期食品")
    dispatcher.dispatch.dispatch(food, food_version, lead="SC")
    dispatcher.cases.report(new_case_fields(title="尚未受理"))
    centre = dispatcher.queue.header_counts()
    mine = liaison.queue.header_counts()
    assert (centre.waiting, centre.working) == (1, 2)
    assert (mine.waiting, mine.working) == (0, 1)
