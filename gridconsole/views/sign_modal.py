"""签收: the department takes the dispatch on (an optional note); the centre may record it on
the department's behalf after a phone call."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.views.desk_form_modal import DeskFormModal
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class SignChoice:
    note: str


class SignModal(DeskFormModal[SignChoice]):
    FORM_TITLE = "desk.sign_title"

    def desk_fields(self) -> ComposeResult:
        yield from self.field(
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="sign-note"),
        )

    def read_fields(self) -> SignChoice:
        value = self.query_one("#sign-note", Input).value
        return SignChoice(note=validate_reason(value, field="note", required=False))
