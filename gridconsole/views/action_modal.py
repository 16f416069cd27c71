"""The frame every form modal shares: labelled fields, errors next to them, save and cancel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.formatting import safe

ResultT = TypeVar("ResultT")

FORM_ERROR = "form"  # problems that name no field of this modal are shown at the bottom


def case_summary(detail: CaseDetail) -> Content:
    """``CODE  title`` of the case an action applies to (the title shown literally)."""
    return Content.assemble(
        (detail.code, "bold"),
        "  ",
        safe(detail.title),
        "  ",
        (t(f"state.{detail.state.value}"), "italic"),
    )


class ActionModal(ModalScreen[ResultT | None], Generic[ResultT]):
    """A form over the console: ``collect`` turns the fields into a result or raises
    :class:`ValidationFailed`, whose problems appear under the fields they name."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", t("form.key_cancel"), id="modal-cancel"),
        Binding("ctrl+s", "save", t("form.key_save"), id="modal-save"),
    ]

    def __init__(self, title: str, summary: Content | None = None) -> None:
        super().__init__(classes="action-modal")
        self.modal_title = title
        self.summary = summary

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-frame"):
            yield Static(Content(self.modal_title), classes="modal-title")
            if self.summary is not None:
                yield Static(self.summary, classes="modal-summary")
            yield from self.compose_fields()
            yield Static(classes="field-error", id=f"error-{FORM_ERROR}")
            with Horizontal(classes="modal-buttons"):
                yield Button(
                    Content(t("form.save")), variant="primary", id="modal-save", compact=True
                )
                yield Button(Content(t("form.cancel")), id="modal-cancel", compact=True)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def field(name: str, label: str, widget: Widget) -> Iterable[Widget]:
        """A labelled field row and the (hidden until needed) error line under it."""
        row = Horizontal(Label(Content(label), classes="field-label"), widget, classes="field-row")
        return (row, Static(classes="field-error", id=f"error-{name}"))

    def collect(self) -> ResultT:
        raise NotImplementedError

    # -- errors -------------------------------------------------------------------------------

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        self.clear_problems()
        unplaced: list[str] = []
        for problem in problems:
            found = self.query(f"#error-{problem.field}")
            if found and problem.field != FORM_ERROR:
                self._show_error(found.first(Static), problem.message)
            else:
                unplaced.append(str(problem))
        if unplaced:
            self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), "; ".join(unplaced))

    @staticmethod
    def _show_error(target: Static, message: str) -> None:
        target.update(Content(safe(message)))
        target.add_class("-shown")

    def clear_problems(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update(Content(""))
            error.remove_class("-shown")

    @property
    def shown_problems(self) -> dict[str, str]:
        """Field name → the error shown under it (what tests and screen readers look at)."""
        return {
            str(error.id).removeprefix("error-"): str(error.render())
            for error in self.query(".field-error.-shown").results(Static)
        }

    # -- actions ------------------------------------------------------------------------------

    def action_save(self) -> None:
        try:
            result = self.collect()
        except ValidationFailed as failure:
            self.show_problems(failure.problems)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#modal-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#modal-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()


def required(value: str, name: str) -> list[FieldProblem]:
    return [] if value.strip() else [FieldProblem(name, t("rule.required"))]
