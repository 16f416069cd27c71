"""Step deadlines written by the services: when a step starts, when priority changes, and when
the calendar changes. T0 is Sunday 2026-11-29 09:30 in Nanjing (not a working day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import CaseState, DeadlineStep, Priority, RejectReason, TimeUnit
from gridconsole.domain.work_calendar import DayKind
from gridconsole.services.bundle import Services
from gridconsole.services.calendar import CalendarService
from gridconsole.services.deadlines import start_missing_steps
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseCategory, CategoryTimeLimit
from tests.factories import new_case_fields, services_for

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def test_a_report_starts_the_acceptance_clock_in_working_time(dispatcher: Services) -> None:
    case = dispatcher.cases.report(new_case_fields())
    with dispatcher.context.db.read() as session:
        row = session.get(Case, case.id)
        assert row is not None
        assert row.step is DeadlineStep.accept
        assert row.step_started_at == local(2026, 11, 29, 9, 30)
        # Sunday: the working hour is Monday 08:30–09:30; the warning at 80 %, 09:18
        assert row.due_at == local(2026, 11, 30, 9, 30)
        assert row.warn_at == local(2026, 11, 30, 9, 18)
        assert row.deadline_provisional is False
    assert case.due_at == local(2026, 11, 30, 9, 30)


def test_an_urgent_report_has_fifteen_minutes_day_and_night(dispatcher: Services) -> None:
    case = dispatcher.cases.report(new_case_fields(priority="urgent"))
    assert case.due_at == local(2026, 11, 29, 9, 45)


def test_each_transition_starts_the_next_step_and_finishing_stops_the_clock(
    dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields())
    clock.set(local(2026, 11, 30, 10, 0))
    accepted = dispatcher.cases.accept(case.code, case.version)
    assert accepted.due_at == local(2026, 11, 30, 11, 0)  # dispatch within 1 working hour
    rejected_case = dispatcher.cases.report(new_case_fields(title="另一件"))
    rejected = dispatcher.cases.reject(
        rejected_case.code, rejected_case.version, reason=RejectReason.malicious, note="恶意"
    )
    assert rejected.due_at is None
    resolved_case = dispatcher.cases.report(new_case_fields(title="第三件"))
    resolved = dispatcher.cases.resolve_in_grid(
        resolved_case.code, resolved_case.version, note="已劝导"
    )
    assert resolved.state is CaseState.feedback_given
    assert resolved.due_at == local(2026, 12, 1, 10, 0)  # verify within 1 working day


def test_priority_change_re_times_the_running_step_from_its_start(
    dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields())
    clock.advance(timedelta(minutes=5))
    urgent = dispatcher.cases.set_priority(case.code, case.version, priority=Priority.urgent)
    assert urgent.due_at == local(2026, 11, 29, 9, 45)  # from the report, not from the change


def test_a_category_limit_beats_the_default(db: Database, dispatcher: Services) -> None:
    with db.write() as session:
        category = session.query(CaseCategory).filter_by(code="11-noise").one()
        session.add(
            CategoryTimeLimit(
                category_id=category.id,
                step=DeadlineStep.accept,
                priority=Priority.normal,
                amount=2,
                unit=TimeUnit.working_hours,
            )
        )
    case = dispatcher.cases.report(new_case_fields())
    assert case.due_at == local(2026, 11, 30, 10, 30)


def test_a_calendar_change_recomputes_open_deadlines(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields())
    assert case.due_at == local(2026, 11, 30, 9, 30)
    admin = services_for(db, "admin", clock)
    CalendarService(admin.context).set_day(date(2026, 11, 30), DayKind.holiday, "演练：临时放假")
    assert dispatcher.queue.detail(case.code).due_at == local(2026, 12, 1, 9, 30)
    CalendarService(admin.context).remove_day(date(2026, 11, 30))
    assert dispatcher.queue.detail(case.code).due_at == local(2026, 11, 30, 9, 30)


def test_deadlines_into_a_year_without_a_notice_are_provisional(
    dispatcher: Services, clock: FrozenClock, db: Database
) -> None:
    clock.set(local(2026, 12, 31, 17, 0))
    case = dispatcher.cases.report(new_case_fields())
    # half an hour on the 31st, half an hour on the first assumed working day of 2027
    assert case.due_at == local(2027, 1, 1, 9, 0)
    with db.read() as session:
        row = session.get(Case, case.id)
        assert row is not None
        assert row.deadline_provisional is True
    admin = services_for(db, "admin", clock)
    CalendarService(admin.context).set_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    with db.read() as session:
        row = session.get(Case, case.id)
        assert row is not None
        assert row.due_at == local(2027, 1, 4, 9, 0)  # Saturday and Sunday assumed off
        assert row.deadline_provisional is True


def test_header_counts_warning_and_overdue(dispatcher: Services, clock: FrozenClock) -> None:
    dispatcher.cases.report(new_case_fields())
    dispatcher.cases.report(new_case_fields(title="紧急", priority="urgent"))
    counts = dispatcher.queue.header_counts()
    assert (counts.warning, counts.overdue) == (0, 0)
    clock.advance(timedelta(minutes=13))  # the urgent one is past 80 % of its 15 minutes
    counts = dispatcher.queue.header_counts()
    assert (counts.warning, counts.overdue) == (1, 0)
    clock.set(local(2026, 11, 30, 9, 20))  # the normal one warns, the urgent one is overdue
    counts = dispatcher.queue.header_counts()
    assert (counts.warning, counts.overdue) == (1, 1)


def test_a_closed_case_awaiting_follow_up_counts_when_overdue(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields())
    with db.write() as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == case.id)
            .values(
                state=CaseState.closed,
                step=DeadlineStep.follow_up,
                due_at=local(2026, 11, 29, 9, 0),
                warn_at=local(2026, 11, 29, 8, 0),
            )
        )
    assert dispatcher.queue.header_counts().overdue == 1


def test_cases_without_a_step_are_given_the_one_their_state_calls_for(
    db: Database, dispatcher: Services
) -> None:
    case = dispatcher.cases.report(new_case_fields())
    with db.write() as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == case.id)
            .values(step=None, step_started_at=None, due_at=None, warn_at=None)
        )
    with db.write() as session:
        assert start_missing_steps(session, Settings()) == 1
    assert dispatcher.queue.detail(case.code).due_at == local(2026, 11, 30, 9, 30)
    with db.write() as session:
        assert start_missing_steps(session, Settings()) == 0
