"""Reporting periods (考评周期) in the centre's local dates: this week, this month, last month, a
given month, or any run of days. Pure date arithmetic; the services turn a period into instants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.i18n import t

# the longest period the statistics aggregate (a trend has one bar per day)
MAX_PERIOD_DAYS = 366
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodKind(StrEnum):
    this_week = "this_week"
    this_month = "this_month"
    last_month = "last_month"
    month = "month"
    custom = "custom"


@dataclass(frozen=True)
class Period:
    """The local days ``first`` to ``last``, both included."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=offset) for offset in range(self.days))

    def start(self, zone: ZoneInfo) -> datetime:
        """The instant the period begins (midnight of its first day, local)."""
        return datetime.combine(self.first, time(0), zone)

    def end(self, zone: ZoneInfo) -> datetime:
        """The instant it ends (midnight after its last day, local): excluded."""
        return datetime.combine(self.last + timedelta(days=1), time(0), zone)

    @property
    def label(self) -> str:
        whole_month = self.first.day == 1 and (self.last + timedelta(days=1)).day == 1
        if whole_month and (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def this_week(today: date) -> Period:
    """Monday of this week to today."""
    return Period(PeriodKind.this_week, today - timedelta(days=today.weekday()), today)


def this_month(today: date) -> Period:
    """The 1st of this month to today."""
    return Period(PeriodKind.this_month, today.replace(day=1), today)


def last_month(today: date) -> Period:
    first_this = today.replace(day=1)
    previous = first_this - timedelta(days=1)
    first, last = _month_bounds(previous.year, previous.month)
    return Period(PeriodKind.last_month, first, last)


def month(text: str, *, field: str = "month") -> Period:
    """A whole month written ``YYYY-MM``."""
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed([FieldProblem(field, t("statistics.error.bad_month", value=text))])
    first, last = _month_bounds(int(found.group(1)), int(found.group(2)))
    return Period(PeriodKind.month, first, last)


def custom(first: date, last: date, *, field: str = "period") -> Period:
    """Any run of days, at most :data:`MAX_PERIOD_DAYS`."""
    if last < first:
        raise ValidationFailed(
            [
                FieldProblem(
                    field,
                    t("statistics.error.reversed", first=first.isoformat(), last=last.isoformat()),
                )
            ]
        )
    period = Period(PeriodKind.custom, first, last)
    if period.days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            [FieldProblem(field, t("statistics.error.too_long", days=MAX_PERIOD_DAYS))]
        )
    return period


def named(kind: PeriodKind, today: date) -> Period:
    """This week, this month or last month as seen on ``today``."""
    if kind is PeriodKind.this_week:
        return this_week(today)
    if kind is PeriodKind.this_month:
        return this_month(today)
    if kind is PeriodKind.last_month:
        return last_month(today)
    raise ValueError(f"{kind} needs its dates")
