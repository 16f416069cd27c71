"""Step deadlines (时限) of domain.md §3: the due and warning instants, suspension, extension.

Pure arithmetic on a :class:`~gridconsole.domain.work_calendar.WorkCalendar`; the services decide
when a step starts and store what these functions return. A limit in working hours or working days
is measured in working time, one in calendar hours in elapsed time; the warning (预警) comes when
``warn_fraction`` (default 80 %) of the allowance is used, measured in the same kind of time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from gridconsole.domain.enums import CaseState, DeadlineStep, TimeUnit
from gridconsole.domain.work_calendar import WorkCalendar

DEFAULT_WARN_FRACTION = 0.8
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class TimeLimit:
    """How long a step may take: ``TimeLimit(13, TimeUnit.working_days)``."""

    amount: int
    unit: TimeUnit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"a time limit cannot be negative: {self.amount} {self.unit.value}")

    @property
    def working_time(self) -> bool:
        """Whether the limit runs in working time (calendar hours run day and night)."""
        return self.unit.working_time


@dataclass(frozen=True)
class StepDeadline:
    """When a step falls due and when it turns yellow; instants in UTC.

    ``provisional``: a day the computation used had to be assumed (no notice known), so the
    instants may move once the year's notice is entered. ``working_time``: whether the clock runs
    in working time (working units) or elapsed time (calendar hours); suspension needs to know.
    """

    due_at: datetime
    warn_at: datetime
    provisional: bool
    working_time: bool = True


@dataclass(frozen=True)
class RemainingAllowance:
    """What is left of a step's allowance while its clock is stopped (挂起).

    Both spans are in the deadline's kind of time and never negative: a step suspended after its
    due instant resumes already due (``until_due`` zero), and one suspended after its warning
    resumes already in warning.
    """

    until_due: timedelta
    until_warning: timedelta
    working_time: bool
    # the suspended deadline's flag, kept conservatively: the time used before the suspension may
    # have been counted on assumed days, and the remainder is what is left of it
    provisional: bool


@dataclass(frozen=True)
class ExtendedDeadline:
    """An approved extension (延期): the deadline now running, and the original one for scoring."""

    current: StepDeadline
    original: StepDeadline


def _check_fraction(warn_fraction: float) -> None:
    if not 0 <= warn_fraction <= 1:
        raise ValueError(f"the warning fraction must be between 0 and 1, not {warn_fraction}")


def _fraction_of(allowance: timedelta, fraction: float) -> timedelta:
    # whole seconds: warning instants are shown and stored to the second
    return timedelta(seconds=round(allowance / _ONE_SECOND * fraction))


def _span(
    calendar: WorkCalendar, start: datetime, end: datetime, *, working_time: bool
) -> timedelta:
    if working_time:
        return calendar.working_time_between(start, end)
    return end - start


def step_deadline(
    calendar: WorkCalendar,
    start: datetime,
    limit: TimeLimit,
    *,
    warn_fraction: float = DEFAULT_WARN_FRACTION,
) -> StepDeadline:
    """The deadline of a step that starts at ``start`` with ``limit``."""
    _check_fraction(warn_fraction)
    allowance = calendar.allowance(limit.amount, limit.unit)
    due = calendar.add_duration(start, allowance, working_time=limit.working_time)
    warn = calendar.add_duration(
        start, _fraction_of(allowance, warn_fraction), working_time=limit.working_time
    )
    # the warning lies between start and due, so the due computation saw every day it used
    return StepDeadline(due.due, warn.due, due.provisional, limit.working_time)


def remaining_after_suspension(
    calendar: WorkCalendar, deadline: StepDeadline, suspended_at: datetime
) -> RemainingAllowance:
    """What is left of ``deadline``'s allowance when its clock stops at ``suspended_at``."""
    working_time = deadline.working_time
    until_due = _span(calendar, suspended_at, deadline.due_at, working_time=working_time)
    until_warning = _span(calendar, suspended_at, deadline.warn_at, working_time=working_time)
    zero = timedelta(0)
    return RemainingAllowance(
        until_due=max(zero, until_due),
        until_warning=max(zero, until_warning),
        working_time=working_time,
        provisional=deadline.provisional,
    )


def resume_deadline(
    calendar: WorkCalendar, remaining: RemainingAllowance, resumed_at: datetime
) -> StepDeadline:
    """The deadline once the clock runs again from ``resumed_at`` with what was left."""
    working_time = remaining.working_time
    due = calendar.add_duration(resumed_at, remaining.until_due, working_time=working_time)
    warn = calendar.add_duration(resumed_at, remaining.until_warning, working_time=working_time)
    return StepDeadline(
        due.due, warn.due, remaining.provisional or due.provisional, working_time=working_time
    )


def extend(
    calendar: WorkCalendar,
    deadline: StepDeadline,
    new_due: datetime,
    *,
    approved_at: datetime,
    original: StepDeadline | None = None,
    warn_fraction: float = DEFAULT_WARN_FRACTION,
) -> ExtendedDeadline:
    """Move ``deadline`` to ``new_due`` (an approved 延期), keeping the original for scoring.

    The new warning comes when ``warn_fraction`` of the time from the approval to the new due
    instant is used, so the department is warned again before the extended deadline. For a second
    extension pass the ``original`` kept from the first: scoring judges against the very first.
    """
    _check_fraction(warn_fraction)
    if new_due.tzinfo is None or approved_at.tzinfo is None:
        raise ValueError("give the new due instant and the approval instant with a time zone")
    if new_due <= deadline.due_at:
        raise ValueError(
            f"an extension must move the deadline later: {new_due.isoformat()} is not after "
            f"{deadline.due_at.isoformat()}"
        )
    if new_due <= approved_at:
        raise ValueError("an extension must end after it is approved")
    working_time = deadline.working_time
    granted = _span(calendar, approved_at, new_due, working_time=working_time)
    warn = calendar.add_duration(
        approved_at, _fraction_of(granted, warn_fraction), working_time=working_time
    )
    provisional = working_time and bool(calendar.assumed_days(approved_at, new_due))
    current = StepDeadline(new_due.astimezone(UTC), warn.due, provisional, working_time)
    return ExtendedDeadline(current, original if original is not None else deadline)


def extend_by(
    calendar: WorkCalendar,
    deadline: StepDeadline,
    limit: TimeLimit,
    *,
    approved_at: datetime,
    original: StepDeadline | None = None,
    warn_fraction: float = DEFAULT_WARN_FRACTION,
) -> ExtendedDeadline:
    """Extend ``deadline`` by ``limit`` from its current due instant ("延期 3 个工作日")."""
    new_due = calendar.add(deadline.due_at, limit.amount, limit.unit).due
    return extend(
        calendar,
        deadline,
        new_due,
        approved_at=approved_at,
        original=original,
        warn_fraction=warn_fraction,
    )


# The step whose clock runs while a case is in each state (domain.md §2–3). The handling clock
# runs from dispatch, signed or not, so a department cannot stop it by not signing; a suspended
# case's clocks are paused; finished cases have none.
_RUNNING_STEP: dict[CaseState, DeadlineStep | None] = {
    CaseState.reported: DeadlineStep.accept,
    CaseState.registered: DeadlineStep.dispatch,
    CaseState.returned: DeadlineStep.dispatch,
    CaseState.reopened: DeadlineStep.dispatch,
    CaseState.dispatched: DeadlineStep.handle,
    CaseState.in_progress: DeadlineStep.handle,
    CaseState.suspended: None,
    CaseState.feedback_given: DeadlineStep.verify,
    CaseState.closed: DeadlineStep.follow_up,
    CaseState.followed_up: None,
    CaseState.rejected: None,
}


def running_step(state: CaseState) -> DeadlineStep | None:
    """The step whose deadline runs while a case is in ``state`` (None: no clock runs)."""
    return _RUNNING_STEP[state]


class DeadlineStatus(StrEnum):
    on_time = "on_time"
    warning = "warning"  # 预警: past the warning instant
    overdue = "overdue"  # 超期: at or past the due instant


def deadline_status(now: datetime, warn_at: datetime, due_at: datetime) -> DeadlineStatus:
    """Where ``now`` stands against a step's deadline. The due instant itself is overdue: the
    allowance is used up then (the same boundary the overdue counts query)."""
    if now >= due_at:
        return DeadlineStatus.overdue
    if now >= warn_at:
        return DeadlineStatus.warning
    return DeadlineStatus.on_time
