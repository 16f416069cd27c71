"""签收: the department takes the dispatch on (an optional note); the centre may record it on
the department's behalf after a phone call."""

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
class SignChoice:
    note: str


class SignModal(CaseFormModal[SignChoice]):
    def __init__(
        self,
        row: DepartmentWorkRow,
        *,
        on_behalf: bool,
        submit: Submit[SignChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("desk.sign_title"),
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
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="sign-note"),
        )

    def read_fields(self) -> SignChoice:
        value = self.query_one("#sign-note", Input).value
        return SignChoice(note=validate_reason(value, field="note", required=False))
