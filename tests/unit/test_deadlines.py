"""Step deadlines: warning at 80 %, suspension pauses the clock, extension keeps the original."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain.deadlines import (
    DeadlineStatus,
    ExtendedDeadline,
    RemainingAllowance,
    StepDeadline,
    TimeLimit,
    deadline_status,
    extend,
    extend_by,
    remaining_after_suspension,
    resume_deadline,
    step_deadline,
)
from gridconsole.domain.enums import TimeUnit
from gridconsole.domain.work_calendar import DayKind, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar([(time(8, 30), time(12)), (time(13, 30), time(17, 30))], SHANGHAI)
WITH_NOTICE = WorkCalendar(
    CALENDAR.periods,
    SHANGHAI,
    dict.fromkeys((date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)), DayKind.holiday),
)
ONE_HOUR = TimeLimit(1, TimeUnit.working_hours)
THIRTEEN_DAYS = TimeLimit(13, TimeUnit.working_days)


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def local(instant: datetime) -> datetime:
    return instant.astimezone(SHANGHAI)


def test_one_working_hour_warns_after_48_minutes() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 11, 27, 16, 55), ONE_HOUR)
    assert local(deadline.due_at) == at(2026, 11, 30, 8, 55)
    # 35 minutes on Friday, 13 more on Monday
    assert local(deadline.warn_at) == at(2026, 11, 30, 8, 43)
    assert deadline.provisional is False
    assert deadline.working_time is True
    assert deadline.due_at.tzinfo is UTC
    assert deadline.warn_at.tzinfo is UTC


def test_thirteen_working_days_warn_after_ten_and_two_fifths() -> None:
    start = at(2026, 11, 16, 10)  # a Monday
    deadline = step_deadline(CALENDAR, start, THIRTEEN_DAYS)
    assert local(deadline.due_at) == at(2026, 12, 3, 10)
    # 0.8 × 13 × 7.5 h = 78 h = 10 working days and 3 hours: 10 days on is Monday 30 Nov 10:00,
    # then 2 h to 12:00 and 1 h after lunch
    assert local(deadline.warn_at) == at(2026, 11, 30, 14, 30)
    assert CALENDAR.working_time_between(start, deadline.warn_at) == timedelta(hours=78)


def test_calendar_hours_warn_in_elapsed_time() -> None:
    start = at(2026, 11, 27, 16, 55)
    deadline = step_deadline(CALENDAR, start, TimeLimit(24, TimeUnit.calendar_hours))
    assert deadline.due_at == start + timedelta(hours=24)
    assert deadline.warn_at == start + timedelta(hours=19, minutes=12)
    assert deadline.working_time is False
    assert deadline.provisional is False


def test_other_warning_fractions() -> None:
    start = at(2026, 11, 30, 9)
    assert step_deadline(CALENDAR, start, ONE_HOUR, warn_fraction=1).warn_at == local(
        at(2026, 11, 30, 10)
    )
    assert step_deadline(CALENDAR, start, ONE_HOUR, warn_fraction=0).warn_at == start
    assert local(step_deadline(CALENDAR, start, ONE_HOUR, warn_fraction=0.5).warn_at) == at(
        2026, 11, 30, 9, 30
    )
    with pytest.raises(ValueError, match="between 0 and 1"):
        step_deadline(CALENDAR, start, ONE_HOUR, warn_fraction=1.2)


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        TimeLimit(-1, TimeUnit.working_days)


def test_deadline_into_2027_is_provisional_unless_entered() -> None:
    start = at(2026, 12, 28, 10)
    limit = TimeLimit(5, TimeUnit.working_days)
    assumed = step_deadline(CALENDAR, start, limit)
    assert local(assumed.due_at) == at(2027, 1, 4, 10)
    assert assumed.provisional is True
    entered = step_deadline(WITH_NOTICE, start, TimeLimit(4, TimeUnit.working_days))
    # 29, 30, 31 Dec, then the holidays 1–3 Jan entered by hand, then Monday 4 Jan (assumed)
    assert local(entered.due_at) == at(2027, 1, 4, 10)
    assert entered.provisional is True
    within = step_deadline(WITH_NOTICE, start, TimeLimit(3, TimeUnit.working_days))
    assert within.provisional is False


# -- suspension --------------------------------------------------------------------------------------


def test_suspension_keeps_the_remaining_working_time() -> None:
    start = at(2026, 11, 16, 9)  # Monday
    deadline = step_deadline(CALENDAR, start, TimeLimit(3, TimeUnit.working_days))
    assert local(deadline.due_at) == at(2026, 11, 19, 9)
    # suspended Tuesday 10:00 after 7 h + 1.5 h = 8.5 h used: 14 h remain, 9.5 h to the warning
    remaining = remaining_after_suspension(CALENDAR, deadline, at(2026, 11, 17, 10))
    assert remaining == RemainingAllowance(
        until_due=timedelta(hours=14),
        until_warning=timedelta(hours=9.5),
        working_time=True,
        provisional=False,
    )
    # resumed the next Monday at 14:00: 3.5 h that day, 7.5 h Tuesday, 3 h Wednesday
    resumed = resume_deadline(CALENDAR, remaining, at(2026, 11, 23, 14))
    assert local(resumed.due_at) == at(2026, 11, 25, 11, 30)
    # the warning: 3.5 h Monday, 6 h Tuesday (3.5 before lunch, 2.5 after)
    assert local(resumed.warn_at) == at(2026, 11, 24, 16)
    assert resumed.provisional is False


def test_suspension_after_the_warning_resumes_in_warning() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 11, 30, 9), ONE_HOUR)
    remaining = remaining_after_suspension(CALENDAR, deadline, at(2026, 11, 30, 9, 50))
    assert remaining.until_warning == timedelta(0)
    assert remaining.until_due == timedelta(minutes=10)
    resumed = resume_deadline(CALENDAR, remaining, at(2026, 12, 2, 15))
    assert resumed.warn_at == at(2026, 12, 2, 15)
    assert local(resumed.due_at) == at(2026, 12, 2, 15, 10)


def test_suspension_after_the_due_instant_resumes_already_due() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 11, 30, 9), ONE_HOUR)
    remaining = remaining_after_suspension(CALENDAR, deadline, at(2026, 11, 30, 15))
    assert remaining.until_due == timedelta(0)
    resumed = resume_deadline(CALENDAR, remaining, at(2026, 12, 2, 15))
    assert resumed.due_at == at(2026, 12, 2, 15)


def test_suspension_of_a_calendar_hours_limit_counts_elapsed_time() -> None:
    start = at(2026, 11, 27, 20)
    deadline = step_deadline(CALENDAR, start, TimeLimit(24, TimeUnit.calendar_hours))
    remaining = remaining_after_suspension(CALENDAR, deadline, start + timedelta(hours=10))
    assert remaining.until_due == timedelta(hours=14)
    assert remaining.working_time is False
    resumed = resume_deadline(CALENDAR, remaining, at(2026, 11, 30, 3))
    assert local(resumed.due_at) == at(2026, 11, 30, 17)


def test_a_provisional_deadline_stays_provisional_through_a_suspension() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 12, 28, 10), TimeLimit(5, TimeUnit.working_days))
    remaining = remaining_after_suspension(CALENDAR, deadline, at(2026, 12, 29, 10))
    assert remaining.provisional is True
    assert resume_deadline(CALENDAR, remaining, at(2026, 12, 29, 11)).provisional is True


instants = st.builds(
    lambda day, minutes: (
        datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    ),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 2, 1)),
    st.integers(0, 1439),
)
limits = st.builds(
    TimeLimit,
    st.integers(0, 30),
    st.sampled_from(list(TimeUnit)),
)


@given(instants, limits, st.floats(0, 1), st.floats(0, 1.2), st.integers(0, 20_000))
def test_time_used_before_and_after_a_suspension_adds_up_to_the_allowance(
    start: datetime, limit: TimeLimit, suspend_share: float, overshoot: float, pause_minutes: int
) -> None:
    deadline = step_deadline(CALENDAR, start, limit)
    allowance = CALENDAR.allowance(limit.amount, limit.unit)
    suspended_at = start + (deadline.due_at - start) * suspend_share * overshoot
    resumed_at = suspended_at + timedelta(minutes=pause_minutes)
    remaining = remaining_after_suspension(CALENDAR, deadline, suspended_at)
    resumed = resume_deadline(CALENDAR, remaining, resumed_at)

    def measure(first: datetime, second: datetime) -> timedelta:
        if limit.working_time:
            return CALENDAR.working_time_between(first, second)
        return second - first

    used = measure(start, suspended_at)
    if used <= allowance:
        assert used + measure(resumed_at, resumed.due_at) == allowance
    else:  # suspended when already overdue
        assert resumed.due_at == resumed_at
    assert resumed_at <= resumed.warn_at <= resumed.due_at


@given(instants, limits, st.floats(0, 1))
def test_the_warning_comes_at_its_share_of_the_allowance(
    start: datetime, limit: TimeLimit, fraction: float
) -> None:
    deadline = step_deadline(CALENDAR, start, limit, warn_fraction=fraction)
    allowance = CALENDAR.allowance(limit.amount, limit.unit)
    if limit.working_time:
        used = CALENDAR.working_time_between(start, deadline.warn_at)
    else:
        used = deadline.warn_at - start
    assert abs(used - allowance * fraction) <= timedelta(seconds=0.5)
    assert start <= deadline.warn_at <= deadline.due_at


# -- extension ---------------------------------------------------------------------------------------


def test_extension_moves_the_deadline_and_keeps_the_original() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 11, 16, 9), TimeLimit(3, TimeUnit.working_days))
    approved_at = at(2026, 11, 18, 16)
    extended = extend(CALENDAR, deadline, at(2026, 11, 24, 17, 30), approved_at=approved_at)
    assert extended.original == deadline
    assert local(extended.current.due_at) == at(2026, 11, 24, 17, 30)
    # 1.5 h Wed + 7.5 h Thu, Fri, Mon + 7.5 h Tue = 31.5 h granted; warned after 25.2 h:
    # 1.5 + 7.5 + 7.5 + 7.5 = 24 h by Monday's close, then 1 h 12 min on Tuesday
    assert local(extended.current.warn_at) == at(2026, 11, 24, 9, 42)
    assert extended.current.provisional is False

    # a second extension is still scored against the first deadline
    again = extend(
        CALENDAR,
        extended.current,
        at(2026, 11, 26, 17, 30),
        approved_at=at(2026, 11, 24, 11),
        original=extended.original,
    )
    assert again.original == deadline
    assert isinstance(again, ExtendedDeadline)


def test_extension_by_a_time_limit() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 9, 28, 10), TimeLimit(2, TimeUnit.working_days))
    assert local(deadline.due_at) == at(2026, 9, 30, 10)
    extended = extend_by(
        CALENDAR, deadline, TimeLimit(3, TimeUnit.working_days), approved_at=at(2026, 9, 29, 10)
    )
    # from 30 Sep: 8, 9 and 10 (the make-up Saturday) October
    assert local(extended.current.due_at) == at(2026, 10, 10, 10)


def test_extension_into_2027_is_provisional() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 12, 21, 10), TimeLimit(5, TimeUnit.working_days))
    extended = extend(CALENDAR, deadline, at(2027, 1, 6, 17, 30), approved_at=at(2026, 12, 24))
    assert extended.current.provisional is True
    assert extended.original.provisional is False


def test_an_extension_must_move_the_deadline_later() -> None:
    deadline = step_deadline(CALENDAR, at(2026, 11, 16, 9), TimeLimit(3, TimeUnit.working_days))
    with pytest.raises(ValueError, match="later"):
        extend(CALENDAR, deadline, deadline.due_at, approved_at=at(2026, 11, 17, 9))
    with pytest.raises(ValueError, match="after it is approved"):
        extend(CALENDAR, deadline, at(2026, 11, 20, 9), approved_at=at(2026, 11, 21, 9))
    with pytest.raises(ValueError, match="time zone"):
        extend(
            CALENDAR,
            deadline,
            datetime(2026, 11, 25, 9),  # noqa: DTZ001
            approved_at=at(2026, 11, 17, 9),
        )


def test_step_deadline_refuses_naive_starts() -> None:
    with pytest.raises(ValueError, match="naive"):
        step_deadline(CALENDAR, datetime(2026, 11, 16, 9), ONE_HOUR)  # noqa: DTZ001


def test_step_deadline_default_kind_is_working_time() -> None:
    # the services may rebuild a stored deadline from its two instants
    stored = StepDeadline(at(2026, 11, 30, 10), at(2026, 11, 30, 9, 48), provisional=False)
    assert stored.working_time is True


def test_time_used_on_an_assumed_day_before_a_suspension_keeps_the_flag() -> None:
    # February 2027 entered by hand (weekdays worked), January not: time used on an assumed
    # Friday before the suspension may not have been working time at all
    february = {
        date(2027, 2, 1) + timedelta(days=offset): DayKind.workday
        if (date(2027, 2, 1) + timedelta(days=offset)).weekday() < 5
        else DayKind.holiday
        for offset in range(28)
    }
    calendar = WorkCalendar(CALENDAR.periods, SHANGHAI, february)
    deadline = step_deadline(calendar, at(2027, 1, 29, 9), TimeLimit(2, TimeUnit.working_days))
    remaining = remaining_after_suspension(calendar, deadline, at(2027, 1, 29, 11))
    resumed = resume_deadline(calendar, remaining, at(2027, 2, 2, 9))
    assert calendar.assumed_days(at(2027, 2, 2, 9), resumed.due_at) == ()
    assert resumed.provisional is True


def test_urgent_limits_in_calendar_minutes_run_day_and_night() -> None:
    night = datetime(2026, 11, 28, 23, 50, tzinfo=SHANGHAI)  # a Saturday night
    deadline = step_deadline(CALENDAR, night, TimeLimit(15, TimeUnit.calendar_minutes))
    assert deadline.due_at == datetime(2026, 11, 29, 0, 5, tzinfo=SHANGHAI)
    assert deadline.warn_at == datetime(2026, 11, 29, 0, 2, tzinfo=SHANGHAI)
    assert not deadline.provisional
    assert not deadline.working_time


def test_deadline_status_boundaries() -> None:
    warn = datetime(2026, 11, 30, 1, 18, tzinfo=UTC)
    due = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    assert deadline_status(warn - timedelta(microseconds=1), warn, due) is DeadlineStatus.on_time
    assert deadline_status(warn, warn, due) is DeadlineStatus.warning
    assert deadline_status(due - timedelta(microseconds=1), warn, due) is DeadlineStatus.warning
    assert deadline_status(due, warn, due) is DeadlineStatus.overdue
