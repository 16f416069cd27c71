"""Record a report made up the chain (初报 / 续报 / 终报): how (电话 / 书面 / 平台), to which level
and whom, what was said, and when — "HH:MM" today in the centre's time zone, or now when left
empty. The form proposes what the card owes next; the service decides and its refusals (a time
in the future or before the raising, a 终报 before confirmation) show at their field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select

from gridconsole.domain.enums import ReportChannel, ReportDue, ReportKind, ReportLevel
from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationCard
from gridconsole.views.escalation_cards import card_summary
from gridconsole.views.escalation_form_modal import (
    EscalationFormModal,
    RereadVersion,
    SubmitEscalation,
)
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.ports import ContextPort

# the service's bounds (gridconsole.services.escalations; the views may not import it)
CONTENT_MAX = 2000
RECIPIENT_MAX = 80
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")

# what the card owes next → the kind and channel the form proposes
PROPOSED: dict[ReportDue | None, tuple[ReportKind, ReportChannel]] = {
    ReportDue.initial_quick: (ReportKind.initial, ReportChannel.phone),
    ReportDue.initial_written: (ReportKind.initial, ReportChannel.written),
    ReportDue.update: (ReportKind.update, ReportChannel.phone),
    ReportDue.final: (ReportKind.final, ReportChannel.written),
    None: (ReportKind.update, ReportChannel.phone),
}


@dataclass(frozen=True)
class ReportChoice:
    kind: ReportKind
    channel: ReportChannel
    level: ReportLevel
    recipient: str
    content: str
    reported_at: datetime | None  # None: now


def parse_report_time(value: str, now: datetime, context: ContextPort) -> datetime | None:
    """``HH:MM`` today in the centre's zone as an instant (None when empty); a malformed time is
    a problem at the field, with what was typed."""
    if not value.strip():
        return None
    matched = TIME_PATTERN.match(value)
    hour, minute = (int(matched.group(1)), int(matched.group(2))) if matched else (99, 99)
    if hour > 23 or minute > 59:
        raise ValidationFailed(
            [FieldProblem("reported_at", t("escalation.time_format", value=value.strip()))]
        )
    zone = context.settings.centre.zone
    today = now.astimezone(zone).date()
    return datetime.combine(today, time(hour, minute), tzinfo=zone).astimezone(now.tzinfo)


class EscalationReportModal(EscalationFormModal[ReportChoice]):
    RULE_FIELDS: ClassVar[dict[str, str]] = {
        "final_needs_confirmation": "kind",
        "escalation_closed": "kind",
    }

    def __init__(
        self,
        card: EscalationCard,
        context: ContextPort,
        *,
        submit: SubmitEscalation[ReportChoice],
        reread: RereadVersion,
    ) -> None:
        super().__init__(
            t("escalation.report_title"),
            card_summary(card, context.settings.centre.zone),
            version=card.version,
            submit=submit,
            reread=reread,
        )
        self.card = card
        self.context = context

    def compose_fields(self) -> ComposeResult:
        kind, channel = PROPOSED[self.card.next_report_due]
        owed = self.card.levels_owed
        level = owed[0] if owed else ReportLevel.street_leader
        yield from self.field(
            "kind",
            t("escalation.field_kind"),
            Select[str](
                [(t(f"report_kind.{item.value}"), item.value) for item in ReportKind],
                value=kind.value,
                allow_blank=False,
                compact=True,
                id="report-kind",
            ),
        )
        yield from self.field(
            "channel",
            t("escalation.field_channel"),
            Select[str](
                [(t(f"report_channel.{item.value}"), item.value) for item in ReportChannel],
                value=channel.value,
                allow_blank=False,
                compact=True,
                id="report-channel",
            ),
        )
        yield from self.field(
            "level",
            t("escalation.field_level"),
            Select[str](
                [(t(f"report_level.{item.value}"), item.value) for item in ReportLevel],
                value=level.value,
                allow_blank=False,
                compact=True,
                id="report-level",
            ),
        )
        yield from self.field(
            "recipient",
            t("escalation.field_recipient"),
            Input(
                max_length=RECIPIENT_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                placeholder=t("escalation.recipient_placeholder"),
                id="report-recipient",
            ),
        )
        yield from self.field(
            "content",
            t("escalation.field_content"),
            Input(max_length=CONTENT_MAX, restrict=SINGLE_LINE, compact=True, id="report-content"),
        )
        yield from self.field(
            "reported_at",
            t("escalation.field_reported_at"),
            Input(
                max_length=5,
                restrict=r"[0-9:：]*",
                compact=True,
                placeholder=t("escalation.reported_at_placeholder"),
                id="report-at",
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#report-content", Input).focus()

    def read_fields(self) -> ReportChoice:
        problems: list[FieldProblem] = []

        def chosen(select_id: str) -> str:
            return str(self.query_one(select_id, Select).value)

        try:
            content = validate_reason(
                self.query_one("#report-content", Input).value,
                field="content",
                maximum=CONTENT_MAX,
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            content = ""
        try:
            recipient = validate_reason(
                self.query_one("#report-recipient", Input).value,
                field="recipient",
                required=False,
                maximum=RECIPIENT_MAX,
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            recipient = ""
        try:
            reported_at = parse_report_time(
                self.query_one("#report-at", Input).value, self.context.now(), self.context
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            reported_at = None
        if problems:
            raise ValidationFailed(problems)
        return ReportChoice(
            kind=ReportKind(chosen("#report-kind")),
            channel=ReportChannel(chosen("#report-channel")),
            level=ReportLevel(chosen("#report-level")),
            recipient=recipient,
            content=content,
            reported_at=reported_at,
        )
