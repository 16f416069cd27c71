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
from gridconsole.views.desk_form_modal import DeskFormModal
from gridconsole.views.desk_forms import DATE_MAX, DATE_TYPING, parse_day
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE

RESUME = "resume_planned"


@dataclass(frozen=True)
class SuspensionRequest:
    resume_planned: date
    reason: str


class SuspensionRequestModal(DeskFormModal[SuspensionRequest]):
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {"resume_planned_on": RESUME}
    FORM_TITLE = "desk.suspension_title"

    def desk_fields(self) -> ComposeResult:
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
