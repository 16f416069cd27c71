"""不予受理: a reason (duplicates are merged instead) and a required note."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Select

from gridconsole.domain.enums import RejectReason
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import CaseActionModal, Reread, Submit
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE

REJECT_REASONS: tuple[RejectReason, ...] = tuple(
    reason for reason in RejectReason if reason is not RejectReason.duplicate
)


@dataclass(frozen=True)
class RejectChoice:
    reason: RejectReason
    note: str


class RejectCaseModal(CaseActionModal[RejectChoice]):
    def __init__(
        self,
        detail: CaseDetail,
        *,
        version: int,
        submit: Submit[RejectChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("form.reject_title"), detail, version=version, submit=submit, reread=reread
        )

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "reason",
            t("form.reject_reason"),
            Select[str](
                [(t(f"reject_reason.{reason.value}"), reason.value) for reason in REJECT_REASONS],
                value=REJECT_REASONS[0].value,
                allow_blank=False,
                compact=True,
                id="reject-reason",
            ),
        )
        yield from self.field(
            "note",
            t("form.note"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="reject-note"),
        )

    def read_fields(self) -> RejectChoice:
        reason = RejectReason(str(self.query_one("#reject-reason", Select).value))
        note = validate_reason(self.query_one("#reject-note", Input).value, field="note")
        return RejectChoice(reason=reason, note=note)
