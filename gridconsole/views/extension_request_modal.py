"""延期申请: the department asks for a later handling deadline, before the current one passes.

The new deadline is a day and a time of day in the centre's time zone. The form checks their
shape; the service checks the rest (later than the current deadline, in working time) and its
refusal is shown at the field, with what was typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Static

from gridconsole.domain.errors import FieldProblem, RuleRefused, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.case_form_modal import Reread, Submit
from gridconsole.views.desk_form_modal import DeskFormModal
from gridconsole.views.desk_forms import (
    DATE_MAX,
    DATE_TYPING,
    TIME_MAX,
    TIME_TYPING,
    local_instant,
    parse_day,
    parse_time_of_day,
)
from gridconsole.views.formatting import local_time
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE

NEW_DUE = "new_due"


@dataclass(frozen=True)
class ExtensionRequest:
    new_due: datetime
    reason: str


class ExtensionRequestModal(DeskFormModal[ExtensionRequest]):
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {"new_due_at": NEW_DUE, "due_at": NEW_DUE}
    FORM_TITLE = "desk.extension_title"

    def __init__(
        self,
        row: DepartmentWorkRow,
        zone: ZoneInfo,
        *,
        on_behalf: bool,
        submit: Submit[ExtensionRequest],
        reread: Reread,
    ) -> None:
        super().__init__(row, on_behalf=on_behalf, submit=submit, reread=reread)
        self.zone = zone

    def desk_fields(self) -> ComposeResult:
        current = local_time(self.row.due_at, self.zone) or t("desk.no_deadline")
        yield Static(
            Content(t("desk.extension_current", due=current)),
            classes="modal-summary",
            id="extension-current",
        )
        yield Horizontal(
            Label(Content(t("desk.extension_new_due")), classes="field-label"),
            Input(
                max_length=DATE_MAX,
                restrict=DATE_TYPING,
                placeholder=t("desk.date_placeholder"),
                compact=True,
                id="extension-date",
            ),
            Input(
                max_length=TIME_MAX,
                restrict=TIME_TYPING,
                placeholder=t("desk.time_placeholder"),
                compact=True,
                id="extension-time",
            ),
            Static(Content(t("desk.local_time_hint")), classes="field-hint"),
            classes="field-row date-time-row",
        )
        yield Static(classes="field-error", id=f"error-{NEW_DUE}")
        yield from self.field(
            "reason",
            t("desk.extension_reason"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="extension-reason"),
        )

    def read_fields(self) -> ExtensionRequest:
        problems: list[FieldProblem] = []
        day = parse_day(self.query_one("#extension-date", Input).value, NEW_DUE, problems)
        at = parse_time_of_day(self.query_one("#extension-time", Input).value, NEW_DUE, problems)
        reason = ""
        try:
            reason = validate_reason(self.query_one("#extension-reason", Input).value)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        if problems or day is None or at is None:
            raise ValidationFailed(_joined(problems))
        return ExtensionRequest(new_due=local_instant(day, at, self.zone), reason=reason)

    def rule_field(self, error: RuleRefused) -> str:
        return NEW_DUE  # the service's rules on an extension are about the new deadline


def _joined(problems: list[FieldProblem]) -> list[FieldProblem]:
    """One problem per field: the date's and the time's share the new deadline's line."""
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    return [FieldProblem(field, "；".join(messages)) for field, messages in by_field.items()]
