"""The audit pane's filter line: ``who`` words and ``key:value`` terms, read into a filter.

``wang case:MY-20261129-0001 action:auth. since:2026-11-29 until:2026-11-30`` — a bare word is
an operator's account name; dates are local days of the centre (``until`` inclusive). An
unreadable term is reported by name rather than ignored, so a typo never widens the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gridconsole.i18n import t
from gridconsole.services.audit_records import AuditFilter

_KEYS = ("case", "action", "since", "until", "op")


@dataclass(frozen=True)
class FilterReading:
    where: AuditFilter
    problem: str = ""  # empty: the line was read whole


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def read_filter(line: str, zone: ZoneInfo) -> FilterReading:
    values: dict[str, str] = {}
    for term in line.split():
        key, colon, value = term.partition(":")
        if not colon:
            key, value = "op", term
        if key not in _KEYS or not value:
            return FilterReading(AuditFilter(), t("audit.filter_unknown", term=term))
        values[key] = value
    since = until = None
    if "since" in values:
        day = _day(values["since"])
        if day is None:
            return FilterReading(AuditFilter(), t("audit.filter_bad_day", value=values["since"]))
        since = datetime.combine(day, time(0), zone)
    if "until" in values:
        day = _day(values["until"])
        if day is None:
            return FilterReading(AuditFilter(), t("audit.filter_bad_day", value=values["until"]))
        until = datetime.combine(day + timedelta(days=1), time(0), zone)
    return FilterReading(
        AuditFilter(
            username=values.get("op"),
            case_code=values.get("case"),
            action_prefix=values.get("action"),
            since=since,
            until=until,
        )
    )
