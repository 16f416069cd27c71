"""升级上报: put a case on the escalation board (Art. 30) — which case, what kind of matter, how
grave, and why. Reused by every pane that shows cases (queue, overdue, dispatch, the case
detail) with the selected case's code filled in, and by the board itself with an empty code.

The form calls the service itself and stays open on a refusal (no such case, a closed case, a
case already on the board): shown at the case code or under the fields, what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from gridconsole.domain.enums import EscalationKind, Severity
from gridconsole.domain.errors import (
    DomainError,
    FieldProblem,
    NotFound,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationCard
from gridconsole.views.action_modal import required
from gridconsole.views.escalation_form_modal import EscalationFormModal
from gridconsole.views.input_rules import CASE_CODE_MAX, REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import EscalationsPort

DEFAULT_KIND = EscalationKind.other_major
DEFAULT_SEVERITY = Severity.general


@dataclass(frozen=True)
class EscalateChoice:
    code: str
    kind: EscalationKind
    severity: Severity
    reason: str


class EscalateModal(EscalationFormModal[EscalateChoice]):
    RULE_FIELDS = {"escalation_open": "case_code"}  # noqa: RUF012

    def __init__(
        self,
        escalations: EscalationsPort,
        code: str = "",
        summary: Content | None = None,
    ) -> None:
        super().__init__(
            t("escalation.escalate_title"),
            summary,
            version=0,  # a new escalation: nothing to be stale against
            submit=lambda choice, _version: escalations.raise_(
                choice.code, kind=choice.kind, severity=choice.severity, reason=choice.reason
            ),
            reread=lambda: 0,
        )
        self.code = code

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "case_code",
            t("escalation.field_case_code"),
            Input(
                self.code,
                max_length=CASE_CODE_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                id="escalate-code",
            ),
        )
        yield from self.field(
            "kind",
            t("escalation.field_escalation_kind"),
            Select[str](
                [(t(f"escalation_kind.{item.value}"), item.value) for item in EscalationKind],
                value=DEFAULT_KIND.value,
                allow_blank=False,
                compact=True,
                id="escalate-kind",
            ),
        )
        yield from self.field(
            "severity",
            t("escalation.field_severity"),
            Select[str](
                [(t(f"severity.{item.value}"), item.value) for item in Severity],
                value=DEFAULT_SEVERITY.value,
                allow_blank=False,
                compact=True,
                id="escalate-severity",
            ),
        )
        yield from self.field(
            "reason",
            t("escalation.field_reason"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="escalate-reason"),
        )

    def on_mount(self) -> None:
        target = "#escalate-kind" if self.code else "#escalate-code"
        self.query_one(target).focus()

    def read_fields(self) -> EscalateChoice:
        code = self.query_one("#escalate-code", Input).value.strip().upper()
        problems = required(code, "case_code")
        try:
            reason = validate_reason(self.query_one("#escalate-reason", Input).value)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            reason = ""
        if problems:
            raise ValidationFailed(problems)
        return EscalateChoice(
            code=code,
            kind=EscalationKind(str(self.query_one("#escalate-kind", Select).value)),
            severity=Severity(str(self.query_one("#escalate-severity", Select).value)),
            reason=reason,
        )

    def show_refusal(self, error: DomainError) -> None:
        if isinstance(error, NotFound | TransitionRefused):
            self.refusals.append(error)
            self.show_problems([FieldProblem("case_code", str(error))])
            return
        super().show_refusal(error)


def escalate_case(
    widget: Widget,
    escalations: EscalationsPort,
    code: str = "",
    summary: Content | None = None,
    *,
    then: Callable[[EscalationCard | None], object] | None = None,
) -> None:
    """Open the form over ``widget``'s screen; on success say so (the board and the header
    follow through the change poll)."""

    def closed(card: EscalationCard | None) -> None:
        if card is not None:
            widget.notify(
                t(
                    "escalation.raised",
                    code=card.case_code,
                    kind=t(f"escalation_kind.{card.kind.value}"),
                    severity=t(f"severity.{card.severity.value}"),
                ),
                markup=False,
            )
        if then is not None:
            then(card)

    widget.app.push_screen(EscalateModal(escalations, code, summary), closed)
