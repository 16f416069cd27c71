"""China's working time: which days are worked, which hours, and arithmetic in that time.

Working days follow the State Council's holiday notices with their 调休 make-up days, through
``chinesecalendar``. An administrator's hand-entered days (``overrides``) take precedence, so next
year's notice can be entered before the package knows it; where neither source knows a date
(``chinesecalendar`` covers 2004–2026 in 1.11.0), Monday–Friday is *assumed* and every deadline
that used such a day is *provisional*. Nothing here raises on a missing year: the timers run on it.

Working hours are the centre's local periods (default 08:30–12:00 and 13:30–17:30, 7.5 hours).

Conventions, chosen once for every operation:

* All instants are timezone-aware (naive ones raise :class:`ValueError`); they are read in the
  calendar's zone and results are returned in UTC. Periods are wall-clock times of that zone
  (China keeps no daylight saving; elsewhere a period spanning a clock change is counted on the
  wall clock).
* A period is half-open for :meth:`WorkCalendar.is_working_time`: 12:00 and 17:30 are not working
  time, 08:30 and 13:30 are. A *deadline*, however, is the earliest instant at which its allowance
  is used up, so an allowance that ends exactly with a period falls due at the period's end (12:00,
  17:30), never at the start of the next period: "due at 17:30 Friday", not "08:30 Monday".
* "N working days" is N × (working time of one day) of working time, as 12345 and 数字城管 rules
  count it: from a working instant it is the same time of day N working days later; from outside
  working hours (evening, holiday) it is the end of the Nth working day.
* The calendar is immutable; when calendar data changes, build a new one (and recompute). That is
  what makes the per-instance cache of day statuses safe.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the package ships no type hints

from gridconsole.domain.enums import TimeUnit

_US_PER_SECOND = 1_000_000
_ONE_US = timedelta(microseconds=1)


class DayKind(StrEnum):
    """What a hand-entered day is (the values are what the database stores)."""

    workday = "workday"
    holiday = "holiday"  # any day not worked: 法定节假日, 调休 rest days, weekends


class DaySource(StrEnum):
    """Where a day's status came from, most authoritative first."""

    override = "override"  # entered by an administrator
    official = "official"  # the State Council notice, through chinesecalendar
    assumed = "assumed"  # nobody knows: Monday–Friday assumed, deadlines provisional


@dataclass(frozen=True)
class DayStatus:
    day: date
    working: bool
    source: DaySource


@dataclass(frozen=True)
class Deadline:
    """An instant (UTC) and whether it rests on an assumed day, so may move once the notice is in."""

    due: datetime
    provisional: bool


def official_day(day: date) -> bool | None:
    """Whether ``day`` is a working day by the State Council notices; ``None`` where unknown.

    Never raises: ``chinesecalendar`` raises ``NotImplementedError`` outside the years it covers.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@functools.cache
def _official_year(year: int) -> tuple[bool, ...] | None:
    """Every day of ``year`` by the notices, or ``None`` when the package does not cover the year.

    Cached for the process (the package's data never changes while it runs): ``is_workday`` costs
    ~18 µs a call, too much to pay per deadline. Coverage is by whole years, so the first day
    answers for the year.
    """
    first = date(year, 1, 1)
    if official_day(first) is None:
        return None
    days = (date.fromordinal(first.toordinal() + i) for i in range(_days_in_year(year)))
    return tuple(bool(official_day(day)) for day in days)


def _days_in_year(year: int) -> int:
    return date(year, 12, 31).timetuple().tm_yday


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give a time zone")
    return instant


def _microseconds_of_day(moment: time | datetime) -> int:
    seconds = (moment.hour * 60 + moment.minute) * 60 + moment.second
    return seconds * _US_PER_SECOND + moment.microsecond


class _YearTable:
    """One year's day statuses as prefix sums, so counting and finding working days is O(log n)."""

    __slots__ = ("assumed", "assumed_before", "first_ordinal", "working", "working_before", "year")

    def __init__(self, year: int, working: bytes, assumed: bytes) -> None:
        self.year = year
        self.first_ordinal = date(year, 1, 1).toordinal()
        self.working = working
        self.assumed = assumed
        # working_before[i]: working days among the year's first i days (len = days + 1)
        self.working_before = [0]
        self.assumed_before = [0]
        for flag in working:
            self.working_before.append(self.working_before[-1] + flag)
        for flag in assumed:
            self.assumed_before.append(self.assumed_before[-1] + flag)

    @property
    def working_days(self) -> int:
        return self.working_before[-1]


class WorkCalendar:
    """Working days and hours of one centre, and arithmetic in working time (see the module doc)."""

    def __init__(
        self,
        periods: Sequence[tuple[time, time]],
        zone: ZoneInfo,
        overrides: Mapping[date, DayKind] | None = None,
    ) -> None:
        bounds = [
            (_microseconds_of_day(start), _microseconds_of_day(end)) for start, end in periods
        ]
        if not bounds:
            raise ValueError("at least one working period is needed")
        previous_end = 0
        for start_us, end_us in bounds:
            if start_us >= end_us or start_us < previous_end:
                raise ValueError("working periods must be in order, not overlap, and not be empty")
            previous_end = end_us
        # (start, end, working time of the day before this period), all in microseconds
        self._periods: tuple[tuple[int, int, int], ...] = tuple(
            (start_us, end_us, sum(e - s for s, e in bounds[:index]))
            for index, (start_us, end_us) in enumerate(bounds)
        )
        self._day_us = sum(end_us - start_us for start_us, end_us in bounds)
        self._period_times = tuple((start, end) for start, end in periods)
        self._zone = zone
        # datetime is a date subclass that hashes differently; keep the keys plain dates
        self._overrides = {
            date(day.year, day.month, day.day): DayKind(kind)
            for day, kind in (overrides or {}).items()
        }
        self._years: dict[int, _YearTable] = {}

    # -- what the calendar is made of ------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def periods(self) -> tuple[tuple[time, time], ...]:
        return self._period_times

    @property
    def overrides(self) -> Mapping[date, DayKind]:
        return dict(self._overrides)

    @property
    def working_day_length(self) -> timedelta:
        """Working time in one working day (7.5 hours by default)."""
        return timedelta(microseconds=self._day_us)

    def allowance(self, amount: int, unit: TimeUnit) -> timedelta:
        """The length of a time limit, in working time for working units, else elapsed time."""
        if amount < 0:
            raise ValueError(f"a time limit cannot be negative: {amount} {unit.value}")
        if unit is TimeUnit.working_days:
            return amount * self.working_day_length
        if unit is TimeUnit.calendar_minutes:
            return timedelta(minutes=amount)
        return timedelta(hours=amount)

    # -- days ------------------------------------------------------------------------------------

    def day_status(self, day: date) -> DayStatus:
        """The day's status: a hand-entered day, else the notice, else Monday–Friday assumed."""
        if isinstance(day, datetime):
            # a datetime's date depends on its zone; the caller must pick the local date
            raise TypeError("day_status takes a date, not a datetime")
        table = self._table(day.year)
        index = day.toordinal() - table.first_ordinal
        if day in self._overrides:
            source = DaySource.override
        elif table.assumed[index]:
            source = DaySource.assumed
        else:
            source = DaySource.official
        return DayStatus(day, bool(table.working[index]), source)

    def assumed_days(self, start: datetime, end: datetime) -> tuple[date, ...]:
        """Local days from ``start``'s to ``end``'s (inclusive, either order) that are assumed."""
        first, _ = self._local(start)
        last, _ = self._local(end)
        if last < first:
            first, last = last, first
        found: list[date] = []
        for year in range(first.year, last.year + 1):
            table = self._table(year)
            low = max(first.toordinal(), table.first_ordinal) - table.first_ordinal
            high = min(last.toordinal(), table.first_ordinal + len(table.assumed) - 1)
            high -= table.first_ordinal
            if table.assumed_before[high + 1] == table.assumed_before[low]:
                continue  # nothing assumed in this stretch: skip the day loop
            found.extend(
                date.fromordinal(table.first_ordinal + index)
                for index in range(low, high + 1)
                if table.assumed[index]
            )
        return tuple(found)

    # -- instants --------------------------------------------------------------------------------

    def is_working_time(self, instant: datetime) -> bool:
        """Whether ``instant`` is inside a working period of a working day (periods half-open)."""
        day, us = self._local(instant)
        if not self._is_working_day(day):
            return False
        return any(start <= us < end for start, end, _ in self._periods)

    def next_working_instant(self, instant: datetime) -> datetime:
        """``instant`` itself (in UTC) when it is working time, else the next period's start."""
        day, us = self._local(instant)
        if self._is_working_day(day):
            for start, end, _ in self._periods:
                if us < end:
                    return instant.astimezone(UTC) if us >= start else self._instant(day, start)
        following = self._nth_working_day(day + timedelta(days=1), 0)
        return self._instant(following, self._periods[0][0])

    def add(self, start: datetime, amount: int, unit: TimeUnit) -> Deadline:
        """The instant ``amount`` ``unit`` after ``start`` (see the module doc for the conventions).

        ``working_hours``: that many hours of working time. ``working_days``: that many times the
        working time of one day (12345 / 数字城管 practice), so 1 working day from Friday 10:00 is
        Monday 10:00, and from Friday 19:00 it is Monday 17:30. ``calendar_hours``: plain elapsed
        hours, ignoring working time (urgent limits); never provisional.
        """
        return self.add_duration(
            start, self.allowance(amount, unit), working_time=unit.working_time
        )

    def add_duration(self, start: datetime, duration: timedelta, *, working_time: bool) -> Deadline:
        """The earliest instant at or after ``start`` by which ``duration`` has run.

        Counted in working time when ``working_time``, else in elapsed time. A zero duration is
        ``start`` itself. The deadline is provisional when a day from ``start``'s local day to the
        due day had to be assumed.
        """
        _aware(start)
        if duration < timedelta(0):
            raise ValueError(f"a duration to add cannot be negative: {duration}")
        if not working_time:
            return Deadline(start.astimezone(UTC) + duration, provisional=False)
        day, us = self._local(start)
        if not duration:
            return Deadline(start.astimezone(UTC), self._any_assumed(day, day))
        position = self._elapsed_in_day(us) if self._is_working_day(day) else 0
        target = position + duration // _ONE_US
        # the earliest instant reaching ``target``: a day offset and a time into that day's
        # working time in (0, day], so an exact multiple of a day ends at that day's close
        day_offset, into_day = divmod(target - 1, self._day_us)
        due_day = self._nth_working_day(day, day_offset)
        due = self._instant(due_day, self._time_of_working_offset(into_day + 1))
        return Deadline(due, self._any_assumed(day, due_day))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` comes first."""
        if _aware(end) < _aware(start):
            return -self.working_time_between(end, start)
        start_day, start_us = self._local(start)
        end_day, end_us = self._local(end)
        start_position = self._elapsed_in_day(start_us) if self._is_working_day(start_day) else 0
        end_position = self._elapsed_in_day(end_us) if self._is_working_day(end_day) else 0
        whole_days = self._working_days_between(start_day, end_day)
        microseconds = whole_days * self._day_us + end_position - start_position
        return timedelta(microseconds=microseconds)

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Whole seconds of working time from ``start`` to ``end``, signed, truncated toward zero.

        Signed so one call serves both the countdown (positive: "剩余 1:42:10" until the due
        instant) and the overdue time (negative once the due instant has passed: "超期 2天3小时").
        """
        microseconds = self.working_time_between(start, end) // _ONE_US
        seconds = abs(microseconds) // _US_PER_SECOND
        return seconds if microseconds >= 0 else -seconds

    # -- internals -------------------------------------------------------------------------------

    def _local(self, instant: datetime) -> tuple[date, int]:
        local = _aware(instant).astimezone(self._zone)
        return local.date(), _microseconds_of_day(local)

    def _instant(self, day: date, microseconds: int) -> datetime:
        seconds, micro = divmod(microseconds, _US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        local = datetime(
            day.year, day.month, day.day, hour, minute, second, micro, tzinfo=self._zone
        )
        return local.astimezone(UTC)

    def _elapsed_in_day(self, microseconds: int) -> int:
        """Working time of a working day that has passed at this time of day."""
        for start, end, before in self._periods:
            if microseconds < end:
                return before + max(0, microseconds - start)
        return self._day_us

    def _time_of_working_offset(self, offset: int) -> int:
        """The time of day when ``offset`` (0 < offset ≤ day) of working time has passed."""
        for start, end, before in self._periods:
            if offset <= before + end - start:
                return start + offset - before
        raise AssertionError("offset beyond the working day")  # divmod keeps it in range

    def _table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _YearTable:
        official = _official_year(year)
        first = date(year, 1, 1).toordinal()
        working = bytearray()
        assumed = bytearray()
        for index in range(_days_in_year(year)):
            day = date.fromordinal(first + index)
            kind = self._overrides.get(day)
            if kind is not None:
                working.append(kind is DayKind.workday)
                assumed.append(False)
            elif official is not None:
                working.append(official[index])
                assumed.append(False)
            else:
                working.append(day.weekday() < 5)
                assumed.append(True)
        return _YearTable(year, bytes(working), bytes(assumed))

    def _is_working_day(self, day: date) -> bool:
        table = self._table(day.year)
        return bool(table.working[day.toordinal() - table.first_ordinal])

    def _working_days_between(self, first: date, last: date) -> int:
        """Working days in [first, last) for first ≤ last."""
        table = self._table(first.year)
        start_index = first.toordinal() - table.first_ordinal
        if last.year == first.year:
            return (
                table.working_before[last.toordinal() - table.first_ordinal]
                - (table.working_before[start_index])
            )
        count = table.working_days - table.working_before[start_index]
        for year in range(first.year + 1, last.year):
            count += self._table(year).working_days
        last_table = self._table(last.year)
        return count + last_table.working_before[last.toordinal() - last_table.first_ordinal]

    def _nth_working_day(self, day: date, n: int) -> date:
        """The working day with ``n`` working days between ``day`` (inclusive) and it."""
        table = self._table(day.year)
        wanted = table.working_before[day.toordinal() - table.first_ordinal] + n
        while wanted >= table.working_days:
            wanted -= table.working_days
            table = self._table(table.year + 1)
        # the day whose working_before is ``wanted`` and that is itself worked
        index = bisect.bisect_right(table.working_before, wanted) - 1
        return date.fromordinal(table.first_ordinal + index)

    def _any_assumed(self, first: date, last: date) -> bool:
        """Whether any day in [first, last] is assumed (prefix sums: no day loop)."""
        for year in range(first.year, last.year + 1):
            table = self._table(year)
            low = 0 if year > first.year else first.toordinal() - table.first_ordinal
            high = (
                len(table.assumed)
                if year < last.year
                else last.toordinal() - table.first_ordinal + 1
            )
            if table.assumed_before[high] > table.assumed_before[low]:
                return True
        return False
