"""核查: the dispatcher records what the grid worker found on site after the department's
feedback. Passed closes the case; failed reopens it for a new dispatch (返工)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.validators import NAME_MAX, validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseRow
from gridconsole.views.dispatch_form_modal import CaseResult, SubmittingModal, row_summary
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import ClosurePort


@dataclass(frozen=True)
class VerifyRequest:
    note: str
    checked_by: str


class VerifyModal(SubmittingModal[VerifyRequest, CaseResult]):
    def __init__(self, closure: ClosurePort, row: CaseRow, *, passed: bool) -> None:
        title = t("dispatch.verify_pass_title" if passed else "dispatch.verify_fail_title")
        super().__init__(title, row_summary(row))
        self.closure = closure
        self.row = row
        self.passed = passed

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "note",
            t("dispatch.verify_note"),
            Input(
                max_length=REASON_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                placeholder=t(
                    "dispatch.verify_note_pass_hint"
                    if self.passed
                    else "dispatch.verify_note_fail_hint"
                ),
                id="verify-note",
            ),
        )
        yield from self.field(
            "checked_by",
            t("dispatch.verify_checked_by"),
            Input(max_length=NAME_MAX, restrict=SINGLE_LINE, compact=True, id="verify-checked-by"),
        )

    def collect_request(self) -> VerifyRequest:
        problems: list[FieldProblem] = []
        note = checked_by = ""
        try:
            note = validate_reason(self.query_one("#verify-note", Input).value, field="note")
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        try:
            checked_by = validate_reason(
                self.query_one("#verify-checked-by", Input).value,
                field="checked_by",
                required=False,
                maximum=NAME_MAX,
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        if problems:
            raise ValidationFailed(problems)
        return VerifyRequest(note, checked_by)

    def submit(self, request: VerifyRequest) -> CaseResult:
        detail = self.closure.verify(
            self.row.code,
            self.row.version,
            passed=self.passed,
            note=request.note,
            checked_by=request.checked_by,
        )
        return CaseResult(self.row.code, detail)

    def refused(self, request: VerifyRequest, error: DomainError) -> CaseResult:
        return CaseResult(self.row.code, None, str(error))
