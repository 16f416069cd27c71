"""The dispatch pane (派遣): the centre's three work lists after intake.

待派遣 holds accepted cases, cases a department returned (退回, for 改派) and cases reopened after
verification or follow-up (返工), most urgent then oldest first, each with where it would go
(the configured department and the one that usually completes such cases, with its on-time
rate). Rows are marked with space, k9s-style, and dispatched together; the ones refused stay
marked with the reason. 待核查 records the grid worker's check on site after the department's
feedback; 待回访 records the reporter's satisfaction, and after 不满意 may reopen the case.

Each list is read a page at a time and re-read when the change token moves; the cursor and the
marks stay on their cases.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, AdminAction, CaseState, Role
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentRef, RoutingSuggestion
from gridconsole.services.records import CaseDetail, CaseRow, Page, QueueCursor, QueueFilter
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.dispatch_form_modal import CaseResult, row_summary
from gridconsole.views.dispatch_lists import DispatchList
from gridconsole.views.dispatch_modal import DispatchModal, DispatchResult
from gridconsole.views.dispatch_table import DispatchTable, route_line
from gridconsole.views.dispatch_urge_modal import DispatchUrgeModal
from gridconsole.views.escalate_modal import escalate_case
from gridconsole.views.follow_up_modal import FollowUpModal, FollowUpResult
from gridconsole.views.formatting import safe, thousands
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.verify_modal import VerifyModal

DEADLINE_REFRESH_SECONDS = 30.0
# failures of the last dispatch listed under the table (the rest are in the notifications)
PROBLEMS_SHOWN = 4
# binding action → the list it belongs to (hidden on the others)
LIST_OF_ACTION: dict[str, tuple[DispatchList, ...]] = {
    "toggle_mark": (DispatchList.waiting,),
    "mark_page": (DispatchList.waiting,),
    "clear_marks": (DispatchList.waiting,),
    "dispatch_cases": (DispatchList.waiting,),
    "verify_pass": (DispatchList.verify,),
    "verify_fail": (DispatchList.verify,),
    "follow_up_case": (DispatchList.follow_up,),
    "urge_dispatch_case": (DispatchList.waiting, DispatchList.verify),
}
# binding action → the case action it performs (for the role and state checks)
CASE_ACTION: dict[str, Action] = {
    "verify_pass": Action.verify_pass,
    "verify_fail": Action.verify_fail,
    "follow_up_case": Action.follow_up,
    "urge_dispatch_case": Action.urge,
    "escalate_case": Action.escalate,
}


def may_use_dispatch_pane(role: Role) -> bool:
    """The pane is the centre's (dispatchers and shift leads): liaisons, admins and auditors
    do not get it."""
    return any(
        permissions.allowed(role, action)
        for action in (Action.dispatch, Action.verify_pass, Action.follow_up)
    )


def can_dispatch(state: CaseState) -> bool:
    return lifecycle.can(Action.dispatch, state) or lifecycle.can(Action.redispatch, state)


class DispatchPane(CaseOpeningPane):
    """待派遣 / 待核查 / 待回访, a page at a time, with marks and the dispatch form."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "open_dispatch_case", t("dispatch.key_open"), id="open-dispatch-case"),
        Binding("l", "next_dispatch_list", t("dispatch.key_next_list"), id="next-dispatch-list"),
        Binding("space", "toggle_mark", t("dispatch.key_mark"), id="toggle-dispatch-mark"),
        Binding("a", "mark_page", t("dispatch.key_mark_page"), show=False, id="mark-dispatch-page"),
        Binding(
            "c", "clear_marks", t("dispatch.key_clear_marks"), show=False, id="clear-dispatch-marks"
        ),
        Binding("d", "dispatch_cases", t("dispatch.key_dispatch"), id="dispatch-cases"),
        Binding("p", "verify_pass", t("dispatch.key_verify_pass"), id="verify-pass"),
        Binding("x", "verify_fail", t("dispatch.key_verify_fail"), id="verify-fail"),
        Binding("h", "follow_up_case", t("dispatch.key_follow_up"), id="follow-up-case"),
        Binding("u", "urge_dispatch_case", t("dispatch.key_urge"), id="urge-dispatch-case"),
        Binding("E", "escalate_case", t("escalation.key_escalate"), show=False, id="escalate-case"),
        Binding(
            "f5", "reload_dispatch", t("dispatch.key_reload"), show=False, id="reload-dispatch"
        ),
        Binding(
            "f7",
            "previous_dispatch_page",
            t("queue.key_previous_page"),
            show=False,
            id="dispatch-previous-page",
        ),
        Binding(
            "f8",
            "next_dispatch_page",
            t("queue.key_next_page"),
            show=False,
            id="dispatch-next-page",
        ),
    ]

    CASE_GROUP = "dispatch-case"
    NO_SELECTION = "queue.no_selection"
    INTAKE_NOTICE = "dispatch.intake_in_queue"

    class PageLoaded(Message):
        def __init__(
            self,
            kind: DispatchList,
            page: Page[CaseRow],
            suggestions: dict[str, RoutingSuggestion],
            counts: dict[DispatchList, int],
            request: int,
        ) -> None:
            super().__init__()
            self.kind = kind
            self.page = page
            self.suggestions = suggestions
            self.counts = counts
            self.request = request

    class DepartmentsRead(Message):
        def __init__(
            self, targets: tuple[CaseRow, ...], departments: tuple[DepartmentRef, ...]
        ) -> None:
            super().__init__()
            self.targets = targets
            self.departments = departments

    change_token: reactive[int] = reactive(0, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.kind = DispatchList.waiting
        self.page_cursors: list[QueueCursor | None] = [None]
        self.next_cursor: QueueCursor | None = None
        self.total = 0
        self.counts: dict[DispatchList, int] = {}  # how many wait in each list
        self.loaded = False
        self.stale = False  # the token moved while the pane was hidden
        self.problems: dict[str, str] = {}  # case code → why its dispatch was refused
        self._request = 0

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="dispatch-tabs")
        yield DispatchTable(self.services.context.settings.centre.zone, id="dispatch-table")
        yield Static(id="dispatch-route")
        yield Static(id="dispatch-problems")
        with Horizontal(id="dispatch-status-line"):
            yield Static(id="dispatch-status")
            yield Static(id="dispatch-hint")

    def on_mount(self) -> None:
        self.table.set_layout(self.app.size.width)
        self.table.focus()
        self.set_interval(DEADLINE_REFRESH_SECONDS, self._refresh_deadlines)
        self._show_tabs()
        self._show_problems()
        self.reload()

    def on_resize(self) -> None:
        self.table.set_layout(self.size.width)

    @property
    def table(self) -> DispatchTable:
        return self.query_one(DispatchTable)

    def _refresh_deadlines(self) -> None:
        self.table.refresh_deadlines(self.services.context.now())

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the current page of the current list again."""
        self._request += 1
        self.stale = False
        self.load_page(self.kind, self.page_cursors[-1], self._request)

    def shown(self) -> None:
        """The pane came to the front: catch up with changes made while it was hidden."""
        if self.stale:
            self.reload()
        self.table.focus()

    def watch_change_token(self) -> None:
        if not self.loaded:
            return
        if self.display:
            self.reload()
        else:
            self.stale = True

    @work(thread=True, exclusive=True, exit_on_error=False, group="dispatch-page")
    def load_page(self, kind: DispatchList, after: QueueCursor | None, request: int) -> None:
        services = self.services
        page = services.queue.page(QueueFilter(states=kind.states), after)
        suggestions: dict[str, RoutingSuggestion] = {}
        if kind is DispatchList.waiting and page.rows:
            suggestions = services.routing.suggest([row.code for row in page.rows])
        counts = {kind: page.total}
        for other in DispatchList:
            if other is not kind:
                counts[other] = services.queue.page(QueueFilter(states=other.states), limit=1).total
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(kind, page, suggestions, counts, request))

    def on_dispatch_pane_page_loaded(self, message: PageLoaded) -> None:
        if message.request != self._request or message.kind is not self.kind:
            return  # an answer to a superseded request
        page = message.page
        self.loaded = True
        self.total = page.total
        self.next_cursor = page.next_cursor
        self.counts = message.counts
        self.table.show_rows(page.rows, message.suggestions, self.services.context.now())
        self._show_tabs()
        self._show_problems()
        self._show_status()
        self._show_route()
        self.refresh_bindings()

    # -- what the pane shows around the table -----------------------------------------------------

    def _show_tabs(self) -> None:
        parts: list[Text] = []
        for kind in DispatchList:
            count = self.counts.get(kind)
            label = t(kind.label_key)
            if count is not None:
                label += f" {thousands(count)}"
            style = "bold reverse" if kind is self.kind else ""
            parts.append(Text(f" {label} ", style=style))
        tabs = Text(" ").join(parts)
        tabs.append(f"  {t('dispatch.tabs_hint')}", style="dim")
        self.query_one("#dispatch-tabs", Static).update(tabs)

    def _show_status(self) -> None:
        status = self.query_one("#dispatch-status", Static)
        if not self.table.row_count:
            text = t(f"dispatch.empty_{self.kind.value}")
        else:
            text = t(
                "queue.page_status",
                page=len(self.page_cursors),
                shown=thousands(self.table.row_count),
                total=thousands(self.total),
            )
        if self.kind is DispatchList.waiting:
            text += t("dispatch.marked_status", count=len(self.table.marked))
        status.update(Content(text))
        hint = "dispatch.hint_waiting" if self.kind is DispatchList.waiting else "dispatch.hint"
        self.query_one("#dispatch-hint", Static).update(Content(t(hint)))

    def _show_route(self) -> None:
        """The cursor case in full: where it would go (待派遣), or its place and title."""
        route = self.query_one("#dispatch-route", Static)
        row = self.table.selected_row
        if row is None:
            route.update("")
            return
        if self.kind is DispatchList.waiting:
            text = route_line(self.table.suggestions.get(row.code))
        else:
            place = f"{safe(row.community_name)} {safe(row.grid_name)}".strip()
            text = t(
                "dispatch.case_line",
                category=safe(row.category_name),
                place=place,
                title=safe(row.title),
            )
        route.update(Content(text))

    def _show_problems(self) -> None:
        panel = self.query_one("#dispatch-problems", Static)
        panel.display = bool(self.problems)
        lines = list(self.problems.values())
        if len(lines) > PROBLEMS_SHOWN:
            rest = len(lines) - PROBLEMS_SHOWN + 1
            lines = [*lines[: PROBLEMS_SHOWN - 1], t("dispatch.problems_more", count=rest)]
        panel.update(Content("\n".join(safe(line) for line in lines)))

    @on(DataTable.RowHighlighted, "#dispatch-table")
    def _row_highlighted(self) -> None:
        self._show_route()
        self.refresh_bindings()

    # -- lists and pages ----------------------------------------------------------------------------

    def show_list(self, kind: DispatchList) -> None:
        if kind is self.kind:
            return
        self.kind = kind
        self.page_cursors = [None]
        self.next_cursor = None
        self.problems = {}
        self.loaded = False
        self.table.show_list(kind)
        self._show_tabs()
        self._show_problems()
        self._show_route()
        self.refresh_bindings()
        self.reload()

    def action_next_dispatch_list(self) -> None:
        self.show_list(self.kind.following())

    def action_reload_dispatch(self) -> None:
        self.reload()

    def action_next_dispatch_page(self) -> None:
        if self.next_cursor is None:
            return
        self.page_cursors.append(self.next_cursor)
        self._page_changed()

    def action_previous_dispatch_page(self) -> None:
        if len(self.page_cursors) > 1:
            self.page_cursors.pop()
            self._page_changed()

    def _page_changed(self) -> None:
        """Marks belong to the page they were made on."""
        self.table.set_marks(set())
        self.problems = {}
        self._show_problems()
        self.reload()

    # -- marks --------------------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        code = self.table.selected_code
        if code is None:
            return
        self.table.toggle_mark(code)
        self._marks_changed()

    def action_mark_page(self) -> None:
        self.table.mark_all()
        self._marks_changed()

    def action_clear_marks(self) -> None:
        self.table.set_marks(set())
        self._marks_changed()

    def _marks_changed(self) -> None:
        """A refusal is listed until its case is unmarked (or the marks are cleared); one whose
        case left the list (someone else dispatched it) stays until then too."""
        table = self.table
        self.problems = {
            code: error
            for code, error in self.problems.items()
            if code in table.marked or (code not in table.rows_by_code and table.marked)
        }
        self._show_problems()
        self._show_status()
        self.refresh_bindings()

    # -- what is allowed ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what belongs to another list; grey out what the cursor case or the operator's
        role does not allow (the services check again)."""
        lists = LIST_OF_ACTION.get(action)
        if lists is not None and self.kind not in lists:
            return False
        if action == "previous_dispatch_page":
            return True if len(self.page_cursors) > 1 else None
        if action == "next_dispatch_page":
            return True if self.next_cursor is not None else None
        table = self.table
        row = table.selected_row
        role = self.services.context.actor.role
        if action == "mark_page":
            return True if table.row_count else None
        if action == "clear_marks":
            return True if table.marked else None
        if action in ("toggle_mark", "open_dispatch_case"):
            return True if row is not None else None
        if action == "dispatch_cases":
            targets = self._dispatch_targets()
            if not targets or not permissions.allowed(role, Action.dispatch):
                return None
            return True if all(can_dispatch(target.state) for target in targets) else None
        if action in CASE_ACTION:
            case_action = CASE_ACTION[action]
            if row is None or not (
                permissions.allowed(role, case_action) and lifecycle.can(case_action, row.state)
            ):
                return None
        return True

    def _selected(self) -> CaseRow | None:
        return self._or_warn(self.table.selected_row)

    # -- the case in detail -------------------------------------------------------------------------

    def action_open_dispatch_case(self) -> None:
        self.open_selected_case()

    # -- dispatching --------------------------------------------------------------------------------

    def _dispatch_targets(self) -> tuple[CaseRow, ...]:
        """The marked rows, or the cursor row when none is marked."""
        marked = self.table.marked_rows
        if marked:
            return marked
        row = self.table.selected_row
        return (row,) if row is not None else ()

    def action_dispatch_cases(self) -> None:
        targets = self._dispatch_targets()
        if not targets:
            self._warn_no_selection()
            return
        self.read_departments(targets)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dispatch-departments")
    def read_departments(self, targets: tuple[CaseRow, ...]) -> None:
        departments = self.services.dispatch.active_departments()
        if not get_current_worker().is_cancelled:  # a second `d` before the first answered
            self.post_message(self.DepartmentsRead(targets, departments))

    def on_dispatch_pane_departments_read(self, message: DepartmentsRead) -> None:
        targets = message.targets
        cursor = self.table.selected_row
        first = cursor if cursor is not None and cursor in targets else targets[0]
        suggestion = self.table.suggestions.get(first.code)
        configured = suggestion.configured if suggestion is not None else None
        if all(target.state is CaseState.returned for target in targets):
            configured = None  # 改派: the configured department is usually the one that returned it
        actor = self.services.context.actor
        modal = DispatchModal(
            self.services.dispatch,
            # the preview is the first case's: the cursor case when it is among them
            (first, *(target for target in targets if target != first)),
            message.departments,
            suggested_lead=configured.code if configured is not None else None,
            may_override=permissions.admin_allowed(actor.role, AdminAction.override_routing),
            zone=self.services.context.settings.centre.zone,
        )
        self.app.push_screen(modal, self._dispatched)

    def _dispatched(self, result: DispatchResult | None) -> None:
        self.table.focus()
        if result is None:
            return
        done = [outcome for outcome in result.outcomes if outcome.ok]
        failed = [outcome for outcome in result.outcomes if not outcome.ok]
        if done:
            self.notify(
                t("dispatch.dispatched", count=len(done), department=result.lead_name),
                markup=False,
            )
        for outcome in failed:
            self.notify(outcome.error, severity="error", markup=False, timeout=10)
        # the dispatched leave the list and their marks; the refused stay marked with the reason
        self.table.set_marks(self.table.marked - {outcome.code for outcome in done})
        self.problems = {outcome.code: outcome.error for outcome in failed}
        self._marks_changed()
        self.reload()

    # -- verification, follow-up, urging ------------------------------------------------------------

    def action_verify_pass(self) -> None:
        self._verify(passed=True)

    def action_verify_fail(self) -> None:
        self._verify(passed=False)

    def _verify(self, *, passed: bool) -> None:
        row = self._selected()
        if row is not None:
            modal = VerifyModal(self.services.closure, row, passed=passed)
            action = Action.verify_pass if passed else Action.verify_fail
            self.app.push_screen(modal, lambda result: self._acted(result, action))

    def action_follow_up_case(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(FollowUpModal(self.services.closure, row), self._followed_up)

    def action_urge_dispatch_case(self) -> None:
        row = self._selected()
        if row is not None:
            modal = DispatchUrgeModal(self.services.cases, row)
            self.app.push_screen(modal, lambda result: self._acted(result, Action.urge))

    def action_escalate_case(self) -> None:
        row = self._selected()
        if row is not None:
            escalate_case(self, self.services.escalations, row.code, row_summary(row))

    def _acted(self, result: CaseResult | None, action: Action) -> None:
        self.table.focus()
        if result is None:
            return
        if result.detail is None:
            self.notify(result.error, severity="error", markup=False, timeout=10)
        else:
            self._done(result.detail, action)
        self.reload()

    def _followed_up(self, result: FollowUpResult | None) -> None:
        self.table.focus()
        if result is None:
            return
        if result.followed_up is None:
            self.notify(result.error, severity="error", markup=False, timeout=10)
        else:
            self._done(result.followed_up, Action.follow_up)
        if result.reopened is not None:
            self._done(result.reopened, Action.reopen)
        if result.reopen_error:
            self.notify(result.reopen_error, severity="error", markup=False, timeout=10)
        self.reload()

    def _done(self, detail: CaseDetail, action: Action) -> None:
        self.notify(
            t(
                "queue.action_done",
                code=detail.code,
                action=t(f"action.{action.value}"),
                state=t(f"state.{detail.state.value}"),
            ),
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if not str(event.worker.group).startswith("dispatch-"):
            return
        self.post_message(OperationFailed(event.worker.error))
        if event.worker.group == "dispatch-case":
            self.reload()
