"""Toggle a case between urgent and normal, with an optional reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from gridconsole.domain.enums import Priority
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import CaseActionModal, Reread, Submit
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class PriorityChoice:
    priority: Priority
    reason: str


def toggled(priority: Priority) -> Priority:
    return Priority.normal if priority is Priority.urgent else Priority.urgent


class SetPriorityModal(CaseActionModal[PriorityChoice]):
    def __init__(
        self,
        detail: CaseDetail,
        *,
        version: int,
        submit: Submit[PriorityChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("form.priority_title"), detail, version=version, submit=submit, reread=reread
        )
        self.new_priority = toggled(detail.priority)

    def compose_fields(self) -> ComposeResult:
        yield Static(
            Content(
                t(
                    "form.priority_change",
                    old=t(f"priority.{self.detail.priority.name}"),
                    new=t(f"priority.{self.new_priority.name}"),
                )
            ),
            classes="modal-summary",
            id="priority-change",
        )
        yield from self.field(
            "reason",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="priority-reason"),
        )

    def read_fields(self) -> PriorityChoice:
        reason = validate_reason(
            self.query_one("#priority-reason", Input).value, field="reason", required=False
        )
        return PriorityChoice(priority=self.new_priority, reason=reason)
