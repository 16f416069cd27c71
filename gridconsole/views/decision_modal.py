"""The shift lead's decision: approve or refuse a department's request (a reason required), or
resume a suspended case (a reason optional). The form summarises what is being decided."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input

from gridconsole.domain.enums import RequestKind
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import RequestRow
from gridconsole.views.approvals_table import TIME, requester_text
from gridconsole.views.case_form_modal import CaseFormModal, Reread, Submit
from gridconsole.views.formatting import local_time, safe
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class DecisionChoice:
    reason: str


def request_summary(request: RequestRow, zone: ZoneInfo) -> Content:
    """Every part of a request, one line each: what and on which case, who asked and when,
    why, and what exactly is asked (database text shown literally)."""
    department = request.department.name if request.department else "-"
    lines: list[Content] = [
        Content.assemble(
            (t(f"request_kind.{request.kind.value}"), "bold"),
            "  ",
            (request.case_code, "bold"),
            "  ",
            safe(request.case_title),
            "  ",
            (t(f"state.{request.case_state.value}"), "italic"),
        ),
        Content(
            t(
                "approvals.summary_requested",
                department=safe(department),
                requester=requester_text(request),
                at=local_time(request.requested_at, zone, TIME),
            )
        ),
        Content(t("approvals.summary_reason", reason=safe(request.reason))),
    ]
    if request.kind is RequestKind.return_:
        lines.append(Content(t("approvals.summary_basis", basis=safe(request.basis))))
    elif request.kind is RequestKind.extension:
        lines.append(
            Content(
                t(
                    "approvals.summary_extension",
                    new_due=local_time(request.new_due_at, zone) or "-",
                    due=local_time(request.current_due_at, zone) or "-",
                )
            )
        )
    else:
        day = request.resume_planned_on.isoformat() if request.resume_planned_on else "-"
        lines.append(Content(t("approvals.summary_suspension", day=day)))
    return Content("\n").join(lines)


class DecisionModal(CaseFormModal[DecisionChoice]):
    def __init__(
        self,
        title: str,
        summary: Content,
        *,
        version: int,
        reason_required: bool,
        submit: Submit[DecisionChoice],
        reread: Reread,
    ) -> None:
        super().__init__(title, summary, version=version, submit=submit, reread=reread)
        self.reason_required = reason_required

    def compose_fields(self) -> ComposeResult:
        label = "approvals.decision_reason" if self.reason_required else "form.note_optional"
        yield from self.field(
            "reason",
            t(label),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="decision-reason"),
        )

    def read_fields(self) -> DecisionChoice:
        value = self.query_one("#decision-reason", Input).value
        return DecisionChoice(reason=validate_reason(value, required=self.reason_required))
