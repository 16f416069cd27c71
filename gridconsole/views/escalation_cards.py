"""How an escalation reads on the board, in its 80-column list and on the wall.

The next report's window counts down in calendar time (an emergency does not wait for office
hours) from the card's ``next_report_at`` and the console's clock: no database. It reads as the
overdue pane's countdowns do ("剩余 0:12:10", "超期 0:03:20"), in the same colours: 预警 within
``escalation.alert_before_minutes`` of the window closing, 超期 (red) once it has closed.

Text from the database (case titles, grid names, reasons) is made safe here and only ever
placed in ``Content``/``Text`` as plain text, never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.content import Content

from gridconsole.domain.countdown import CountdownReading
from gridconsole.domain.deadlines import DeadlineStatus, deadline_status
from gridconsole.domain.enums import EscalationStage, ReportLevel
from gridconsole.domain.escalation import OPEN_STAGES
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationCard
from gridconsole.views.deadline_table import clock_text, countdown_text
from gridconsole.views.formatting import age_text, local_time, safe

CALENDAR_DAY_SECONDS = 86_400
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class WindowReading:
    """Where a card's next report window stands at one instant."""

    status: DeadlineStatus | None  # None: no report is owed
    seconds: int  # signed whole seconds until the window closes (negative: missed by that much)
    text: str  # "剩余 0:12:10" / "超期 0:03:20" ("" when nothing is owed)

    @property
    def missed(self) -> bool:
        return self.status is DeadlineStatus.overdue

    @property
    def digits(self) -> str:
        """The countdown for large digits on the wall: ``12:10``, ``-3:20`` once missed."""
        if self.status is None:
            return ""
        span = abs(self.seconds)
        clock = clock_text(span) if span >= 3600 else f"{span // 60}:{span % 60:02d}"
        return f"-{clock}" if self.seconds < 0 else clock


def window_reading(card: EscalationCard, now: datetime, warn_before: timedelta) -> WindowReading:
    """The countdown of ``card``'s next report at ``now`` (``warn_before`` the window closes it
    turns to 预警)."""
    due = card.next_report_at
    if due is None:
        return WindowReading(None, 0, "")
    status = deadline_status(now, due - warn_before, due)
    microseconds = (due - now) // _MICROSECOND
    seconds = abs(microseconds) // 1_000_000
    signed = seconds if microseconds >= 0 else -seconds
    text = countdown_text(CountdownReading(status, signed, CALENDAR_DAY_SECONDS))
    return WindowReading(status, signed, text)


def status_class(reading: WindowReading) -> str:
    """The CSS class a countdown (and its card) wears: ``-warning``, ``-overdue`` or none."""
    if reading.status is DeadlineStatus.overdue:
        return "-overdue"
    if reading.status is DeadlineStatus.warning:
        return "-warning"
    return ""


def level_names(levels: tuple[ReportLevel, ...], *, compact: bool = False) -> str:
    """The short names of reporting levels (``街道 区级 部门``; compact ``街道区级部门``)."""
    joiner = t("escalation.level_join_compact") if compact else " "
    return joiner.join(t(f"escalation.level_short_{level.value}") for level in levels)


def levels_text(card: EscalationCard, *, compact: bool = False) -> str:
    """Who has been told and who is still owed a report: ``已报 街道 · 待报 区级 部门``, or
    on a card (about 22 cells) ``已报街道 待报区级部门``."""
    told_key, owed_key, joiner = (
        ("levels_told_compact", "levels_owed_compact", " ")
        if compact
        else ("levels_told", "levels_owed", " · ")
    )
    parts = []
    if card.levels_told:
        told = level_names(card.levels_told, compact=compact)
        parts.append(t(f"escalation.{told_key}", levels=told))
    owed = card.levels_owed
    if owed and card.stage in OPEN_STAGES:
        parts.append(t(f"escalation.{owed_key}", levels=level_names(owed, compact=compact)))
    return joiner.join(parts) or t("escalation.levels_none")


def next_due_text(card: EscalationCard, zone: ZoneInfo) -> str:
    """The report owed next and when its window closes: ``初报(电话) 09:45``."""
    if card.next_report_due is None or card.next_report_at is None:
        if card.stage is EscalationStage.final_reported:
            return t("escalation.closed_at", at=local_time(card.closed_at, zone, "%m-%d %H:%M"))
        return t("escalation.nothing_due")
    return t(
        "escalation.next_due",
        due=t(f"report_due.{card.next_report_due.value}"),
        at=local_time(card.next_report_at, zone, "%H:%M"),
    )


def card_body(card: EscalationCard, now: datetime, zone: ZoneInfo) -> Content:
    """Everything on a board card above its countdown, one short line each (a card is about 22
    cells wide): code; kind and severity; grid; age and waiting alerts; who was told and who
    is owed; the report due next (database text literal)."""
    age = Content(t("escalation.age", age=age_text(card.raised_at, now)))
    if card.open_alerts:
        age = Content.assemble(
            age, " ", (t("escalation.alerts_badge", count=card.open_alerts), "bold reverse")
        )
    return Content("\n").join(
        [
            Content.assemble((card.case_code, "bold")),
            Content.assemble(
                (t(f"severity.{card.severity.value}"), "bold"),
                " ",
                t(f"escalation_kind.{card.kind.value}"),
            ),
            Content(safe(card.grid_name) or t("escalation.no_grid")),
            age,
            Content(levels_text(card, compact=True)),
            Content(next_due_text(card, zone)),
        ]
    )


def countdown_line(card: EscalationCard, reading: WindowReading) -> Content:
    """The countdown under a card, and how many windows it has missed."""
    if not card.missed_count:
        return Content(reading.text)
    missed = t("escalation.missed_badge", count=card.missed_count)
    return Content(f"{reading.text} {missed}" if reading.text else missed)


def card_summary(card: EscalationCard, zone: ZoneInfo) -> Content:
    """The card a form acts on: code, title, kind and severity, stage, the next report owed."""
    return Content("\n").join(
        [
            Content.assemble(
                (card.case_code, "bold"),
                "  ",
                safe(card.case_title),
            ),
            Content.assemble(
                t(f"escalation_kind.{card.kind.value}"),
                "  ",
                (t(f"severity.{card.severity.value}"), "bold"),
                "  ",
                (t(f"escalation_stage.{card.stage.value}"), "italic"),
                "  ",
                levels_text(card),
            ),
            Content(next_due_text(card, zone)),
        ]
    )


def selected_text(card: EscalationCard, zone: ZoneInfo) -> Content:
    """The selected card in full under the board: title, why it was raised, from where, the
    reporting chain it must reach."""
    return Content("\n").join(
        [
            Content.assemble(
                (card.case_code, "bold"),
                "  ",
                safe(card.case_title),
                "  ",
                (t(f"state.{card.case_state.value}"), "italic"),
                "  ",
                safe(card.grid_name),
            ),
            Content(
                t(
                    "escalation.selected_line",
                    source=t(f"escalation_source.{card.source.value}"),
                    raised=local_time(card.raised_at, zone, "%m-%d %H:%M"),
                    chain=level_names(card.levels_required) or "-",
                    told=level_names(card.levels_told) or "-",
                    missed=card.missed_count,
                )
            ),
            Content.assemble(t("escalation.reason_label"), safe(card.reason)),
        ]
    )


def next_label(card: EscalationCard) -> str:
    """The report owed next, without its time (the list's column): ``初报(电话)``."""
    if card.next_report_due is None:
        return t(f"escalation_stage.{card.stage.value}")
    return t(f"report_due.{card.next_report_due.value}")
