"""催办 or 督办 a case (from the overdue pane or a department's work list): an optional note says
what was asked; a 催办 also says how it reached the department (电话 or 平台)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Select

from gridconsole.domain.enums import Action, ContactChannel
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.overdue_records import OverdueRow
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import CaseFormModal, Reread, Submit
from gridconsole.views.formatting import safe
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import CasesPort


@dataclass(frozen=True)
class NoteChoice:
    note: str
    channel: ContactChannel | None = None  # how a 催办 reached the department


def overdue_summary(row: OverdueRow) -> Content:
    """``CODE  title  place`` of the case (database text shown literally)."""
    return Content.assemble((row.code, "bold"), "  ", safe(row.title), "  ", safe(row.place))


def press_department(cases: CasesPort, code: str, action: Action) -> Submit[NoteChoice]:
    """The service call behind the form: 催办 (with how it was sent) or 督办 the case."""

    def submit(choice: NoteChoice, version: int) -> CaseDetail:
        if action is Action.urge:
            return cases.urge(code, version, note=choice.note, channel=choice.channel)
        return cases.supervise(code, version, note=choice.note)

    return submit


class OverdueNoteModal(CaseFormModal[NoteChoice]):
    def __init__(
        self,
        title: str,
        summary: Content,
        *,
        version: int,
        submit: Submit[NoteChoice],
        reread: Reread,
        with_channel: bool = False,
    ) -> None:
        super().__init__(title, summary, version=version, submit=submit, reread=reread)
        self.with_channel = with_channel

    def compose_fields(self) -> ComposeResult:
        if self.with_channel:
            yield from self.field(
                "channel",
                t("desk.urge_channel"),
                Select[str](
                    [(t(f"channel.{channel.value}"), channel.value) for channel in ContactChannel],
                    value=ContactChannel.phone.value,
                    allow_blank=False,
                    compact=True,
                    id="overdue-channel",
                ),
            )
        yield from self.field(
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="overdue-note"),
        )

    def read_fields(self) -> NoteChoice:
        value = self.query_one("#overdue-note", Input).value
        note = validate_reason(value, field="note", required=False)
        if not self.with_channel:
            return NoteChoice(note=note)
        channel = self.query_one("#overdue-channel", Select).value
        return NoteChoice(note=note, channel=ContactChannel(str(channel)))
