"""Stopping and moving a case's clock: suspension (挂起) and extension (延期).

Used inside a transaction by the shift lead's direct actions (:mod:`services.cases`) and by the
approval of a department's request (:mod:`services.approvals`), so both write the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridconsole.domain.deadlines import StepDeadline, extend, remaining_after_suspension
from gridconsole.domain.enums import Action, RequestKind, RequestStatus
from gridconsole.domain.errors import FieldProblem, RuleRefused, ValidationFailed
from gridconsole.domain.work_calendar import WorkCalendar
from gridconsole.i18n import t
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_requests import settle_pending
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.store.models import Case


def check_resume_day(context: ServiceContext, resume_planned: date) -> None:
    if resume_planned < context.local(context.now()).date():
        raise ValidationFailed(
            [
                FieldProblem(
                    "resume_planned",
                    t("rule.resume_before_today", day=resume_planned.isoformat()),
                )
            ]
        )


def in_working_time(calendar: WorkCalendar, instant: datetime) -> bool:
    """Whether a deadline may fall at ``instant``: inside working hours, or at the very end of
    a working period (17:30 is a fine deadline, though not itself working time)."""
    return calendar.is_working_time(instant) or calendar.is_working_time(
        instant - timedelta(microseconds=1)
    )


def suspend_case(
    changes: CaseChanges,
    session: Session,
    case: Case,
    version: int,
    *,
    resume_planned: date,
    reason: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Every clock of the case stops; what was left of the allowance is kept for the
    resumption, with the planned resume day."""
    context = changes.context
    check_resume_day(context, resume_planned)
    # while the clocks stand still a return or an extension has nothing to act on: they lapse
    # (the department asks again after the resumption if it still needs to)
    for kind in (RequestKind.return_, RequestKind.extension):
        settle_pending(session, context, case, kind, RequestStatus.withdrawn, reason)
    planner = DeadlinePlanner(session, context.settings)
    running = changes.running_deadline(case, planner, Action.suspend)
    left = remaining_after_suspension(planner.calendar, running, context.now())
    changes.apply(
        session,
        case,
        Action.suspend,
        version,
        changes={
            # the step is kept (it resumes), its deadline is not running
            "step": case.step,
            "step_started_at": case.step_started_at,
            "due_at": None,
            "warn_at": None,
            "deadline_provisional": left.provisional,
            "suspended_remaining_s": int(left.until_due.total_seconds()),
            "suspended_warn_remaining_s": int(left.until_warning.total_seconds()),
            "suspended_working_time": left.working_time,
            "resume_planned_on": resume_planned,
        },
        reason=reason,
        detail={"resume_planned": resume_planned.isoformat(), **(detail or {})},
    )


def check_extension(
    changes: CaseChanges,
    session: Session,
    case: Case,
    new_due: datetime,
    action: Action,
    *,
    working_time: bool = True,
) -> tuple[DeadlinePlanner, StepDeadline]:
    """A new deadline must be later than the running one and than now, and (where the step runs
    in working time and ``working_time`` asks for it) fall in working time. Returns the planner
    and the running deadline it checked against, for the caller that goes on to extend."""
    context = changes.context
    planner = DeadlinePlanner(session, context.settings)
    running = changes.running_deadline(case, planner, action)
    if new_due <= running.due_at or new_due <= context.now():
        raise RuleRefused(
            case_code=case.code,
            action=action.value,
            rule="extension_not_later",
            new_due=context.local_text(new_due),
            due=context.local_text(running.due_at),
        )
    if working_time and running.working_time and not in_working_time(planner.calendar, new_due):
        raise RuleRefused(
            case_code=case.code,
            action=action.value,
            rule="extension_not_working_time",
            new_due=context.local_text(new_due),
        )
    return planner, running


def extend_case(
    changes: CaseChanges,
    session: Session,
    case: Case,
    version: int,
    *,
    new_due: datetime,
    reason: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """The running deadline moves to ``new_due``; the first deadline is kept for scoring (an
    extension never improves a department's on-time record)."""
    context = changes.context
    # the lead may set any later instant by hand; a department's request was checked when made
    planner, running = check_extension(
        changes, session, case, new_due, Action.approve_extension, working_time=False
    )
    extended = extend(
        planner.calendar,
        running,
        new_due,
        approved_at=context.now(),
        warn_fraction=context.settings.deadlines.warn_fraction,
    )
    changes.apply(
        session,
        case,
        Action.approve_extension,
        version,
        changes={
            "due_at": extended.current.due_at,
            "warn_at": extended.current.warn_at,
            "original_due_at": case.original_due_at or running.due_at,
        },
        reason=reason,
        detail={
            "from": running.due_at.isoformat(),
            "to": extended.current.due_at.isoformat(),
            **(detail or {}),
        },
    )
