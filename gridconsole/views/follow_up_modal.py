"""回访: the reporter was told the result and asked how satisfied they are (Art. 29).

After a 不满意 answer the form offers 重新办理: tick it and give a reason, and the case is
reopened right after the follow-up is recorded; it comes back to the 待派遣 list as 返工.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Select, Static

from gridconsole.domain.enums import Satisfaction
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail, CaseRow
from gridconsole.views.dispatch_form_modal import SubmittingModal, row_summary
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import ClosurePort


@dataclass(frozen=True)
class FollowUpRequest:
    satisfaction: Satisfaction
    note: str
    reopen_reason: str  # empty: no reopen


@dataclass(frozen=True)
class FollowUpResult:
    """The follow-up (or why it was refused), and the reopen when one was asked for."""

    code: str
    followed_up: CaseDetail | None
    error: str = ""
    reopened: CaseDetail | None = None
    reopen_error: str = ""


class FollowUpModal(SubmittingModal[FollowUpRequest, FollowUpResult]):
    def __init__(self, closure: ClosurePort, row: CaseRow) -> None:
        super().__init__(t("dispatch.follow_up_title"), row_summary(row))
        self.closure = closure
        self.row = row

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "satisfaction",
            t("dispatch.follow_up_satisfaction"),
            Select[str](
                [(t(f"satisfaction.{answer.value}"), answer.value) for answer in Satisfaction],
                prompt=t("form.choose"),
                compact=True,
                id="follow-up-satisfaction",
            ),
        )
        yield from self.field(
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="follow-up-note"),
        )
        with Horizontal(classes="field-row", id="follow-up-reopen-row"):
            yield Label(Content(""), classes="field-label")
            yield Checkbox(
                Content(t("dispatch.follow_up_reopen")), compact=True, id="follow-up-reopen"
            )
        with Horizontal(classes="field-row", id="follow-up-reason-row"):
            yield Label(Content(t("dispatch.follow_up_reopen_reason")), classes="field-label")
            yield Input(
                max_length=REASON_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                id="follow-up-reopen-reason",
            )
        yield Static(classes="field-error", id="error-reason")

    def on_mount(self) -> None:
        self._show_reopen()

    @property
    def satisfaction(self) -> Satisfaction | None:
        value = self.query_one("#follow-up-satisfaction", Select).value
        return Satisfaction(value) if isinstance(value, str) else None

    @property
    def reopen_wanted(self) -> bool:
        return (
            self.satisfaction is Satisfaction.unsatisfied
            and self.query_one("#follow-up-reopen", Checkbox).value
        )

    @on(Select.Changed, "#follow-up-satisfaction")
    @on(Checkbox.Changed, "#follow-up-reopen")
    def _answer_changed(self, event: Select.Changed | Checkbox.Changed) -> None:
        event.stop()
        self._show_reopen()

    def _show_reopen(self) -> None:
        """重新办理 only after 不满意; its reason only once it is ticked."""
        unsatisfied = self.satisfaction is Satisfaction.unsatisfied
        self.query_one("#follow-up-reopen-row").display = unsatisfied
        self.query_one("#follow-up-reason-row").display = self.reopen_wanted
        if not self.reopen_wanted:
            self.query_one("#error-reason", Static).remove_class("-shown")

    def collect_request(self) -> FollowUpRequest:
        problems: list[FieldProblem] = []
        satisfaction = self.satisfaction
        if satisfaction is None:
            problems.append(FieldProblem("satisfaction", t("rule.required")))
        note = reason = ""
        try:
            note = validate_reason(
                self.query_one("#follow-up-note", Input).value, field="note", required=False
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        if self.reopen_wanted:
            try:
                reason = validate_reason(
                    self.query_one("#follow-up-reopen-reason", Input).value, field="reason"
                )
            except ValidationFailed as failure:
                problems.extend(failure.problems)
        if problems or satisfaction is None:
            raise ValidationFailed(problems)
        return FollowUpRequest(satisfaction, note, reason)

    def submit(self, request: FollowUpRequest) -> FollowUpResult:
        row = self.row
        detail = self.closure.follow_up(
            row.code, row.version, satisfaction=request.satisfaction, note=request.note
        )
        if not request.reopen_reason:
            return FollowUpResult(row.code, detail)
        # the follow-up is recorded: a refused reopen is reported, not undone
        try:
            reopened = self.closure.reopen(row.code, detail.version, reason=request.reopen_reason)
        except DomainError as error:
            return FollowUpResult(row.code, detail, reopen_error=str(error))
        return FollowUpResult(row.code, detail, reopened=reopened)

    def refused(self, request: FollowUpRequest, error: DomainError) -> FollowUpResult:
        return FollowUpResult(self.row.code, None, str(error))
