"""What performance evaluation (绩效考评) scores a dispatch on, written as the case moves.

A lead dispatch is scored against the handling deadline set when it was made, moved by the time
the case stood suspended (挂起 stops the clocks, domain.md §3) and never by an approved extension
(延期: the original deadline is the one scored). Its handling time is the working time from
dispatch to feedback less the working time it stood suspended. Both are written here, inside the
caller's transaction, so the statistics aggregate plain columns in the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.enums import Action
from gridconsole.domain.work_calendar import WorkCalendar
from gridconsole.store.models import Case, CaseEvent, Dispatch


def suspended_since(session: Session, case: Case) -> datetime | None:
    """When the case's clocks last stopped (its newest ``suspend`` event)."""
    return session.execute(
        select(func.max(col(CaseEvent.at))).where(
            col(CaseEvent.case_id) == case.id, col(CaseEvent.action) == Action.suspend
        )
    ).scalar_one_or_none()


def scored_after_suspension(
    calendar: WorkCalendar,
    scored_due_at: datetime,
    *,
    suspended_at: datetime,
    resumed_at: datetime,
    working_time: bool,
) -> datetime:
    """The scored deadline once the clock runs again: what was left of it when the clock stopped,
    counted again from the resumption in the step's kind of time (a deadline already missed when
    the case was suspended stays where it was)."""
    if scored_due_at <= suspended_at:
        return scored_due_at
    if working_time:
        left = calendar.working_time_between(suspended_at, scored_due_at)
    else:
        left = scored_due_at - suspended_at
    return calendar.add_duration(resumed_at, left, working_time=working_time).due


def record_resumption(
    session: Session,
    calendar: WorkCalendar,
    case: Case,
    *,
    resumed_at: datetime,
    working_time: bool,
) -> None:
    """The case's active dispatches stood suspended until ``resumed_at``: their scored deadline
    moves and the working time suspended is added to theirs."""
    suspended_at = suspended_since(session, case)
    if suspended_at is None or suspended_at >= resumed_at:
        return
    suspended_s = max(0, calendar.working_seconds_between(suspended_at, resumed_at))
    dispatches = session.execute(
        select(col(Dispatch.id), col(Dispatch.scored_due_at)).where(
            col(Dispatch.case_id) == case.id, col(Dispatch.active)
        )
    ).all()
    for dispatch_id, scored_due_at in dispatches:
        values: dict[str, object] = {
            "suspended_working_s": col(Dispatch.suspended_working_s) + suspended_s
        }
        if scored_due_at is not None:
            values["scored_due_at"] = scored_after_suspension(
                calendar,
                scored_due_at,
                suspended_at=suspended_at,
                resumed_at=resumed_at,
                working_time=working_time,
            )
        session.execute(update(Dispatch).where(col(Dispatch.id) == dispatch_id).values(**values))


def handling_seconds(
    calendar: WorkCalendar, dispatched_at: datetime, fed_back_at: datetime, suspended_s: int
) -> int:
    """Working seconds from dispatch to feedback less those the case stood suspended."""
    return max(0, calendar.working_seconds_between(dispatched_at, fed_back_at) - suspended_s)
