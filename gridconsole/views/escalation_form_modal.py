"""A form on an escalation card that hands its fields to the service itself and stays open when
the service refuses: at the field the refusal names, or under the fields, with what was typed
kept. When someone else changed the escalation meanwhile, the form says who, re-reads its
version, and a second Ctrl+S sends the same fields against the new version (as the case forms
do, :mod:`gridconsole.views.case_form_modal`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar, Generic, TypeVar

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
from gridconsole.services.escalation_records import EscalationCard
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.messages import OperationFailed

ChoiceT = TypeVar("ChoiceT")

# Submit the fields against an escalation version; runs in a worker thread.
SubmitEscalation = Callable[[ChoiceT, int], EscalationCard]
# Read the escalation's current version again (after a StaleCase); runs in a worker thread.
RereadVersion = Callable[[], int]

SUBMIT_GROUP = "escalation-form-submit"
REREAD_GROUP = "escalation-form-reread"


class EscalationFormModal(ActionModal[EscalationCard], Generic[ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""

    # a rule the service refuses by → the field of this form that shows it
    RULE_FIELDS: ClassVar[Mapping[str, str]] = {}

    class Refused(Message):
        def __init__(self, error: DomainError) -> None:
            super().__init__()
            self.error = error

    class Submitted(Message):
        def __init__(self, card: EscalationCard) -> None:
            super().__init__()
            self.card = card

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
        submit: SubmitEscalation[ChoiceT],
        reread: RereadVersion,
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
        self.query_one("#modal-save", Button).disabled = submitting

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
            self.show_problems([FieldProblem(FORM_ERROR, t("escalation.form_not_saved"))])
            self.post_message(OperationFailed(error))

    def on_escalation_form_modal_submitted(self, message: Submitted) -> None:
        message.stop()
        self.submitting = False
        self.dismiss(message.card)

    def on_escalation_form_modal_refused(self, message: Refused) -> None:
        message.stop()
        self.show_refusal(message.error)

    def show_refusal(self, error: DomainError) -> None:
        """The service's refusal, in the form: at the field it names, or under the fields."""
        self.refusals.append(error)
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
            return
        field = FORM_ERROR
        if isinstance(error, RuleRefused):
            field = self.RULE_FIELDS.get(error.rule, FORM_ERROR)
        self.show_problems([FieldProblem(field, str(error))])
        if isinstance(error, StaleCase):
            self.run_reread()

    def on_escalation_form_modal_version_reread(self, message: VersionReread) -> None:
        message.stop()
        self.version = message.version
        if self.refusals and isinstance(self.refusals[-1], StaleCase):
            text = f"{self.refusals[-1]} {t('escalation.stale_again')}"
            self.show_problems([FieldProblem(FORM_ERROR, text)])

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """Each problem under its field; those naming no field of this form under the fields,
        as their message alone."""
        self.clear_problems()
        unplaced: list[str] = []
        for problem in problems:
            found = self.query(f"#error-{problem.field}")
            if found and problem.field != FORM_ERROR:
                self._show_error(found.first(Static), problem.message)
            else:
                unplaced.append(problem.message)
        if unplaced:
            self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), "; ".join(unplaced))
