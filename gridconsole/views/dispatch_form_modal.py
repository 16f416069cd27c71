"""A form of the dispatch pane that performs its own service call.

Ctrl+S checks the fields here, then calls the service in a worker. The form stays open when the
service names a field problem (``ValidationFailed``) or a refusal the operator can correct in the
form (a subclass says which); it closes with the result when the call succeeded, and with the
refusal when nothing in the form could change it (someone else changed the case, the role may
not), so the pane shows it and reloads. An unexpected error leaves the form open with what was
typed, and the app reports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import on, work
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static
from textual.worker import Worker, WorkerState

from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail, CaseRow
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.dispatch_table import state_label
from gridconsole.views.formatting import safe
from gridconsole.views.messages import OperationFailed

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

SUBMIT_GROUP = "form-submit"


@dataclass(frozen=True)
class CaseResult:
    """What one action on one case came to: the case after it, or the refusal."""

    code: str
    detail: CaseDetail | None
    error: str = ""


def row_summary(row: CaseRow) -> Content:
    """``CODE  title  state  grid`` of the case a form acts on (database text literally)."""
    return Content.assemble(
        (row.code, "bold"),
        "  ",
        safe(row.title),
        "  ",
        (state_label(row.state), "italic"),
        "  ",
        safe(row.grid_name),
    )


class FormProblems(Message):
    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__()
        self.problems = problems


class FormDone(Message):
    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result


class SubmittingModal(ActionModal[ResultT], Generic[RequestT, ResultT]):
    """Subclasses read the fields (:meth:`collect_request`), call the service (:meth:`submit`,
    in a worker thread) and turn a refusal into a result (:meth:`refused`)."""

    def __init__(self, title: str, summary: Content | None = None) -> None:
        super().__init__(title, summary)
        self.submitting = False

    @staticmethod
    def tall_field(name: str, label: str, widget: Widget) -> Iterable[Widget]:
        """A labelled field taller than one line (a list), and its error line."""
        row = Horizontal(
            Label(Content(label), classes="field-label"), widget, classes="field-row -tall"
        )
        return (row, Static(classes="field-error", id=f"error-{name}"))

    # -- what subclasses provide ------------------------------------------------------------------

    def collect_request(self) -> RequestT:
        """The request the fields describe; raises ``ValidationFailed`` for what is wrong."""
        raise NotImplementedError

    def submit(self, request: RequestT) -> ResultT:
        """Call the service (in a worker thread)."""
        raise NotImplementedError

    def refused(self, request: RequestT, error: DomainError) -> ResultT:
        """The result that reports ``error`` to the pane."""
        raise NotImplementedError

    def field_for(self, error: DomainError) -> str | None:
        """The field where a refusal the operator can correct here is shown (None: close)."""
        return None

    def show_form_error(self, message: str) -> None:
        """``message`` on the form's own error line (under the fields)."""
        self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), message)

    # -- saving -----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.submitting:
            return
        try:
            request = self.collect_request()
        except ValidationFailed as failure:
            self.show_problems(failure.problems)
            return
        self.clear_problems()
        self._set_submitting(True)
        self.run_submit(request)

    def action_cancel(self) -> None:
        if not self.submitting:  # the call is under way: its answer decides
            self.dismiss(None)

    def _set_submitting(self, submitting: bool) -> None:
        self.submitting = submitting
        self.query_one("#modal-save", Button).disabled = submitting

    @work(thread=True, exclusive=True, exit_on_error=False, group=SUBMIT_GROUP)
    def run_submit(self, request: RequestT) -> None:
        try:
            result = self.submit(request)
        except ValidationFailed as failure:
            self.post_message(FormProblems(failure.problems))
            return
        except DomainError as error:
            field = self.field_for(error)
            if field is not None:
                self.post_message(FormProblems([FieldProblem(field, str(error))]))
            else:
                self.post_message(FormDone(self.refused(request, error)))
            return
        self.post_message(FormDone(result))

    @on(FormProblems)
    def _problems_found(self, message: FormProblems) -> None:
        message.stop()
        self._set_submitting(False)
        self.show_problems(message.problems)

    @on(FormDone)
    def _done(self, message: FormDone) -> None:
        message.stop()
        self.submitting = False
        self.dismiss(message.result)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != SUBMIT_GROUP or event.state is not WorkerState.ERROR:
            return
        self._set_submitting(False)
        if event.worker.error is not None:
            self.show_form_error(t("dispatch.form_not_saved"))
            self.post_message(OperationFailed(event.worker.error))
