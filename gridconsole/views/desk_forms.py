"""What the department's request forms share: the summary of the dispatch they act on (with
the "recorded on the department's behalf" line when the centre types them), and reading a day
and a time of day typed in the centre's local time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from gridconsole.domain.errors import FieldProblem
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.formatting import safe

DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
# what the inputs accept while typing (the whole value must match)
DATE_TYPING = r"[0-9-]*"
TIME_TYPING = r"[0-9:]*"
DATE_MAX = 10
TIME_MAX = 5


def desk_summary(row: DepartmentWorkRow) -> Content:
    """``CODE  title`` of the dispatch and, under it, the department and its part (主办/协办)."""
    return Content.assemble(
        (row.case_code, "bold"),
        "  ",
        safe(row.title),
        "\n",
        t("desk.summary_department", department=safe(row.department.name)),
        "  ",
        (t(f"desk.role_{row.role.value}"), "italic"),
    )


def on_behalf_notice(on_behalf: bool) -> Iterable[Widget]:
    """For the centre, the line saying it records the department's word (a phone call) on the
    department's behalf; nothing for the department's own liaison."""
    if on_behalf:
        yield Static(Content(t("desk.on_behalf_line")), classes="on-behalf-line")


def parse_day(value: str, field: str, problems: list[FieldProblem]) -> date | None:
    """A day typed ``YYYY-MM-DD``; a problem at ``field`` otherwise."""
    text = value.strip()
    if not text:
        problems.append(FieldProblem(field, t("rule.required")))
        return None
    match = DATE_PATTERN.match(text)
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    problems.append(FieldProblem(field, t("desk.bad_date", value=text)))
    return None


def parse_time_of_day(value: str, field: str, problems: list[FieldProblem]) -> time | None:
    """A time of day typed ``HH:MM`` (24-hour)."""
    text = value.strip()
    if not text:
        problems.append(FieldProblem(field, t("rule.required")))
        return None
    match = TIME_PATTERN.match(text)
    if match is not None:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    problems.append(FieldProblem(field, t("desk.bad_time", value=text)))
    return None


def local_instant(day: date, time_of_day: time, zone: ZoneInfo) -> datetime:
    """The aware instant of ``day`` at ``time_of_day`` in the centre's zone."""
    return datetime.combine(day, time_of_day, tzinfo=zone)
