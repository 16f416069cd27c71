"""A form that hands its fields to a service itself and stays open when the service refuses.

The department's requests and the shift lead's decisions are refused for reasons only the
service knows (a new deadline in non-working time, someone else changed the case): the refusal
is shown in the form — at the field it names, or under the fields — and what was typed stays.
When the case changed meanwhile, the form says who changed it, re-reads the case's version, and
a second Ctrl+S sends the same fields against the new version (the operator has been told).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar, Generic, TypeVar

from textual import work
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from gridconsole.domain.errors import (
    DomainError,
    FieldProblem,
    RuleRefused,
    StaleCase,
    ValidationFailed,
)
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.messages import OperationFailed

ChoiceT = TypeVar("ChoiceT")

# Submit the fields against a case version; runs in a worker thread.
Submit = Callable[[ChoiceT, int], CaseDetail]
# Read the case's current version again (after a StaleCase); runs in a worker thread.
Reread = Callable[[], int]


class CaseFormModal(ActionModal[CaseDetail], Generic[ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""

    # a field name the service uses → the field of this form that shows its problems
    SERVICE_FIELDS: ClassVar[Mapping[str, str]] = {}

    class Refused(Message):
        def __init__(self, error: DomainError) -> None:
            super().__init__()
            self.error = error

    class Submitted(Message):
        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

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
        submit: Submit[ChoiceT],
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
        """Where a rule refusal is shown (by default under the fields)."""
        return FORM_ERROR

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
        self.submitting = True
        self.set_class(True, "-submitting")
        self.run_submit(choice, self.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-submit")
    def run_submit(self, choice: ChoiceT, version: int) -> None:
        self.post_message(self.Submitted(self.submit(choice, version)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-reread")
    def run_reread(self) -> None:
        self.post_message(self.VersionReread(self.reread()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group not in ("form-submit", "form-reread"):
            return
        if event.state is WorkerState.SUCCESS and event.worker.group == "form-submit":
            return
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.submitting = False
        self.set_class(False, "-submitting")
        error = event.worker.error
        if isinstance(error, DomainError):
            self.post_message(self.Refused(error))
        elif error is not None:
            self.post_message(OperationFailed(error))

    def on_case_form_modal_submitted(self, message: Submitted) -> None:
        self.dismiss(message.detail)

    def on_case_form_modal_refused(self, message: Refused) -> None:
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

    def on_case_form_modal_version_reread(self, message: VersionReread) -> None:
        self.version = message.version
        if self.refusals and isinstance(self.refusals[-1], StaleCase):
            text = f"{self.refusals[-1]} {t('desk.stale_again')}"
            self.show_problems([FieldProblem(FORM_ERROR, text)])

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """Each problem under its field; those naming no field of this form (and refusals)
        under the fields, as their message alone."""
        self.clear_problems()
        unplaced: list[str] = []
        for problem in problems:
            found = self.query(f"#error-{problem.field}")
            if found and problem.field != FORM_ERROR:
                self._show_error(found.first(Static), problem.message)
            elif problem.field == FORM_ERROR:
                unplaced.append(problem.message)
            else:
                unplaced.append(str(problem))
        if unplaced:
            self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), "; ".join(unplaced))
