"""反馈: what the department did about the case (required); the centre then verifies it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.views.desk_form_modal import DeskFormModal
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class FeedbackChoice:
    text: str


class FeedbackModal(DeskFormModal[FeedbackChoice]):
    FORM_TITLE = "desk.feedback_title"

    def desk_fields(self) -> ComposeResult:
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
