"""小事不出网格: the grid worker handled it; a note says how."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import CaseActionModal, Reread, Submit
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class ResolveChoice:
    note: str


class ResolveInGridModal(CaseActionModal[ResolveChoice]):
    def __init__(
        self,
        detail: CaseDetail,
        *,
        version: int,
        submit: Submit[ResolveChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("form.resolve_title"), detail, version=version, submit=submit, reread=reread
        )

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "note",
            t("form.resolve_note"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="resolve-note"),
        )

    def read_fields(self) -> ResolveChoice:
        return ResolveChoice(
            note=validate_reason(self.query_one("#resolve-note", Input).value, field="note")
        )
