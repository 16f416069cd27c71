"""The incoming-case queue: filters, a keyed page of cases, paging and the intake actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import (
    QUEUE_STATES,
    Action,
    CaseSource,
    CaseState,
    Priority,
)
from gridconsole.i18n import t
from gridconsole.services.records import (
    CaseDetail,
    CaseRow,
    FilterOptions,
    Page,
    QueueCursor,
    QueueFilter,
)
from gridconsole.views.accept_case_modal import AcceptCaseModal, AcceptChoice
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.case_form_modal import CaseFormModal, reread_case
from gridconsole.views.claim_marker import claim_label
from gridconsole.views.dispatch_form_modal import row_summary
from gridconsole.views.escalate_modal import escalate_case
from gridconsole.views.formatting import choice_options, thousands
from gridconsole.views.input_rules import SEARCH_MAX, SINGLE_LINE
from gridconsole.views.merge_case_modal import MergeCaseModal, MergeChoice
from gridconsole.views.messages import (
    CaseChanged,
    CaseDetailLoaded,
    FilterOptionsLoaded,
    OperationFailed,
    QueueLoaded,
)
from gridconsole.views.new_case_modal import Intake, NewCaseModal, intake_escalation
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.queue_table import QueueTable
from gridconsole.views.reject_case_modal import RejectCaseModal, RejectChoice
from gridconsole.views.resolve_in_grid_modal import ResolveChoice, ResolveInGridModal
from gridconsole.views.set_priority_modal import PriorityChoice, SetPriorityModal

STATE_QUEUE = "queue"  # the default queue set (QUEUE_STATES)
STATE_ALL = "all"
AGE_REFRESH_SECONDS = 30.0

# Each case action: the binding's action name and the Action it performs.
CASE_ACTIONS: dict[str, Action] = {
    "accept_case": Action.accept,
    "reject_case": Action.reject,
    "merge_case": Action.merge,
    "resolve_in_grid": Action.resolve_in_grid,
    "set_priority": Action.set_priority,
}

# keys whose action is the role's to take whatever the case: not offered to a role without it
ROLE_ACTIONS: dict[str, Action] = {
    "new_case": Action.report,
    "toggle_claim": Action.claim,
    "break_claim": Action.break_claim,
}


@dataclass(frozen=True)
class PendingAction:
    """The case an action was started on, and the version the operator saw."""

    code: str
    version: int


class QueuePane(Vertical):
    """Reported and returned cases, most urgent then oldest first, one page at a time."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "open_case", t("queue.key_open"), id="open-case"),
        Binding("n", "new_case", t("queue.key_new"), id="new-case"),
        Binding("a", "accept_case", t("queue.key_accept"), id="accept-case"),
        Binding("r", "reject_case", t("queue.key_reject"), id="reject-case"),
        Binding("m", "merge_case", t("queue.key_merge"), id="merge-case"),
        Binding("g", "resolve_in_grid", t("queue.key_resolve"), id="resolve-in-grid"),
        Binding("p", "set_priority", t("queue.key_priority"), id="set-priority"),
        Binding("E", "escalate_case", t("escalation.key_escalate"), show=False, id="escalate-case"),
        Binding("c", "toggle_claim", t("claims.key_toggle"), show=False, id="toggle-claim"),
        Binding("C", "break_claim", t("claims.key_break"), show=False, id="break-claim"),
        Binding(
            "f7", "previous_page", t("queue.key_previous_page"), show=False, id="previous-page"
        ),
        Binding("f8", "next_page", t("queue.key_next_page"), show=False, id="next-page"),
        Binding("f5", "reload_queue", t("queue.key_reload"), show=False, id="reload-queue"),
        Binding("s", "focus_search", t("queue.key_search"), id="focus-search"),
        Binding("f", "focus_filters", t("queue.key_filters"), show=False, id="focus-filters"),
        Binding(
            "escape", "focus_table", t("queue.key_back_to_table"), show=False, id="focus-table"
        ),
    ]

    change_token: reactive[int] = reactive(0, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.options = FilterOptions(categories=(), communities=(), grids=())
        self.query_filter = QueueFilter(states=QUEUE_STATES)
        self.page_cursors: list[QueueCursor | None] = [None]
        self.next_cursor: QueueCursor | None = None
        self.total = 0
        self.loaded = False
        self.selected_detail: CaseDetail | None = None
        self.pending: PendingAction | None = None
        self._request = 0

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Grid(id="queue-filters"):
            yield Select[str](
                self._state_options(),
                value=STATE_QUEUE,
                allow_blank=False,
                compact=True,
                id="filter-state",
            )
            yield Select[str](
                [], prompt=t("queue.filter_category"), compact=True, id="filter-category"
            )
            yield Select[str]([], prompt=t("queue.filter_grid"), compact=True, id="filter-grid")
            yield Select[str](
                [], prompt=t("queue.filter_community"), compact=True, id="filter-community"
            )
            yield Select[str](
                [(t(f"source.{source.value}"), source.value) for source in CaseSource],
                prompt=t("queue.filter_source"),
                compact=True,
                id="filter-source",
            )
            yield Select[str](
                [(t(f"priority.{priority.name}"), priority.name) for priority in Priority],
                prompt=t("queue.filter_priority"),
                compact=True,
                id="filter-priority",
            )
            yield Input(
                placeholder=t("queue.search_placeholder"),
                max_length=SEARCH_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                id="filter-search",
            )
        yield QueueTable(self.services.context.settings.centre.zone, id="queue-table")
        with Horizontal(id="queue-status-line"):
            yield Static(id="queue-status")
            yield Static(Content(t("queue.paging_hint")), id="queue-paging-hint")

    @staticmethod
    def _state_options() -> list[tuple[str, str]]:
        return [
            (t("queue.state_queue"), STATE_QUEUE),
            (t("queue.state_all"), STATE_ALL),
            *((t(f"state.{state.value}"), state.value) for state in CaseState),
        ]

    def on_mount(self) -> None:
        self.table.set_layout(self.app.size.width)
        self.table.focus()
        # ages tick from memory; only the poll reads the database
        self.set_interval(AGE_REFRESH_SECONDS, self._refresh_ages)
        self.load_filter_options()
        self.reload()

    def on_resize(self) -> None:
        self.table.set_layout(self.size.width)

    def _refresh_ages(self) -> None:
        self.table.refresh_ages(self.services.context.now())

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the current page again (same filter, same page)."""
        self._request += 1
        self.load_page(self.query_filter, self.page_cursors[-1], self._request)

    def watch_change_token(self) -> None:
        if self.loaded:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-page")
    def load_page(self, query: QueueFilter, after: QueueCursor | None, request: int) -> None:
        page = self.services.queue.page(query, after)
        if not get_current_worker().is_cancelled:
            self.post_message(QueueLoaded(page, request))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-options")
    def load_filter_options(self) -> None:
        self.post_message(FilterOptionsLoaded(self.services.queue.filter_options()))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        if message.request != self._request:
            return  # an answer to a superseded request
        page: Page[CaseRow] = message.page
        self.loaded = True
        self.total = page.total
        self.next_cursor = page.next_cursor
        self.table.show_rows(page.rows, self.services.context.now())
        self._show_status(len(page.rows))
        self._load_selected_detail()

    def on_filter_options_loaded(self, message: FilterOptionsLoaded) -> None:
        self.options = message.options
        for select_id, choices in (
            ("#filter-category", message.options.categories),
            ("#filter-grid", message.options.grids),
            ("#filter-community", message.options.communities),
        ):
            self.query_one(select_id, Select).set_options(choice_options(choices))

    def _show_status(self, shown: int) -> None:
        status = self.query_one("#queue-status", Static)
        if not shown:
            status.update(Content(t("queue.empty")))
            return
        status.update(
            Content(
                t(
                    "queue.page_status",
                    page=len(self.page_cursors),
                    shown=thousands(shown),
                    total=thousands(self.total),
                )
            )
        )

    # -- the selected case -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#queue-table")
    def _row_highlighted(self) -> None:
        self._load_selected_detail()

    def _load_selected_detail(self) -> None:
        code = self.table.selected_code
        if code is None:
            if self.selected_detail is not None:
                self.selected_detail = None
                self.refresh_bindings()
            return
        # the keys stay as the previous case had them until this one's detail arrives (a hint:
        # the services check again): holding ↓ must not rebuild the footer twice a row
        self.read_selected_detail(code)

    def _enabled(self, detail: CaseDetail | None) -> frozenset[str]:
        """The case actions offered for ``detail`` (every one while nothing is known)."""
        return frozenset(
            action
            for action, case_action in CASE_ACTIONS.items()
            if detail is None or self._allows(detail, case_action)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="selected-detail")
    def read_selected_detail(self, code: str) -> None:
        detail = self.services.queue.detail(code)
        if not get_current_worker().is_cancelled:
            self.post_message(CaseDetailLoaded(detail, None, for_selection=True))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out an action the selected case does not allow (the services check again)."""
        if action in ROLE_ACTIONS and not permissions.allowed(
            self.services.context.actor.role, ROLE_ACTIONS[action]
        ):
            return False
        if action == "escalate_case":
            row = self.table.selected_row
            if not permissions.allowed(self.services.context.actor.role, Action.escalate):
                return False
            return True if row is not None and lifecycle.can(Action.escalate, row.state) else None
        if action in CASE_ACTIONS:
            detail = self.selected_detail  # perhaps still the previous row's: a hint
            if detail is None:
                return True
            if not self._allows(detail, CASE_ACTIONS[action]):
                return None
        if action == "previous_page":
            return True if len(self.page_cursors) > 1 else None
        if action == "next_page":
            return True if self.next_cursor is not None else None
        return True

    @staticmethod
    def _allows(detail: CaseDetail, action: Action) -> bool:
        if action is Action.resolve_in_grid and not detail.category_resolvable_in_grid:
            return False
        return action in detail.allowed_actions

    # -- navigation and filters -----------------------------------------------------------------

    def action_next_page(self) -> None:
        if self.next_cursor is None:
            return
        self.page_cursors.append(self.next_cursor)
        self.reload()

    def action_previous_page(self) -> None:
        if len(self.page_cursors) > 1:
            self.page_cursors.pop()
            self.reload()

    def action_reload_queue(self) -> None:
        self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#filter-search", Input).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#filter-state", Select).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.apply_filters()

    @on(Input.Submitted, "#filter-search")
    def _search_submitted(self) -> None:
        self.apply_filters()
        self.table.focus()

    def apply_filters(self) -> None:
        """Read every filter widget into a new query and show its first page."""

        def chosen(select_id: str) -> str | None:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else None

        state = chosen("#filter-state") or STATE_QUEUE
        states: tuple[CaseState, ...]
        if state == STATE_QUEUE:
            states = QUEUE_STATES
        elif state == STATE_ALL:
            states = ()
        else:
            states = (CaseState(state),)
        source = chosen("#filter-source")
        priority = chosen("#filter-priority")
        query = QueueFilter(
            states=states,
            category_code=chosen("#filter-category"),
            grid_code=chosen("#filter-grid"),
            community_code=chosen("#filter-community"),
            source=CaseSource(source) if source else None,
            priority=Priority[priority] if priority else None,
            search=self.query_one("#filter-search", Input).value.strip(),
        )
        if query == self.query_filter:
            return
        self.query_filter = query
        self.page_cursors = [None]
        self.reload()

    # -- opening a case and starting actions ----------------------------------------------------

    @on(DataTable.RowSelected, "#queue-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    def action_open_case(self) -> None:
        self._begin(None)

    def action_accept_case(self) -> None:
        self._begin(Action.accept)

    def action_reject_case(self) -> None:
        self._begin(Action.reject)

    def action_merge_case(self) -> None:
        self._begin(Action.merge)

    def action_resolve_in_grid(self) -> None:
        self._begin(Action.resolve_in_grid)

    def action_set_priority(self) -> None:
        self._begin(Action.set_priority)

    def action_escalate_case(self) -> None:
        row = self.table.selected_row
        if row is None:
            self.notify(t("queue.no_selection"), severity="warning", markup=False)
            return
        escalate_case(self, self.services.escalations, row.code, row_summary(row))

    def action_toggle_claim(self) -> None:
        """Claim the selected case, or release it if this operator holds it."""
        row = self.table.selected_row
        if row is None:
            self.notify(t("queue.no_selection"), severity="warning", markup=False)
            return
        mine = row.claimed_by_id == self.services.context.actor.id and claim_label(
            row.claimed_by_name, row.claimed_until, self.services.context.now()
        )
        self.change_claim(row.code, Action.release_claim if mine else Action.claim)

    def action_break_claim(self) -> None:
        row = self.table.selected_row
        if row is None:
            self.notify(t("queue.no_selection"), severity="warning", markup=False)
            return
        self.change_claim(row.code, Action.break_claim)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-action")
    def change_claim(self, code: str, action: Action) -> None:
        claims = self.services.claims
        if action is Action.release_claim:
            claims.release(code)
        elif action is Action.break_claim:
            claims.break_claim(code)
        else:
            claims.claim(code)
        notice = t("claims.done", code=code, action=t(f"action.{action.value}"))
        self.app.call_from_thread(self._claim_changed, notice)

    def _claim_changed(self, notice: str) -> None:
        self.notify(notice, markup=False)
        self.reload()

    def _begin(self, action: Action | None, seen: PendingAction | None = None) -> None:
        """Start ``action`` (None: show the case) on the selected case, or on ``seen``."""
        if seen is None:
            row = self.table.selected_row
            if row is None:
                self.notify(t("queue.no_selection"), severity="warning", markup=False)
                return
            seen = PendingAction(row.code, row.version)
        self.pending = seen
        self.read_case(seen.code, action)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-detail")
    def read_case(self, code: str, action: Action | None) -> None:
        self.post_message(CaseDetailLoaded(self.services.queue.detail(code), action))

    def on_case_detail_loaded(self, message: CaseDetailLoaded) -> None:
        detail = message.detail
        if message.for_selection:
            if detail.code == self.table.selected_code:
                before = self._enabled(self.selected_detail)
                self.selected_detail = detail
                if self._enabled(detail) != before:
                    self.refresh_bindings()  # the footer is rebuilt only when its keys change
            return
        if message.action is None:
            seen = PendingAction(detail.code, detail.version)
            self.app.push_screen(
                CaseDetailScreen(
                    detail,
                    self.services.context.settings.centre.zone,
                    may_escalate=permissions.allowed(
                        self.services.context.actor.role, Action.escalate
                    ),
                ),
                lambda action: self._detail_closed(seen, action),
            )
            return
        pending = self.pending
        if pending is None or pending.code != detail.code:
            return
        if not self._allows(detail, message.action):
            self.notify(
                t(
                    "queue.action_not_allowed",
                    code=detail.code,
                    action=t(f"action.{message.action.value}"),
                    state=t(f"state.{detail.state.value}"),
                ),
                severity="warning",
                markup=False,
            )
            return
        modal = self._modal_for(message.action, detail, pending.version)
        self.app.push_screen(modal, self._action_closed(modal, message.action))

    def _modal_for(self, action: Action, detail: CaseDetail, seen: int) -> CaseFormModal[Any]:
        """The action's form over ``detail``; it saves against the version ``seen`` (what the
        operator saw) and stays open when the service refuses."""
        cases, code = self.services.cases, detail.code
        reread = reread_case(self.services.queue, code)
        if action is Action.accept:

            def accept(choice: AcceptChoice, version: int) -> CaseDetail:
                return cases.accept(
                    code, version, category_code=choice.category_code, grid_code=choice.grid_code
                )

            return AcceptCaseModal(detail, self.options, version=seen, submit=accept, reread=reread)
        if action is Action.reject:

            def reject(choice: RejectChoice, version: int) -> CaseDetail:
                return cases.reject(code, version, reason=choice.reason, note=choice.note)

            return RejectCaseModal(detail, version=seen, submit=reject, reread=reread)
        if action is Action.merge:

            def merge(choice: MergeChoice, version: int) -> CaseDetail:
                return cases.merge(code, version, into_code=choice.into_code, note=choice.note)

            return MergeCaseModal(detail, version=seen, submit=merge, reread=reread)
        if action is Action.resolve_in_grid:

            def resolve(choice: ResolveChoice, version: int) -> CaseDetail:
                return cases.resolve_in_grid(code, version, note=choice.note)

            return ResolveInGridModal(detail, version=seen, submit=resolve, reread=reread)

        def set_priority(choice: PriorityChoice, version: int) -> CaseDetail:
            return cases.set_priority(code, version, priority=choice.priority, reason=choice.reason)

        return SetPriorityModal(detail, version=seen, submit=set_priority, reread=reread)

    def _detail_closed(self, seen: PendingAction, action: Action | None) -> None:
        """The detail screen closed: the table kept its cursor; an action chosen there starts
        with the version the detail showed."""
        self.table.focus()
        if action is Action.escalate:
            escalate_case(self, self.services.escalations, seen.code)
        elif action is not None:
            self._begin(action, seen)

    def _action_closed(
        self, form: CaseFormModal[Any], action: Action
    ) -> Callable[[CaseDetail | None], None]:
        """After an action's form: the table has the focus again; a saved action is told and
        the queue read again (so is a form left after a refusal: the case may have changed)."""

        def closed(detail: CaseDetail | None) -> None:
            self.table.focus()
            if detail is not None:
                self.post_message(CaseChanged(detail, action))
            elif form.refusals:
                self.reload()

        return closed

    # -- new case ---------------------------------------------------------------------------------

    def action_new_case(self) -> None:
        self.app.push_screen(NewCaseModal(self.services, self.options), self._new_case_closed)

    def _new_case_closed(self, result: Intake | None) -> None:
        self.table.focus()
        if result is None or result.detail is None:
            return
        if result.merge_error:
            self.notify(result.merge_error, severity="error", markup=False)
        self.post_message(CaseChanged(result.detail, result.action))

    # -- results ------------------------------------------------------------------------------------

    def on_case_changed(self, message: CaseChanged) -> None:
        detail = message.detail
        notice = t(
            "queue.action_done",
            code=detail.code,
            action=t(f"action.{message.action.value}"),
            state=t(f"state.{detail.state.value}"),
        )
        escalated = intake_escalation(detail) if message.action is Action.report else None
        if escalated is not None:  # raised with the report, or proposed by the category's rule
            notice += t(f"intake.notice_{escalated.value}")
        self.notify(notice, markup=False)
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        self.post_message(OperationFailed(event.worker.error))
        if event.worker.group in ("case-action", "case-detail"):
            self.reload()
