"""Asks why a masked value is to be shown (the reason goes to the audit log with the reveal)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


class RevealModal(ActionModal[str]):
    """The reason for revealing personal data: required; the result is the cleaned reason."""

    def __init__(self, summary: Content) -> None:
        super().__init__(t("privacy.reveal_title"), summary)

    def compose_fields(self) -> ComposeResult:
        yield Static(Content(t("privacy.reveal_hint")), classes="field-hint")
        yield from self.field(
            "reason",
            t("privacy.reveal_reason"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="reveal-reason"),
        )

    def collect(self) -> str:
        return validate_reason(self.query_one("#reveal-reason", Input).value)
