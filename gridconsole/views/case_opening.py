"""A pane whose Enter shows the case under its cursor in the detail screen.

The detail is read in a worker of the pane's own group, so the pane's error handler (which
filters on its group prefix) reports a failed read; the detail screen's keys are the queue's
intake actions, so a pane that is not the queue only says where they are.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.containers import Vertical
from textual.widgets import DataTable

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action
from gridconsole.i18n import t
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.escalate_modal import escalate_case
from gridconsole.views.keyed_case_table import KeyedCaseTable, KeyedRow
from gridconsole.views.messages import CaseDetailLoaded
from gridconsole.views.ports import ConsoleServices

SelectedT = TypeVar("SelectedT")


class CaseOpeningPane(Vertical):
    """Subclasses give their table, the worker group and the texts."""

    CASE_GROUP: ClassVar[str]  # the worker group that reads the case
    NO_SELECTION: ClassVar[str]  # the i18n key when no row is under the cursor
    INTAKE_NOTICE: ClassVar[str] = "overdue.intake_in_queue"  # an intake key chosen in the detail

    services: ConsoleServices

    @property
    def table(self) -> KeyedCaseTable[Any]:
        raise NotImplementedError

    def opens_from(self, table: DataTable[Any]) -> bool:
        """Whether choosing a row of ``table`` opens its case."""
        return table is self.table

    def selected_case_code(self) -> str | None:
        row: KeyedRow | None = self.table.selected_row
        return row.code if row is not None else None

    def focus_table(self) -> None:
        self.table.focus()

    def _warn_no_selection(self) -> None:
        self.notify(t(self.NO_SELECTION), severity="warning", markup=False)

    def _or_warn(self, selected: SelectedT | None) -> SelectedT | None:
        """``selected`` as given, with a warning when nothing is selected."""
        if selected is None:
            self._warn_no_selection()
        return selected

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if not self.opens_from(event.data_table):
            return
        event.stop()
        self.open_selected_case()

    def open_selected_case(self) -> None:
        code = self._or_warn(self.selected_case_code())
        if code is not None:
            self.read_case(code)

    def read_case(self, code: str) -> None:
        # what @work does, with the group the subclass names
        self.run_worker(
            partial(self._read_case, code),
            name="read_case",
            group=self.CASE_GROUP,
            description=f"read_case({code!r})",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def _read_case(self, code: str) -> None:
        self.post_message(CaseDetailLoaded(self.services.queue.detail(code), None))

    def on_case_detail_loaded(self, message: CaseDetailLoaded) -> None:
        zone = self.services.context.settings.centre.zone
        code = message.detail.code
        self.app.push_screen(
            CaseDetailScreen(
                message.detail,
                zone,
                may_escalate=permissions.allowed(self.services.context.actor.role, Action.escalate),
            ),
            lambda action: self._detail_closed(action, code),
        )

    def _detail_closed(self, action: Action | None, code: str = "") -> None:
        self.focus_table()
        if action is Action.escalate:  # E in the detail: the escalation form for this case
            escalate_case(self, self.services.escalations, code)
        elif action is not None:
            self.notify(t(self.INTAKE_NOTICE), severity="warning", markup=False)
