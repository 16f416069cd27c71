"""Suspension stops every clock and resumes with what was left; an approved extension moves
the deadline and keeps the original for scoring. Working time: 08:30–12:00, 13:30–17:30."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Action, CaseState
from gridconsole.domain.errors import (
    PermissionDenied,
    RuleRefused,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case
from tests.factories import new_case_fields
from tests.overdue_cases import dispatch_directly

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
def in_progress(db: Database, dispatcher: Services, clock: FrozenClock) -> str:
    """A water case dispatched Monday 30 Nov 09:00 (3 working days: due Thursday 09:00),
    signed at once: in progress."""
    case = dispatcher.cases.report(new_case_fields(category="11-water", title="小区停水"))
    dispatch_directly(db, case.code, "GS", local(2026, 11, 30, 9, 0))
    with db.write() as session:
        session.execute(
            update(Case)
            .where(col(Case.code) == case.code)
            .values(state=CaseState.in_progress, version=Case.version + 1)
        )
    clock.set(local(2026, 11, 30, 9, 0))
    return case.code


def row(db: Database, code: str) -> Case:
    with db.read() as session:
        case = session.query(Case).filter_by(code=code).one()
        session.expunge(case)
        return case


def test_the_dispatched_handling_deadline(db: Database, in_progress: str) -> None:
    assert row(db, in_progress).due_at == local(2026, 12, 3, 9, 0)


def test_suspension_stops_the_clock_and_resumption_keeps_what_was_left(
    db: Database, lead: Services, clock: FrozenClock, in_progress: str
) -> None:
    detail = lead.queue.detail(in_progress)
    clock.set(local(2026, 12, 1, 10, 0))  # 1 day 1 hour of working time used, 1 day 6.5 h left
    suspended = lead.cases.suspend(
        in_progress, detail.version, resume_planned=date(2026, 12, 10), reason="待业主返回"
    )
    assert suspended.state is CaseState.suspended
    assert suspended.due_at is None
    stopped = row(db, in_progress)
    assert stopped.suspended_remaining_s == int((7.5 + 6.5) * 3600)
    assert stopped.resume_planned_on == date(2026, 12, 10)
    assert lead.queue.header_counts().overdue == 0
    clock.set(local(2026, 12, 8, 14, 0))  # a week later, Tuesday 14:00
    resumed = lead.cases.resume(in_progress, suspended.version)
    assert resumed.state is CaseState.in_progress
    # 14 h from Tuesday 14:00: 3.5 h Tuesday, 7.5 h Wednesday, 3 h Thursday → 11:30
    assert resumed.due_at == local(2026, 12, 10, 11, 30)
    assert row(db, in_progress).suspended_remaining_s is None
    assert [event.action for event in resumed.events][-2:] == [Action.suspend, Action.resume]


def test_suspension_is_the_shift_leads_and_needs_a_future_resume_day(
    dispatcher: Services, lead: Services, clock: FrozenClock, in_progress: str
) -> None:
    version = lead.queue.detail(in_progress).version
    with pytest.raises(PermissionDenied):
        dispatcher.cases.suspend(
            in_progress, version, resume_planned=date(2026, 12, 10), reason="x"
        )
    with pytest.raises(ValidationFailed, match="resume_planned"):
        lead.cases.suspend(in_progress, version, resume_planned=date(2026, 11, 1), reason="x")
    with pytest.raises(TransitionRefused):
        lead.cases.resume(in_progress, version)


def test_an_extension_moves_the_deadline_and_keeps_the_original(
    db: Database, lead: Services, clock: FrozenClock, in_progress: str
) -> None:
    version = lead.queue.detail(in_progress).version
    clock.set(local(2026, 12, 2, 10, 0))
    extended = lead.cases.approve_extension(
        in_progress, version, new_due=local(2026, 12, 8, 17, 30), reason="需更换主管道"
    )
    assert extended.due_at == local(2026, 12, 8, 17, 30)
    assert row(db, in_progress).original_due_at == local(2026, 12, 3, 9, 0)
    again = lead.cases.approve_extension(
        in_progress, extended.version, new_due=local(2026, 12, 11, 17, 30), reason="再延"
    )
    assert again.due_at == local(2026, 12, 11, 17, 30)
    assert row(db, in_progress).original_due_at == local(2026, 12, 3, 9, 0)  # the first one


def test_an_extension_must_be_later_and_is_the_shift_leads(
    dispatcher: Services, lead: Services, clock: FrozenClock, in_progress: str
) -> None:
    version = lead.queue.detail(in_progress).version
    with pytest.raises(RuleRefused, match="须晚于"):
        lead.cases.approve_extension(
            in_progress, version, new_due=local(2026, 12, 2, 9, 0), reason="x"
        )
    with pytest.raises(PermissionDenied):
        dispatcher.cases.approve_extension(
            in_progress, version, new_due=local(2026, 12, 9, 9, 0), reason="x"
        )
