"""挂起申请: the department asks to stop the clocks until a planned day (a reason required);
the shift lead decides, and resumes the case later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.case_form_modal import CaseFormModal, Reread, Submit
from gridconsole.views.desk_forms import (
    DATE_MAX,
    DATE_TYPING,
    desk_summary,
    on_behalf_notice,
    parse_day,
)
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE

RESUME = "resume_planned"


@dataclass(frozen=True)
class SuspensionRequest:
    resume_planned: date
    reason: str


class SuspensionRequestModal(CaseFormModal[SuspensionRequest]):
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {"resume_planned_on": RESUME}

    def __init__(
        self,
        row: DepartmentWorkRow,
        *,
        on_behalf: bool,
        submit: Submit[SuspensionRequest],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("desk.suspension_title"),
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
            RESUME,
            t("desk.suspension_resume"),
            Input(
                max_length=DATE_MAX,
                restrict=DATE_TYPING,
                placeholder=t("desk.date_placeholder"),
                compact=True,
                id="suspension-resume",
            ),
        )
        yield from self.field(
            "reason",
            t("desk.suspension_reason"),
            Input(
                max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="suspension-reason"
            ),
        )

    def read_fields(self) -> SuspensionRequest:
        problems: list[FieldProblem] = []
        day = parse_day(self.query_one("#suspension-resume", Input).value, RESUME, problems)
        reason = ""
        try:
            reason = validate_reason(self.query_one("#suspension-reason", Input).value)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        if problems or day is None:
            raise ValidationFailed(problems)
        return SuspensionRequest(resume_planned=day, reason=reason)
