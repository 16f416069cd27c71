"""A reason for a move on the board: raising the level (提级: to the district centre, and/or to
a graver severity chosen here) or taking the matter off the board (撤销升级)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Select

from gridconsole.domain.enums import Severity
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.views.escalation_form_modal import (
    EscalationFormModal,
    RereadVersion,
    SubmitEscalation,
)
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class ReasonChoice:
    reason: str
    severity: Severity | None = None  # 提级 to this graver severity (None: keep it)


class EscalationReasonModal(EscalationFormModal[ReasonChoice]):
    RULE_FIELDS: ClassVar[dict[str, str]] = {
        "severity_not_graver": "severity",
        "already_district": "severity",
    }

    def __init__(
        self,
        title: str,
        summary: Content,
        *,
        version: int,
        submit: SubmitEscalation[ReasonChoice],
        reread: RereadVersion,
        severities: tuple[Severity, ...] = (),
    ) -> None:
        super().__init__(title, summary, version=version, submit=submit, reread=reread)
        self.severities = severities  # offered graver severities (none: no severity field)

    def compose_fields(self) -> ComposeResult:
        if self.severities:
            yield from self.field(
                "severity",
                t("escalation.field_severity_optional"),
                Select[str](
                    [(t(f"severity.{item.value}"), item.value) for item in self.severities],
                    prompt=t("escalation.severity_keep"),
                    compact=True,
                    id="reason-severity",
                ),
            )
        yield from self.field(
            "reason",
            t("escalation.field_reason"),
            Input(
                max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="escalation-reason"
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#escalation-reason", Input).focus()

    def read_fields(self) -> ReasonChoice:
        reason = validate_reason(self.query_one("#escalation-reason", Input).value)
        severity: Severity | None = None
        if self.severities:
            value = self.query_one("#reason-severity", Select).value
            severity = Severity(value) if isinstance(value, str) else None
        return ReasonChoice(reason, severity)
