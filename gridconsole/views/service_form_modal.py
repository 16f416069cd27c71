"""A form that hands its fields to a service itself and stays open when the service refuses.

Some refusals only the service can make (a new deadline in non-working time, a case already on
the board, someone else changed the record): the refusal is shown in the form — at the field it
names, or under the fields — and what was typed stays. When the record changed meanwhile, the
form says who changed it, re-reads its version, and a second Ctrl+S sends the same fields against
the new version (the operator has been told). The case forms
(:mod:`gridconsole.views.case_form_modal`) and the escalation forms
(:mod:`gridconsole.views.escalation_form_modal`) are this form over their own result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar, Generic, TypeVar, cast

from textual import work
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from gridconsole.domain.errors import (
    DomainError,
    FieldProblem,
    RuleRefused,
    StaleCase,
    ValidationFailed,
)
from gridconsole.i18n import t
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.messages import OperationFailed

ResultT = TypeVar("ResultT")
ChoiceT = TypeVar("ChoiceT")

# Read the record's current version again (after a StaleCase); runs in a worker thread.
Reread = Callable[[], int]
SUBMIT_GROUP = "form-submit"
REREAD_GROUP = "form-reread"


class ServiceFormModal(ActionModal[ResultT], Generic[ResultT, ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""

    # a field name the service uses → the field of this form that shows its problems
    SERVICE_FIELDS: ClassVar[Mapping[str, str]] = {}
    # a rule the service refuses by → the field of this form that shows it
    RULE_FIELDS: ClassVar[Mapping[str, str]] = {}
    # said after the stale-record refusal, once the version has been read again
    STALE_AGAIN: ClassVar[str] = "desk.stale_again"
    # said in the form when the call failed unexpectedly (None: the console's notice only)
    NOT_SAVED: ClassVar[str | None] = None
    # a problem naming a field this form lacks is shown with the field's name
    NAME_UNPLACED: ClassVar[bool] = True

    class Refused(Message):
        def __init__(self, error: DomainError) -> None:
            super().__init__()
            self.error = error

    class Submitted(Message):
        def __init__(self, result: object) -> None:
            super().__init__()
            self.result = result

    class VersionReread(Message):
        def __init__(self, version: int) -> None:
            super().__init__()
            self.version = version

    def __init__(
        self,
        title: str,
        summary: Content | None,
        *,
        version: int,
        submit: Callable[[ChoiceT, int], ResultT],
        reread: Reread,
    ) -> None:
        super().__init__(title, summary)
        self.version = version
        self.submit = submit
        self.reread = reread
        self.submitting = False
        self.refusals: list[DomainError] = []  # every refusal shown (tests look at them)

    def read_fields(self) -> ChoiceT:
        """The fields as a choice, or :class:`ValidationFailed` naming the fields."""
        raise NotImplementedError

    def rule_field(self, error: RuleRefused) -> str:
        """Where a rule refusal is shown (by default :attr:`RULE_FIELDS`, else under the
        fields)."""
        return self.RULE_FIELDS.get(error.rule, FORM_ERROR)

    # -- saving -----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.submitting:
            return
        try:
            choice = self.read_fields()
        except ValidationFailed as failure:
            self.show_problems(failure.problems)
            return
        self.clear_problems()
        self._set_submitting(True)
        self.run_submit(choice, self.version)

    def action_cancel(self) -> None:
        if not self.submitting:  # the call is under way: its answer decides
            self.dismiss(None)

    def _set_submitting(self, submitting: bool) -> None:
        self.submitting = submitting
        self.set_class(submitting, "-submitting")
        for button in self.query("#modal-save").results(Button):
            button.disabled = submitting

    @work(thread=True, exclusive=True, exit_on_error=False, group=SUBMIT_GROUP)
    def run_submit(self, choice: ChoiceT, version: int) -> None:
        self.post_message(self.Submitted(self.submit(choice, version)))

    @work(thread=True, exclusive=True, exit_on_error=False, group=REREAD_GROUP)
    def run_reread(self) -> None:
        self.post_message(self.VersionReread(self.reread()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group not in (SUBMIT_GROUP, REREAD_GROUP):
            return
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._set_submitting(False)
        error = event.worker.error
        if isinstance(error, DomainError):
            self.post_message(self.Refused(error))
        elif error is not None:
            if self.NOT_SAVED is not None:
                self.show_problems([FieldProblem(FORM_ERROR, t(self.NOT_SAVED))])
            self.post_message(OperationFailed(error))

    def on_service_form_modal_submitted(self, message: Submitted) -> None:
        message.stop()
        self.submitting = False
        self.dismiss(cast(ResultT, message.result))

    def on_service_form_modal_refused(self, message: Refused) -> None:
        message.stop()
        self.show_refusal(message.error)

    def show_refusal(self, error: DomainError) -> None:
        """The service's refusal, in the form: at the field it names, or under the fields."""
        self.refusals.append(error)
        if isinstance(error, ValidationFailed):
            self.show_problems(
                FieldProblem(self.SERVICE_FIELDS.get(problem.field, problem.field), problem.message)
                for problem in error.problems
            )
            return
        field = self.rule_field(error) if isinstance(error, RuleRefused) else FORM_ERROR
        self.show_problems([FieldProblem(field, str(error))])
        if isinstance(error, StaleCase):
            self.run_reread()

    def on_service_form_modal_version_reread(self, message: VersionReread) -> None:
        message.stop()
        self.version = message.version
        if self.refusals and isinstance(self.refusals[-1], StaleCase):
            text = f"{self.refusals[-1]} {t(self.STALE_AGAIN)}"
            self.show_problems([FieldProblem(FORM_ERROR, text)])

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """Each problem under its field; those naming no field of this form (and refusals)
        under the fields."""
        self.clear_problems()
        unplaced: list[str] = []
        for problem in problems:
            found = self.query(f"#error-{problem.field}")
            if found and problem.field != FORM_ERROR:
                self._show_error(found.first(Static), problem.message)
            elif problem.field == FORM_ERROR or not self.NAME_UNPLACED:
                unplaced.append(problem.message)
            else:
                unplaced.append(str(problem))
        if unplaced:
            self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), "; ".join(unplaced))
