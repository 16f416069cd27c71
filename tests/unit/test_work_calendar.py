"""The work calendar: China's working days and the centre's hours, and arithmetic in that time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridconsole.domain.enums import TimeUnit
from gridconsole.domain.work_calendar import (
    DayKind,
    DaySource,
    DayStatus,
    WorkCalendar,
    official_day,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIODS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]
HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)

# 2027's New Year as an administrator would enter it, with a made-up make-up Sunday (2027-01-03)
NOTICE_2027 = {
    date(2027, 1, 1): DayKind.holiday,
    date(2027, 1, 2): DayKind.holiday,
    date(2027, 1, 3): DayKind.workday,
    date(2027, 1, 4): DayKind.workday,
}

# built once: each calendar caches its day statuses, and Hypothesis calls these thousands of times
DEFAULT = WorkCalendar(DEFAULT_PERIODS, SHANGHAI)
WITH_NOTICE = WorkCalendar(DEFAULT_PERIODS, SHANGHAI, NOTICE_2027)
# odd periods (seconds, three of them) in another zone, so nothing leans on 08:30/7.5 h
ODD = WorkCalendar(
    [(time(7, 0, 15), time(9, 0)), (time(9, 30), time(12, 45, 30)), (time(20, 0), time(23, 0))],
    ZoneInfo("Europe/Berlin"),
    {date(2026, 5, 2): DayKind.workday, date(2026, 5, 4): DayKind.holiday},
)
CALENDARS = st.sampled_from([DEFAULT, WITH_NOTICE, ODD])


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    """A local Shanghai instant."""
    return datetime(year, month, day, hour, minute, second, us, tzinfo=SHANGHAI)


def local(instant: datetime) -> datetime:
    return instant.astimezone(SHANGHAI)


# -- an independent, slow model of working time -------------------------------------------------


def oracle_working_time(calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end), summed day by day over the periods' overlaps."""
    zone = calendar.zone
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = timedelta(0)
    day = first
    while day <= last:
        if calendar.day_status(day).working:
            for period_start, period_end in calendar.periods:
                low = datetime.combine(day, period_start, tzinfo=zone)
                high = datetime.combine(day, period_end, tzinfo=zone)
                overlap = min(high, end) - max(low, start)
                total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


def oracle_is_working(calendar: WorkCalendar, instant: datetime) -> bool:
    moment = instant.astimezone(calendar.zone)
    if not calendar.day_status(moment.date()).working:
        return False
    wall = moment.time()
    return any(start <= wall < end for start, end in calendar.periods)


# -- strategies ---------------------------------------------------------------------------------

ZONES = st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/New_York")])
# 2025–2028: covered years, the festivals, and the uncovered 2027 and 2028
instants = st.builds(
    lambda naive, zone: naive.replace(tzinfo=UTC).astimezone(zone),
    # Hypothesis wants naive bounds; the zone is attached just above
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),  # noqa: DTZ001
    ZONES,
)
# instants on whole minutes often land exactly on period boundaries, where conventions bite
minute_instants = st.builds(
    lambda day, minutes: (
        datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    ),
    st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 3, 1)),
    st.sampled_from([0, 510, 720, 810, 1050, 1439]) | st.integers(0, 1439),
)
any_instant = instants | minute_instants
working_units = st.sampled_from([TimeUnit.working_hours, TimeUnit.working_days])


# -- days -----------------------------------------------------------------------------------------


def test_official_day_follows_the_notice_and_never_raises() -> None:
    assert official_day(date(2026, 2, 14)) is True  # Saturday, make-up day for the Spring Festival
    assert official_day(date(2026, 2, 17)) is False
    assert official_day(date(2026, 2, 18)) is False
    assert official_day(date(2027, 1, 4)) is None  # the package has no 2027
    assert official_day(date(2003, 6, 2)) is None


def test_day_status_sources_in_order_of_precedence() -> None:
    assert DEFAULT.day_status(date(2026, 10, 10)) == DayStatus(
        date(2026, 10, 10), working=True, source=DaySource.official
    )
    assert DEFAULT.day_status(date(2027, 1, 1)) == DayStatus(
        date(2027, 1, 1),
        working=True,
        source=DaySource.assumed,  # a Friday, assumed worked
    )
    assert DEFAULT.day_status(date(2027, 1, 2)).source is DaySource.assumed
    assert DEFAULT.day_status(date(2027, 1, 2)).working is False
    assert WITH_NOTICE.day_status(date(2027, 1, 1)) == DayStatus(
        date(2027, 1, 1), working=False, source=DaySource.override
    )
    assert WITH_NOTICE.day_status(date(2027, 1, 3)).working is True
    # a hand-entered day beats the notice too
    overridden = WorkCalendar(DEFAULT_PERIODS, SHANGHAI, {date(2026, 2, 14): DayKind.holiday})
    assert overridden.day_status(date(2026, 2, 14)) == DayStatus(
        date(2026, 2, 14), working=False, source=DaySource.override
    )


def test_override_keys_given_as_datetimes_still_match() -> None:
    calendar = WorkCalendar(
        DEFAULT_PERIODS, SHANGHAI, {datetime(2027, 1, 1, tzinfo=UTC): DayKind.holiday}
    )
    assert calendar.day_status(date(2027, 1, 1)).source is DaySource.override


def test_day_status_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        DEFAULT.day_status(at(2026, 1, 5, 9))


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_covered_days_agree_with_chinese_calendar(day: date) -> None:
    status = DEFAULT.day_status(day)
    assert status.source is DaySource.official
    assert status.working is chinese_calendar.is_workday(day)


@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2100, 12, 31)))
def test_uncovered_days_are_monday_to_friday_and_assumed(day: date) -> None:
    status = DEFAULT.day_status(day)
    assert status.source is DaySource.assumed
    assert status.working is (day.weekday() < 5)


def test_assumed_days_lists_the_uncovered_days_in_between() -> None:
    assert DEFAULT.assumed_days(at(2026, 12, 28, 9), at(2026, 12, 31, 17)) == ()
    assert DEFAULT.assumed_days(at(2026, 12, 31, 9), at(2027, 1, 3, 9)) == (
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    )
    # the hand-entered days are known; either order of the instants
    assert WITH_NOTICE.assumed_days(at(2027, 1, 6, 9), at(2026, 12, 31, 9)) == (
        date(2027, 1, 5),
        date(2027, 1, 6),
    )


# -- fixed cases ------------------------------------------------------------------------------------


def test_friday_afternoon_case_runs_into_monday() -> None:
    """Dispatched Friday 16:55 with 1 working hour: 35 minutes Friday, 25 Monday morning."""
    deadline = DEFAULT.add(at(2026, 11, 27, 16, 55), 1, TimeUnit.working_hours)
    assert local(deadline.due) == at(2026, 11, 30, 8, 55)
    assert deadline.due.tzinfo is UTC
    assert deadline.provisional is False
    # with an afternoon that ends at 17:00, only 5 minutes are left on Friday
    early_close = WorkCalendar([(time(8, 30), time(12)), (time(13, 30), time(17))], SHANGHAI)
    assert local(early_close.add(at(2026, 11, 27, 16, 55), 1, TimeUnit.working_hours).due) == at(
        2026, 11, 30, 9, 25
    )


def test_working_days_keep_the_time_of_day_or_end_the_day() -> None:
    assert local(DEFAULT.add(at(2026, 11, 27, 16, 55), 1, TimeUnit.working_days).due) == at(
        2026, 11, 30, 16, 55
    )
    # from the evening the first day is all of Monday
    assert local(DEFAULT.add(at(2026, 11, 27, 19, 0), 1, TimeUnit.working_days).due) == at(
        2026, 11, 30, 17, 30
    )
    # 13 working days (投诉/举报) from Monday 2026-11-16 10:00: 13 weekdays on
    assert local(DEFAULT.add(at(2026, 11, 16, 10), 13, TimeUnit.working_days).due) == at(
        2026, 12, 3, 10
    )


def test_an_allowance_that_ends_with_a_period_falls_due_at_its_end() -> None:
    assert local(DEFAULT.add(at(2026, 11, 30, 8, 30), 3, TimeUnit.working_hours).due) == at(
        2026, 11, 30, 11, 30
    )
    due = DEFAULT.add_duration(at(2026, 11, 30, 8, 30), timedelta(hours=3.5), working_time=True)
    assert local(due.due) == at(2026, 11, 30, 12, 0)  # not 13:30
    assert local(DEFAULT.add(at(2026, 11, 30, 13, 30), 4, TimeUnit.working_hours).due) == at(
        2026, 11, 30, 17, 30
    )  # not 08:30 Tuesday
    # at the lunch break the clock waits: 12:00 and 13:30 are the same point in working time
    assert DEFAULT.add(at(2026, 11, 30, 12), 1, TimeUnit.working_hours) == DEFAULT.add(
        at(2026, 11, 30, 13, 30), 1, TimeUnit.working_hours
    )


def test_spring_festival_2026() -> None:
    festival = [
        day
        for day in chinese_calendar.get_dates(date(2026, 2, 1), date(2026, 3, 10))
        if chinese_calendar.get_holiday_detail(day) == (True, "Spring Festival")
    ]
    assert festival, "the package should know the 2026 Spring Festival"
    assert all(not DEFAULT.day_status(day).working for day in festival)
    assert date(2026, 2, 14).weekday() == 5
    assert DEFAULT.day_status(date(2026, 2, 14)).working  # 调休: the Saturday is worked
    back_at_work = max(festival) + timedelta(days=1)
    assert DEFAULT.day_status(back_at_work).working

    # Friday 16:00 + 1 working day: the make-up Saturday, same time
    assert local(DEFAULT.add(at(2026, 2, 13, 16), 1, TimeUnit.working_days).due) == at(
        2026, 2, 14, 16
    )
    # Saturday 16:00 + 3 working hours: 1.5 h on the make-up day, 1.5 h after the festival
    due = DEFAULT.add(at(2026, 2, 14, 16), 3, TimeUnit.working_hours).due
    assert local(due) == datetime.combine(back_at_work, time(10, 0), tzinfo=SHANGHAI)
    # three working days from Thursday 2026-02-12 10:00, by the package's own list of workdays
    workdays = chinese_calendar.get_workdays(date(2026, 2, 13), date(2026, 3, 10))
    due = DEFAULT.add(at(2026, 2, 12, 10), 3, TimeUnit.working_days).due
    assert local(due) == datetime.combine(workdays[2], time(10), tzinfo=SHANGHAI)
    # the festival holds no working time at all
    first_rest = datetime.combine(date(2026, 2, 14), time(17, 30), tzinfo=SHANGHAI)
    resumed = datetime.combine(back_at_work, time(8, 30), tzinfo=SHANGHAI)
    assert DEFAULT.working_seconds_between(first_rest, resumed) == 0


def test_national_day_2026_and_its_make_up_days() -> None:
    for make_up in (date(2026, 9, 20), date(2026, 10, 10)):
        assert make_up.weekday() >= 5
        assert DEFAULT.day_status(make_up) == DayStatus(make_up, True, DaySource.official)
    for day in chinese_calendar.get_dates(date(2026, 10, 1), date(2026, 10, 7)):
        assert not DEFAULT.day_status(day).working
    # Wednesday 2026-09-30 15:00 + 1 working day → Thursday 2026-10-08 15:00
    assert local(DEFAULT.add(at(2026, 9, 30, 15), 1, TimeUnit.working_days).due) == at(
        2026, 10, 8, 15
    )
    # Friday 2026-10-09 15:00 + 1 working day → the make-up Saturday 2026-10-10
    assert local(DEFAULT.add(at(2026, 10, 9, 15), 1, TimeUnit.working_days).due) == at(
        2026, 10, 10, 15
    )
    # Saturday 2026-09-19 (rest) + 2 working hours → the make-up Sunday 2026-09-20
    assert local(DEFAULT.add(at(2026, 9, 19, 10), 2, TimeUnit.working_hours).due) == at(
        2026, 9, 20, 10, 30
    )


def test_late_december_case_runs_into_2027_without_a_notice() -> None:
    start = at(2026, 12, 28, 10)
    within = DEFAULT.add(start, 3, TimeUnit.working_days)
    assert local(within.due) == at(2026, 12, 31, 10)
    assert within.provisional is False  # only 2026 days used
    # five working days: 29, 30, 31 Dec, then 2027-01-01 assumed a working Friday (in reality a
    # holiday), then Monday 4 Jan
    across = DEFAULT.add(start, 5, TimeUnit.working_days)
    assert local(across.due) == at(2027, 1, 4, 10)
    assert across.provisional is True


def test_late_december_case_with_a_hand_entered_notice() -> None:
    start = at(2026, 12, 28, 10)
    # 29, 30, 31 Dec; 1 and 2 Jan holidays; 3 Jan the make-up Sunday; 4 Jan
    deadline = WITH_NOTICE.add(start, 5, TimeUnit.working_days)
    assert local(deadline.due) == at(2027, 1, 4, 10)
    assert deadline.provisional is False  # every day used was entered by hand
    assert WITH_NOTICE.add(start, 4, TimeUnit.working_days) == type(deadline)(
        at(2027, 1, 3, 10).astimezone(UTC), False
    )
    # one more day reaches 5 January, which nobody has entered
    later = WITH_NOTICE.add(start, 6, TimeUnit.working_days)
    assert local(later.due) == at(2027, 1, 5, 10)
    assert later.provisional is True
    # New Year a holiday without the make-up day: the deadline moves to 5 January
    holiday_only = WorkCalendar(DEFAULT_PERIODS, SHANGHAI, {date(2027, 1, 1): DayKind.holiday})
    moved = holiday_only.add(start, 5, TimeUnit.working_days)
    assert local(moved.due) == at(2027, 1, 5, 10)
    assert moved.provisional is True


def test_years_far_ahead_do_not_raise() -> None:
    deadline = DEFAULT.add(at(2031, 12, 31, 17), 500, TimeUnit.working_days)
    assert deadline.provisional is True
    assert DEFAULT.working_time_between(at(2031, 12, 31, 17), deadline.due) == 500 * timedelta(
        hours=7.5
    )
    assert DEFAULT.next_working_instant(at(2040, 1, 1, 0)) == at(2040, 1, 2, 8, 30)  # a Monday


def test_calendar_hours_ignore_working_time() -> None:
    deadline = DEFAULT.add(at(2026, 11, 27, 16, 55), 24, TimeUnit.calendar_hours)
    assert local(deadline.due) == at(2026, 11, 28, 16, 55)
    assert DEFAULT.add(at(2027, 1, 1, 23), 2, TimeUnit.calendar_hours).provisional is False


def test_is_working_time_periods_are_half_open() -> None:
    assert DEFAULT.is_working_time(at(2026, 11, 30, 8, 30))
    assert not DEFAULT.is_working_time(at(2026, 11, 30, 8, 29, 59))
    assert not DEFAULT.is_working_time(at(2026, 11, 30, 12, 0))
    assert DEFAULT.is_working_time(at(2026, 11, 30, 11, 59, 59))
    assert not DEFAULT.is_working_time(at(2026, 11, 30, 17, 30))
    assert not DEFAULT.is_working_time(at(2026, 11, 28, 10))  # Saturday
    assert DEFAULT.is_working_time(at(2026, 11, 30, 1, 0).astimezone(UTC) + 8 * HOUR)  # 09:00


def test_next_working_instant() -> None:
    assert DEFAULT.next_working_instant(at(2026, 11, 30, 9)) == at(2026, 11, 30, 9)
    assert DEFAULT.next_working_instant(at(2026, 11, 30, 12)) == at(2026, 11, 30, 13, 30)
    assert DEFAULT.next_working_instant(at(2026, 11, 27, 17, 30)) == at(2026, 11, 30, 8, 30)
    assert DEFAULT.next_working_instant(at(2026, 11, 30, 6)).tzinfo is UTC


def test_working_seconds_between_is_signed_and_truncated() -> None:
    due = at(2026, 11, 30, 12, 0)
    now = at(2026, 11, 30, 10, 17, 49, 500_000)
    assert DEFAULT.working_seconds_between(now, due) == 1 * 3600 + 42 * 60 + 10  # 剩余 1:42:10
    assert DEFAULT.working_seconds_between(due, now) == -(1 * 3600 + 42 * 60 + 10)
    # overdue since Friday 16:00, now Tuesday 10:00: 1.5 h + 7.5 h + 1.5 h
    overdue = DEFAULT.working_seconds_between(at(2026, 11, 27, 16), at(2026, 12, 1, 10))
    assert overdue == 10 * 3600 + 30 * 60


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEFAULT.add(datetime(2026, 11, 30, 9), 1, TimeUnit.working_hours),  # noqa: DTZ001
        lambda: DEFAULT.add(datetime(2026, 11, 30, 9), 1, TimeUnit.calendar_hours),  # noqa: DTZ001
        lambda: DEFAULT.is_working_time(datetime(2026, 11, 30, 9)),  # noqa: DTZ001
        lambda: DEFAULT.next_working_instant(datetime(2026, 11, 30, 9)),  # noqa: DTZ001
        lambda: DEFAULT.working_seconds_between(datetime(2026, 11, 30, 9), at(2026, 12, 1)),  # noqa: DTZ001
        lambda: DEFAULT.working_seconds_between(at(2026, 12, 1), datetime(2026, 11, 30, 9)),  # noqa: DTZ001
        lambda: DEFAULT.assumed_days(datetime(2026, 11, 30, 9), at(2026, 12, 1)),  # noqa: DTZ001
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="naive"):
        call()


def test_negative_amounts_and_bad_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        DEFAULT.add(at(2026, 11, 30, 9), -1, TimeUnit.working_hours)
    with pytest.raises(ValueError, match="at least one"):
        WorkCalendar([], SHANGHAI)
    with pytest.raises(ValueError, match="in order"):
        WorkCalendar([(time(12), time(8))], SHANGHAI)
    with pytest.raises(ValueError, match="in order"):
        WorkCalendar([(time(8), time(12)), (time(11), time(17))], SHANGHAI)


def test_zero_allowance_is_the_start() -> None:
    start = at(2026, 11, 28, 10)  # a Saturday
    assert DEFAULT.add(start, 0, TimeUnit.working_hours).due == start


# -- properties -------------------------------------------------------------------------------------


@given(CALENDARS, any_instant, any_instant)
def test_working_time_matches_a_day_by_day_count(
    calendar: WorkCalendar, start: datetime, end: datetime
) -> None:
    if end < start:
        start, end = end, start
    assert calendar.working_time_between(start, end) == oracle_working_time(calendar, start, end)
    assert calendar.working_time_between(end, start) == -oracle_working_time(calendar, start, end)


@given(CALENDARS, any_instant)
def test_is_working_time_matches_the_model(calendar: WorkCalendar, instant: datetime) -> None:
    assert calendar.is_working_time(instant) is oracle_is_working(calendar, instant)


@given(CALENDARS, any_instant, st.integers(0, 400))
def test_adding_working_hours_then_measuring_round_trips(
    calendar: WorkCalendar, start: datetime, hours: int
) -> None:
    deadline = calendar.add(start, hours, TimeUnit.working_hours)
    assert calendar.working_seconds_between(start, deadline.due) == hours * 3600
    assert deadline.due >= start


@given(CALENDARS, any_instant, st.integers(1, 400), working_units)
def test_working_deadlines_land_in_working_time(
    calendar: WorkCalendar, start: datetime, amount: int, unit: TimeUnit
) -> None:
    """Due instants are in working time or at the end of a period: the moment before is worked.

    That also makes the due instant the earliest one at which the allowance is used up.
    """
    due = calendar.add(start, amount, unit).due
    assert calendar.is_working_time(due - MICROSECOND)
    assert calendar.working_time_between(start, due) == calendar.allowance(amount, unit)


@given(CALENDARS, any_instant, st.integers(1, 400))
def test_a_start_outside_working_time_waits_for_the_next_period(
    calendar: WorkCalendar, start: datetime, hours: int
) -> None:
    opening = calendar.next_working_instant(start)
    assert opening >= start
    assert calendar.is_working_time(opening)
    assert calendar.working_time_between(start, opening) == timedelta(0)
    assert calendar.add(start, hours, TimeUnit.working_hours) == calendar.add(
        opening, hours, TimeUnit.working_hours
    )


@given(CALENDARS, any_instant, st.integers(0, 300), st.integers(0, 300), working_units)
def test_monotonic_in_the_amount(
    calendar: WorkCalendar, start: datetime, first: int, second: int, unit: TimeUnit
) -> None:
    low, high = sorted((first, second))
    assert calendar.add(start, low, unit).due <= calendar.add(start, high, unit).due


@given(CALENDARS, any_instant, any_instant, st.integers(0, 300), working_units)
def test_monotonic_in_the_start(
    calendar: WorkCalendar, first: datetime, second: datetime, amount: int, unit: TimeUnit
) -> None:
    early, late = sorted((first, second))
    assert calendar.add(early, amount, unit).due <= calendar.add(late, amount, unit).due


@given(CALENDARS, any_instant, st.integers(0, 60))
def test_a_working_day_is_a_days_worth_of_working_hours(
    calendar: WorkCalendar, start: datetime, days: int
) -> None:
    by_days = calendar.add(start, days, TimeUnit.working_days)
    by_duration = calendar.add_duration(
        start, days * calendar.working_day_length, working_time=True
    )
    assert by_days == by_duration


@given(CALENDARS, any_instant, st.integers(0, 300))
def test_provisional_exactly_when_an_assumed_day_was_used(
    calendar: WorkCalendar, start: datetime, hours: int
) -> None:
    deadline = calendar.add(start, hours, TimeUnit.working_hours)
    zone = calendar.zone
    day = start.astimezone(zone).date()
    used = []
    while day <= deadline.due.astimezone(zone).date():
        used.append(calendar.day_status(day).source)
        day += timedelta(days=1)
    assert deadline.provisional is (DaySource.assumed in used)


@given(CALENDARS, any_instant, st.integers(0, 1000))
def test_calendar_hours_are_elapsed_hours(
    calendar: WorkCalendar, start: datetime, hours: int
) -> None:
    deadline = calendar.add(start, hours, TimeUnit.calendar_hours)
    assert deadline.due - start == timedelta(hours=hours)
    assert deadline.due.tzinfo is UTC
    assert deadline.provisional is False


@settings(max_examples=50)
@given(CALENDARS, any_instant, any_instant, any_instant)
def test_working_time_adds_up(
    calendar: WorkCalendar, first: datetime, second: datetime, third: datetime
) -> None:
    assert calendar.working_time_between(first, second) + calendar.working_time_between(
        second, third
    ) == calendar.working_time_between(first, third)
