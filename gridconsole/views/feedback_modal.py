"""反馈: what the department did about the case (required); the centre then verifies it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.case_form_modal import CaseFormModal, Reread, Submit
from gridconsole.views.desk_forms import desk_summary, on_behalf_notice
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class FeedbackChoice:
    text: str


class FeedbackModal(CaseFormModal[FeedbackChoice]):
    def __init__(
        self,
        row: DepartmentWorkRow,
        *,
        on_behalf: bool,
        submit: Submit[FeedbackChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("desk.feedback_title"),
            desk_summary(row),
            version=row.case_version,
            submit=submit,
            reread=reread,
        )
        self.row = row
        self.on_behalf = on_behalf

    def compose_fields(self) -> ComposeResult:
        yield from on_behalf_notice(self.on_behalf)
        yield from self.field(
            "text",
            t("desk.feedback_text"),
            Input(
                max_length=REASON_MAX,
                restrict=SINGLE_LINE,
                placeholder=t("desk.feedback_placeholder"),
                compact=True,
                id="feedback-text",
            ),
        )

    def read_fields(self) -> FeedbackChoice:
        value = self.query_one("#feedback-text", Input).value
        return FeedbackChoice(text=validate_reason(value, field="text"))
