"""The overdue pane (超期预警) the shift lead keeps open: every running deadline in warning or
overdue, and those falling due within the next working hours, soonest due first.

Countdowns tick every second from the deadlines in memory and the console's clock; the database
is read only when the change token moves, when a listed row crosses a boundary, or when the
clock reaches the instant the board said the listed set would next change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, DeadlineStep
from gridconsole.i18n import t
from gridconsole.services.overdue_records import (
    OverdueBoard,
    OverdueCursor,
    OverdueFilter,
    OverdueFilterOptions,
    OverdueRow,
)
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import reread_case
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.escalate_modal import escalate_case
from gridconsole.views.formatting import choice_options, local_time, thousands
from gridconsole.views.messages import OperationFailed
from gridconsole.views.overdue_note_modal import (
    OverdueNoteModal,
    overdue_summary,
    press_department,
)
from gridconsole.views.overdue_table import OverdueTable
from gridconsole.views.overdue_wall import OverdueWall
from gridconsole.views.ports import ConsoleServices

TICK_SECONDS = 1.0
# binding action name → the case action it performs
OVERDUE_ACTIONS: dict[str, Action] = {
    "urge_case": Action.urge,
    "supervise_case": Action.supervise,
    "escalate_case": Action.escalate,
}


class OverduePane(CaseOpeningPane):
    """Warning, overdue and soon-due deadlines with live countdowns; a wall mode of counts."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "open_overdue_case", t("overdue.key_open"), id="open-overdue-case"),
        Binding("u", "urge_case", t("overdue.key_urge"), id="urge-case"),
        Binding("v", "supervise_case", t("overdue.key_supervise"), id="supervise-case"),
        Binding("E", "escalate_case", t("escalation.key_escalate"), show=False, id="escalate-case"),
        Binding("w", "toggle_wall", t("overdue.key_wall"), id="toggle-wall"),
        Binding("f", "focus_overdue_filters", t("overdue.key_filters"), id="focus-overdue-filters"),
        Binding("f5", "reload_overdue", t("overdue.key_reload"), show=False, id="reload-overdue"),
        Binding(
            "f7",
            "previous_overdue_page",
            t("queue.key_previous_page"),
            show=False,
            id="overdue-previous-page",
        ),
        Binding(
            "f8", "next_overdue_page", t("queue.key_next_page"), show=False, id="overdue-next-page"
        ),
        Binding(
            "escape",
            "focus_overdue_table",
            t("overdue.key_back_to_table"),
            show=False,
            id="focus-overdue-table",
        ),
    ]

    CASE_GROUP = "overdue-case"
    NO_SELECTION = "overdue.no_selection"

    class BoardLoaded(Message):
        def __init__(self, board: OverdueBoard, request: int) -> None:
            super().__init__()
            self.board = board
            self.request = request

    class OptionsLoaded(Message):
        def __init__(self, options: OverdueFilterOptions) -> None:
            super().__init__()
            self.options = options

    class CaseActed(Message):
        """催办 or 督办 was recorded."""

        def __init__(self, detail: CaseDetail, action: Action) -> None:
            super().__init__()
            self.detail = detail
            self.action = action

    change_token: reactive[int] = reactive(0, init=False)
    wall_mode: reactive[bool] = reactive(False, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.query_filter = OverdueFilter()
        self.board: OverdueBoard | None = None
        # keyset pages: the cursor each page starts after (None: the first page)
        self.page_cursors: list[OverdueCursor | None] = [None]
        self.reading = False  # a read is in flight (not Textual's `loading`: that draws an overlay)
        self._request = 0

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Grid(id="overdue-filters"):
            yield Select[str](
                [(t(f"step.{step.value}"), step.value) for step in DeadlineStep],
                prompt=t("overdue.filter_step"),
                compact=True,
                id="overdue-filter-step",
            )
            yield Select[str](
                [],
                prompt=t("overdue.filter_department"),
                compact=True,
                id="overdue-filter-department",
            )
            yield Select[str](
                [],
                prompt=t("overdue.filter_community"),
                compact=True,
                id="overdue-filter-community",
            )
        yield OverdueTable(self.services.context.settings.centre.zone, id="overdue-table")
        yield OverdueWall(id="overdue-wall")
        with Horizontal(id="overdue-status-line"):
            yield Static(id="overdue-status")
            yield Static(id="overdue-horizon")

    def on_mount(self) -> None:
        self.table.set_layout(self.app.size.width)
        self.wall.display = False
        self.table.focus()
        self.set_interval(TICK_SECONDS, self.tick, name="overdue-tick")
        self.load_options()
        self.reload()

    def on_resize(self) -> None:
        self.table.set_layout(self.size.width)

    @property
    def table(self) -> OverdueTable:
        return self.query_one(OverdueTable)

    @property
    def wall(self) -> OverdueWall:
        return self.query_one(OverdueWall)

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self._request += 1
        self.reading = True
        self.load_board(self.query_filter, self.page_cursors[-1], self._request)

    def watch_change_token(self) -> None:
        if self.board is not None:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="overdue-board")
    def load_board(self, query: OverdueFilter, after: OverdueCursor | None, request: int) -> None:
        board = self.services.overdue.page(query, after=after)
        if not get_current_worker().is_cancelled:
            self.post_message(self.BoardLoaded(board, request))

    @work(thread=True, exclusive=True, exit_on_error=False, group="overdue-options")
    def load_options(self) -> None:
        self.post_message(self.OptionsLoaded(self.services.overdue.filter_options()))

    def on_overdue_pane_board_loaded(self, message: BoardLoaded) -> None:
        if message.request != self._request:
            return
        self.reading = False
        board = message.board
        self.board = board
        self.table.show_rows(board.rows, board.countdown, self.services.context.now())
        self.wall.show_counts(board.counts, board.departments)
        self._show_status(board)
        self.refresh_bindings()

    def on_overdue_pane_options_loaded(self, message: OptionsLoaded) -> None:
        for select_id, choices in (
            ("#overdue-filter-department", message.options.departments),
            ("#overdue-filter-community", message.options.communities),
        ):
            self.query_one(select_id, Select).set_options(choice_options(choices))

    def _show_status(self, board: OverdueBoard) -> None:
        counts = board.counts
        self.query_one("#overdue-status", Static).update(
            Content(
                t("overdue.page", page=len(self.page_cursors))
                + t(
                    "overdue.status",
                    overdue=thousands(counts.overdue),
                    warning=thousands(counts.warning),
                    upcoming=thousands(counts.upcoming),
                    shown=thousands(len(board.rows)),
                    total=thousands(board.total),
                )
            )
        )
        zone = self.services.context.settings.centre.zone
        self.query_one("#overdue-horizon", Static).update(
            Content(
                t(
                    "overdue.horizon",
                    hours=board.upcoming_working_hours,
                    until=local_time(board.horizon, zone, "%m-%d %H:%M"),
                )
            )
        )

    # -- the tick: countdowns from memory ---------------------------------------------------------

    def tick(self) -> None:
        """Recount the countdowns at the clock's now (the interval calls this; so may a test).
        Reads the database only when the listed set may have changed."""
        board = self.board
        if board is None or not self.display:
            return
        now = self.services.context.now()
        crossed = self.table.tick(now)
        if self.reading:
            return
        if crossed or self._set_may_change(board, now):
            self.reload()

    @staticmethod
    def _set_may_change(board: OverdueBoard, now: datetime) -> bool:
        if board.next_warn_at is not None and now >= board.next_warn_at:
            return True
        if board.next_due_after_horizon is not None:
            horizon = board.countdown.horizon(now, board.upcoming_working_hours)
            return horizon >= board.next_due_after_horizon
        return False

    # -- filters and modes ------------------------------------------------------------------------

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        event.stop()

        def chosen(select_id: str) -> str | None:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else None

        step = chosen("#overdue-filter-step")
        query = OverdueFilter(
            step=DeadlineStep(step) if step else None,
            department_code=chosen("#overdue-filter-department"),
            community_code=chosen("#overdue-filter-community"),
        )
        if query != self.query_filter:
            self.query_filter = query
            self.page_cursors = [None]  # a new filter starts at its first page
            self.reload()

    def action_toggle_wall(self) -> None:
        self.wall_mode = not self.wall_mode

    def watch_wall_mode(self, wall_mode: bool) -> None:
        self.table.display = not wall_mode
        self.wall.display = wall_mode
        self.set_class(wall_mode, "-wall")
        # keep the focus inside the pane so its keys (w back) still answer
        if wall_mode:
            self.wall.departments_table.focus()
        else:
            self.table.focus()
        self.refresh_bindings()

    def action_focus_overdue_filters(self) -> None:
        self.query_one("#overdue-filter-step", Select).focus()

    def action_focus_overdue_table(self) -> None:
        self.table.focus()

    def action_reload_overdue(self) -> None:
        self.reload()

    def action_next_overdue_page(self) -> None:
        if self.board is None or self.board.next_cursor is None:
            return
        self.page_cursors.append(self.board.next_cursor)
        self.reload()

    def action_previous_overdue_page(self) -> None:
        if len(self.page_cursors) > 1:
            self.page_cursors.pop()
            self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what the selected case or the operator's role does not allow (the services
        check again)."""
        if action == "previous_overdue_page":
            return True if len(self.page_cursors) > 1 else None
        if action == "next_overdue_page":
            return True if self.board is not None and self.board.next_cursor else None
        if action in OVERDUE_ACTIONS or action == "open_overdue_case":
            row = self.table.selected_row
            if self.wall_mode or row is None:
                return None
            if action in OVERDUE_ACTIONS:
                case_action = OVERDUE_ACTIONS[action]
                role = self.services.context.actor.role
                if not (
                    permissions.allowed(role, case_action) and lifecycle.can(case_action, row.state)
                ):
                    return None
        return True

    @on(DataTable.RowHighlighted, "#overdue-table")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    # -- opening a case and acting on it ----------------------------------------------------------

    def _selected(self) -> OverdueRow | None:
        return self._or_warn(self.table.selected_row)

    def action_open_overdue_case(self) -> None:
        self.open_selected_case()

    def action_urge_case(self) -> None:
        self._ask_note(Action.urge)

    def action_supervise_case(self) -> None:
        self._ask_note(Action.supervise)

    def action_escalate_case(self) -> None:
        row = self._selected()
        if row is not None:
            escalate_case(self, self.services.escalations, row.code, overdue_summary(row))

    def _ask_note(self, action: Action) -> None:
        row = self._selected()
        if row is None:
            return
        modal = OverdueNoteModal(
            t(f"overdue.{action.value}_title"),
            overdue_summary(row),
            version=row.version,
            submit=press_department(self.services.cases, row.code, action),
            reread=reread_case(self.services.queue, row.code),
            with_channel=action is Action.urge,
        )
        self.app.push_screen(modal, self._note_closed(modal, action))

    def _note_closed(
        self, form: OverdueNoteModal, action: Action
    ) -> Callable[[CaseDetail | None], None]:
        """After the form: the table has the focus again; a saved 催办/督办 is told and the
        board read again (so is a form left after a refusal: the case may have changed)."""

        def closed(detail: CaseDetail | None) -> None:
            self.table.focus()
            if detail is not None:
                self.post_message(self.CaseActed(detail, action))
            elif form.refusals:
                self.reload()

        return closed

    def on_overdue_pane_case_acted(self, message: CaseActed) -> None:
        self.notify(
            t(
                "overdue.action_done",
                code=message.detail.code,
                action=t(f"action.{message.action.value}"),
            ),
            markup=False,
        )
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if not str(event.worker.group).startswith("overdue"):
            return
        self.post_message(OperationFailed(event.worker.error))
        if event.worker.group == "overdue-board":
            self.reading = False
