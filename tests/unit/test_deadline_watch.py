"""The deadline timers' effect: each warning, breach and ladder rung written once, at its instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, CaseState, EscalationKind, EscalationStage, Role
from gridconsole.domain.errors import PermissionDenied
from gridconsole.domain.work_calendar import DayKind
from gridconsole.services import deadline_watch
from gridconsole.services.bundle import Services
from gridconsole.services.calendar import CalendarService
from gridconsole.services.deadline_watch import DeadlineWatch, next_instant_statement
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent, Escalation
from tests.factories import new_case_fields, services_for


def _watch(services: Services) -> DeadlineWatch:
    return DeadlineWatch(services.context)


def _case(db: Database, code: str) -> Case:
    with db.read() as session:
        case = session.execute(select(Case).where(col(Case.code) == code)).scalar_one()
        session.expunge(case)
        return case


def _events(db: Database, code: str, action: Action) -> list[CaseEvent]:
    with db.read() as session:
        rows = (
            session.execute(
                select(CaseEvent)
                .join(Case, col(Case.id) == col(CaseEvent.case_id))
                .where(col(Case.code) == code, col(CaseEvent.action) == action.value)
                .order_by(col(CaseEvent.id))
            )
            .scalars()
            .all()
        )
        for row in rows:
            session.expunge(row)
        return list(rows)


def _dispatched(db: Database, code: str) -> None:
    """Put a reported case in ``dispatched`` (urge allowed) keeping its running deadline."""
    with db.write() as session:
        session.execute(
            update(Case).where(col(Case.code) == code).values(state=CaseState.dispatched)
        )


def test_system_actions_are_chosen_by_no_role_and_no_menu() -> None:
    for action in lifecycle.SYSTEM_ACTIONS:
        assert action in lifecycle.CONSEQUENTIAL_ACTIONS
        for role in Role:
            assert not permissions.allowed(role, action)
            with pytest.raises(PermissionDenied):
                permissions.require(role, action, operator="x")
        # the case deadlines fire on open cases; an escalation's report window (the 终报 is
        # owed after the closing) whatever the case's state
        escalation_window = action in (Action.report_window_due, Action.report_window_missed)
        for state in CaseState:
            assert action not in lifecycle.actions_from(state)
            assert lifecycle.can(action, state) == (
                escalation_window
                or state not in (CaseState.closed, CaseState.followed_up, CaseState.rejected)
            )


def test_warning_and_breach_fire_once_at_their_instants(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    case = _case(db, code)
    assert case.warn_at is not None
    assert case.due_at is not None
    watch = _watch(dispatcher)
    assert watch.next_instant(clock.now()) == case.warn_at
    assert watch.fire_due().count == 0

    clock.set(case.warn_at)
    fired = watch.fire_due()
    assert [f.case_code for f in fired.warned] == [code]
    assert fired.breached == ()
    assert watch.fire_due().count == 0
    assert watch.next_instant(clock.now()) == case.due_at

    clock.set(case.due_at)
    fired = watch.fire_due()
    assert [(f.case_code, f.at) for f in fired.breached] == [(code, case.due_at)]
    assert fired.urged == ()  # a reported case has no department to urge yet
    assert watch.fire_due().count == 0

    (warning,) = _events(db, code, Action.deadline_warning)
    (breach,) = _events(db, code, Action.deadline_breach)
    assert (warning.at, breach.at) == (case.warn_at, case.due_at)
    assert warning.operator_id is None
    assert breach.operator_id is None
    assert breach.to_state is None
    assert breach.detail["step"] == "accept"
    after = _case(db, code)
    assert (after.warning_fired_for, after.breach_fired_for) == (case.due_at, case.due_at)
    assert after.version == case.version  # a timer never makes an operator's form stale


def test_two_services_objects_fire_one_event(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    other = services_for(db, "lead", clock)
    clock.advance(timedelta(days=3))
    first, second = _watch(dispatcher).fire_due(), _watch(other).fire_due()
    assert len(first.breached) + len(second.breached) == 1
    assert len(_events(db, code, Action.deadline_breach)) == 1
    assert len(_events(db, code, Action.deadline_warning)) == 1


def test_missed_firings_after_downtime_are_recorded_once_at_their_true_instants(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    codes = [dispatcher.cases.report(new_case_fields(title=f"停机{i}")).code for i in range(3)]
    for code in codes:
        _dispatched(db, code)
    before = {code: _case(db, code) for code in codes}
    watch = _watch(dispatcher)
    clock.advance(timedelta(days=14))  # the console was off for two weeks
    fired = watch.fire_due()
    assert {f.case_code for f in fired.warned} == set(codes)
    assert {f.case_code for f in fired.breached} == set(codes)
    assert {f.case_code for f in fired.urged} == set(codes)
    assert {f.case_code for f in fired.prompted} == set(codes)
    assert {f.case_code for f in fired.reported} == set(codes)
    assert watch.fire_due().count == 0
    calendar_settings = Settings()
    for code in codes:
        case = before[code]
        assert case.due_at is not None
        (warning,) = _events(db, code, Action.deadline_warning)
        (breach,) = _events(db, code, Action.deadline_breach)
        (urge,) = _events(db, code, Action.urge)
        (prompt,) = _events(db, code, Action.supervise_due)
        (report,) = _events(db, code, Action.report_district)
        assert warning.at == case.warn_at
        assert breach.at == case.due_at
        assert urge.at == case.due_at
        assert urge.detail["automatic"] is True
        # one and five working days after the breach: the same time on later working days
        assert prompt.at > case.due_at + timedelta(hours=23)
        assert report.at >= prompt.at + timedelta(days=4)
        assert (
            prompt.at.astimezone(calendar_settings.centre.zone).time()
            == case.due_at.astimezone(calendar_settings.centre.zone).time()
        )
        after = _case(db, code)
        assert (after.ladder_rung, after.ladder_next_at, after.urge_count) == (3, None, 1)
    with db.read() as session:
        escalations = session.execute(select(Escalation)).scalars().all()
        assert len(escalations) == 3
        assert {e.kind for e in escalations} == {EscalationKind.other_major}
        assert {e.stage for e in escalations} == {EscalationStage.pending}
        assert all(e.raised_by_id is None for e in escalations)


def test_the_ladder_climbs_one_rung_at_a_time(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    _dispatched(db, code)
    watch = _watch(dispatcher)
    due = _case(db, code).due_at
    assert due is not None
    clock.set(due)
    fired = watch.fire_due()
    assert len(fired.breached) == len(fired.urged) == 1
    prompt_at = watch.next_instant(clock.now())
    assert prompt_at is not None
    assert prompt_at > due
    clock.set(prompt_at - timedelta(seconds=1))
    assert watch.fire_due().count == 0
    clock.set(prompt_at)
    fired = watch.fire_due()
    assert [f.at for f in fired.prompted] == [prompt_at]
    assert fired.reported == ()
    report_at = watch.next_instant(clock.now())
    assert report_at is not None
    clock.set(report_at)
    assert [f.at for f in watch.fire_due().reported] == [report_at]
    # the ladder is done; what comes next is the board's: the 通报's first report window (一般:
    # 60 minutes from the raising), announced alert_before_minutes (5) before it closes
    assert watch.next_instant(clock.now()) == report_at + timedelta(minutes=55)


def test_a_ladder_stops_when_the_step_moves_on(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    due = _case(db, code).due_at
    assert due is not None
    clock.set(due)
    _watch(dispatcher).fire_due()
    dispatcher.cases.accept(code, _case(db, code).version)  # the dispatch step starts
    clock.advance(timedelta(days=1))
    fired = _watch(dispatcher).fire_due()
    assert fired.prompted == ()
    assert [f.case_code for f in fired.breached] == [code]  # the dispatch step's own breach


def test_a_clock_jump_back_then_forward_neither_loses_nor_doubles(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    case = _case(db, code)
    assert case.warn_at is not None
    assert case.due_at is not None
    watch = _watch(dispatcher)
    clock.set(case.warn_at + timedelta(seconds=1))
    assert len(watch.fire_due().warned) == 1
    clock.advance(timedelta(hours=-5))  # NTP steps back
    assert watch.fire_due().count == 0
    assert watch.next_instant(clock.now()) == case.due_at  # the warning is not armed again
    clock.advance(timedelta(days=2))  # resume after a suspend
    fired = watch.fire_due()
    assert (len(fired.warned), len(fired.breached)) == (0, 1)
    assert len(_events(db, code, Action.deadline_warning)) == 1
    assert len(_events(db, code, Action.deadline_breach)) == 1


def test_a_burst_is_written_in_bounded_batches(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    codes = [dispatcher.cases.report(new_case_fields(title=f"批{i}")).code for i in range(7)]
    clock.advance(timedelta(days=3))
    fired = DeadlineWatch(dispatcher.context, batch=2).fire_due()
    assert sorted(f.case_code for f in fired.breached) == sorted(codes)
    assert sorted(f.case_code for f in fired.warned) == sorted(codes)


def test_breaches_after_a_token(
    db: Database, dispatcher: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed holds the breaches above a console's token and those a little below it: on
    PostgreSQL a breach committed after a later event's token was read has an id under it.
    ``up_to`` leaves out what came after a console's first token."""
    code = dispatcher.cases.report(new_case_fields()).code
    token = dispatcher.queue.change_token()
    clock.advance(timedelta(days=3))
    watch = _watch(dispatcher)
    watch.fire_due()
    (breach,) = watch.breaches_after(token)
    assert breach.case_code == code
    assert breach.step is not None
    dispatcher.cases.report(new_case_fields(title="之后的事件"))
    later = dispatcher.queue.change_token()
    assert [firing.case_code for firing in watch.breaches_after(later)] == [code]
    assert watch.breaches_after(later, up_to=token) == ()
    assert [firing.case_code for firing in watch.breaches_after(later, up_to=later)] == [code]
    monkeypatch.setattr(deadline_watch, "BREACH_LOOK_BACK", 1)
    assert watch.breaches_after(later) == ()  # further below the token than the look-back


def test_the_breach_feed_gives_the_newest_oldest_first(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    codes = [dispatcher.cases.report(new_case_fields(title=f"批{i}")).code for i in range(3)]
    clock.advance(timedelta(days=3))
    watch = _watch(dispatcher)
    watch.fire_due()
    token = dispatcher.queue.change_token()
    fed = watch.breaches_after(token)
    assert sorted(firing.case_code for firing in fed) == sorted(codes)
    newest = watch.breaches_after(token, limit=2)
    assert newest == fed[1:]


@pytest.mark.sqlite_only("EXPLAIN QUERY PLAN; PostgreSQL's plans are measured in the benchmarks")
def test_next_instant_uses_the_timer_indexes(db: Database, clock: FrozenClock) -> None:
    compiled = next_instant_statement(clock.now()).compile(
        db.reader, compile_kwargs={"literal_binds": True}
    )
    with db.reader.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    details = " | ".join(row[-1] for row in plan)
    for index in ("ix_cases_warn_timer", "ix_cases_due_timer", "ix_cases_ladder_next_at"):
        assert index in details
    assert "TEMP B-TREE" not in details
    assert "SCAN cases" not in details.replace("SCAN cases USING", "")


def test_a_calendar_change_does_not_record_a_past_breach_twice(
    db: Database, clock: FrozenClock
) -> None:
    """A breach recorded, then a hand-entered holiday moves the deadline but it is still past:
    the breach stays recorded once. One moved into the future fires anew when reached."""
    services = services_for(db, "disp", clock)
    case = services.cases.report(new_case_fields())  # due Monday 2026-11-30 09:30
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    watch = DeadlineWatch.headless(db, clock, Settings())
    assert [firing.case_code for firing in watch.fire_due().breached] == [case.code]
    admin = services_for(db, "admin", clock)
    CalendarService(admin.context).set_day(date(2026, 11, 30), DayKind.holiday, "演练")
    # now due Tuesday 09:30: still past on Wednesday 09:00
    assert watch.fire_due().breached == ()
    CalendarService(admin.context).set_day(date(2026, 12, 1), DayKind.holiday, "演练")
    CalendarService(admin.context).set_day(date(2026, 12, 2), DayKind.holiday, "演练")
    # now due Thursday 09:30: in the future, so it fires again when reached
    assert watch.fire_due().breached == ()
    clock.set(datetime(2026, 12, 3, 9, 31, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert [firing.case_code for firing in watch.fire_due().breached] == [case.code]
