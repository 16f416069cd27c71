"""催办 from the dispatch pane: how the reminder went out (电话 / 平台) and an optional note."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Select

from gridconsole.domain.enums import ContactChannel
from gridconsole.domain.errors import DomainError
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseRow
from gridconsole.views.dispatch_form_modal import CaseResult, SubmittingModal, row_summary
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import CasesPort


@dataclass(frozen=True)
class UrgeRequest:
    channel: ContactChannel
    note: str


class DispatchUrgeModal(SubmittingModal[UrgeRequest, CaseResult]):
    def __init__(self, cases: CasesPort, row: CaseRow) -> None:
        super().__init__(t("overdue.urge_title"), row_summary(row))
        self.cases = cases
        self.row = row

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "channel",
            t("dispatch.urge_channel"),
            Select[str](
                [(t(f"channel.{channel.value}"), channel.value) for channel in ContactChannel],
                value=ContactChannel.phone.value,
                allow_blank=False,
                compact=True,
                id="urge-channel",
            ),
        )
        yield from self.field(
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="urge-note"),
        )

    def collect_request(self) -> UrgeRequest:
        channel = ContactChannel(str(self.query_one("#urge-channel", Select).value))
        note = validate_reason(
            self.query_one("#urge-note", Input).value, field="note", required=False
        )
        return UrgeRequest(channel, note)

    def submit(self, request: UrgeRequest) -> CaseResult:
        detail = self.cases.urge(
            self.row.code, self.row.version, note=request.note, channel=request.channel
        )
        return CaseResult(self.row.code, detail)

    def refused(self, request: UrgeRequest, error: DomainError) -> CaseResult:
        return CaseResult(self.row.code, None, str(error))
