"""The shift lead's approvals (审批): the departments' requests to return, extend or suspend,
oldest first, each approved or refused with a reason; and the suspended cases, to resume.

Only the shift lead decides; other roles are not offered the pane's keys (the services refuse
anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action, CaseState, RequestKind
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import RequestRow
from gridconsole.services.records import CaseDetail, CaseRow, Page, QueueFilter
from gridconsole.views.approvals_table import ApprovalsTable
from gridconsole.views.case_form_modal import reread_case
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.decision_modal import DecisionModal, request_summary
from gridconsole.views.formatting import local_time, safe, thousands
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.queue_table import QueueTable

PENDING_LIMIT = 100
SUSPENDED = QueueFilter(states=(CaseState.suspended,))
# what approving a request of each kind does to the case (who may is the permission matrix's)
APPROVE_ACTIONS: dict[RequestKind, Action] = {
    RequestKind.return_: Action.return_,
    RequestKind.extension: Action.approve_extension,
    RequestKind.suspension: Action.suspend,
}
REFUSE_ACTIONS: dict[RequestKind, Action] = {
    RequestKind.return_: Action.refuse_return,
    RequestKind.extension: Action.refuse_extension,
    RequestKind.suspension: Action.refuse_suspension,
}


class ApprovalsPane(CaseOpeningPane):
    """Pending requests (or, toggled, the suspended cases) and the shift lead's decisions."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "open_approval_case", t("approvals.key_open"), id="open-approval-case"),
        Binding("y", "approve_request", t("approvals.key_approve"), id="approve-request"),
        Binding("n", "refuse_request", t("approvals.key_refuse"), id="refuse-request"),
        Binding("t", "toggle_suspended", t("approvals.key_suspended"), id="toggle-suspended"),
        Binding("R", "resume_case", t("approvals.key_resume"), id="resume-case"),
        Binding(
            "f5", "reload_approvals", t("approvals.key_reload"), show=False, id="reload-approvals"
        ),
    ]

    CASE_GROUP = "approvals-case"
    NO_SELECTION = "approvals.no_selection"

    class RequestsLoaded(Message):
        def __init__(self, requests: tuple[RequestRow, ...], request: int) -> None:
            super().__init__()
            self.requests = requests
            self.request = request

    class SuspendedLoaded(Message):
        def __init__(self, page: Page[CaseRow], request: int) -> None:
            super().__init__()
            self.page = page
            self.request = request

    change_token: reactive[int] = reactive(0, init=False)
    showing_suspended: reactive[bool] = reactive(False, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.requests: tuple[RequestRow, ...] | None = None
        self.suspended: Page[CaseRow] | None = None
        self._request = 0

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        zone = self.services.context.settings.centre.zone
        yield Static(Content(t("approvals.heading_pending")), id="approvals-heading")
        yield ApprovalsTable(zone, id="approvals-table")
        yield QueueTable(zone, id="suspended-table")
        yield Static(id="approvals-selected")
        with Horizontal(id="approvals-status-line"):
            yield Static(id="approvals-status")

    def on_mount(self) -> None:
        self.suspended_table.display = False
        self._set_layouts(self.app.size.width)
        self.table.focus()
        self.reload()

    def on_resize(self) -> None:
        self._set_layouts(self.size.width)

    def _set_layouts(self, width: int) -> None:
        self.table.set_layout(width)
        self.suspended_table.set_layout(width)

    @property
    def table(self) -> ApprovalsTable:
        return self.query_one(ApprovalsTable)

    @property
    def suspended_table(self) -> QueueTable:
        return self.query_one("#suspended-table", QueueTable)

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self._request += 1
        if self.showing_suspended:
            self.load_suspended(self._request)
        else:
            self.load_requests(self._request)

    def watch_change_token(self) -> None:
        if self.requests is not None or self.suspended is not None:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="approvals-load")
    def load_requests(self, request: int) -> None:
        requests = self.services.approvals.pending(limit=PENDING_LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RequestsLoaded(requests, request))

    @work(thread=True, exclusive=True, exit_on_error=False, group="approvals-load")
    def load_suspended(self, request: int) -> None:
        page = self.services.queue.page(SUSPENDED)
        if not get_current_worker().is_cancelled:
            self.post_message(self.SuspendedLoaded(page, request))

    def on_approvals_pane_requests_loaded(self, message: RequestsLoaded) -> None:
        if message.request != self._request:
            return
        self.requests = message.requests
        self.table.show_requests(message.requests)
        count = len(message.requests)
        self._status(
            t("approvals.status_pending", count=thousands(count))
            if count
            else t("approvals.empty_pending")
        )
        self._show_selected()
        self.refresh_bindings()

    def on_approvals_pane_suspended_loaded(self, message: SuspendedLoaded) -> None:
        if message.request != self._request:
            return
        page = message.page
        self.suspended = page
        self.suspended_table.show_rows(page.rows, self.services.context.now())
        self._status(
            t(
                "approvals.status_suspended",
                shown=thousands(len(page.rows)),
                total=thousands(page.total),
            )
            if page.rows
            else t("approvals.empty_suspended")
        )
        self._show_selected()
        self.refresh_bindings()

    def _status(self, text: str) -> None:
        self.query_one("#approvals-status", Static).update(Content(text))

    def _show_selected(self) -> None:
        """The selected request in full under the table (reason and basis are long)."""
        selected = self.query_one("#approvals-selected", Static)
        zone = self.services.context.settings.centre.zone
        if self.showing_suspended:
            row = self.suspended_table.selected_row
            selected.display = row is not None
            if row is not None:
                selected.update(
                    Content.assemble(
                        (row.code, "bold"),
                        "  ",
                        safe(row.title),
                        "\n",
                        t(
                            "approvals.suspended_line",
                            grid=safe(row.grid_name) or "-",
                            reported=local_time(row.reported_at, zone),
                        ),
                    )
                )
            return
        request = self.table.selected_request
        selected.display = request is not None
        if request is not None:
            selected.update(request_summary(request, zone))

    # -- modes ----------------------------------------------------------------------------------

    def action_toggle_suspended(self) -> None:
        self.showing_suspended = not self.showing_suspended

    def watch_showing_suspended(self, showing: bool) -> None:
        self.table.display = not showing
        self.suspended_table.display = showing
        heading = "approvals.heading_suspended" if showing else "approvals.heading_pending"
        self.query_one("#approvals-heading", Static).update(Content(t(heading)))
        (self.suspended_table if showing else self.table).focus()
        self.reload()
        self._show_selected()
        self.refresh_bindings()

    def action_reload_approvals(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The decisions are the shift lead's: offered only to them, and only where they
        apply (the services check again)."""
        role = self.services.context.actor.role
        if action in ("approve_request", "refuse_request"):
            request = self.table.selected_request
            if self.showing_suspended or request is None:
                return False  # hidden: nothing to decide here
            actions = APPROVE_ACTIONS if action == "approve_request" else REFUSE_ACTIONS
            return permissions.allowed(role, actions[request.kind])
        if action == "resume_case":
            if not self.showing_suspended or self.suspended_table.selected_row is None:
                return False
            return permissions.allowed(role, Action.resume)
        if action == "open_approval_case":
            return True if self.selected_case_code() is not None else None
        return True

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_selected()
        self.refresh_bindings()

    # -- opening a case -------------------------------------------------------------------------

    def opens_from(self, table: DataTable[Any]) -> bool:
        return True  # the requests and the suspended cases alike

    def selected_case_code(self) -> str | None:
        if self.showing_suspended:
            return self.suspended_table.selected_code
        request = self.table.selected_request
        return request.case_code if request is not None else None

    def action_open_approval_case(self) -> None:
        self.open_selected_case()

    def focus_table(self) -> None:
        (self.suspended_table if self.showing_suspended else self.table).focus()

    # -- deciding -------------------------------------------------------------------------------

    def action_approve_request(self) -> None:
        self._decide(approve=True)

    def action_refuse_request(self) -> None:
        self._decide(approve=False)

    def _decide(self, *, approve: bool) -> None:
        request = self.table.selected_request
        if request is None or self.showing_suspended:
            self._warn_no_selection()
            return
        approvals, queue = self.services.approvals, self.services.queue
        code, request_id = request.case_code, request.id
        kind = t(f"request_kind.{request.kind.value}")
        if approve:
            title = t("approvals.approve_title", kind=kind)
            done = t("approvals.approved", kind=kind)
        else:
            title = t("approvals.refuse_title", kind=kind)
            done = t("approvals.refused", kind=kind)
        modal = DecisionModal(
            title,
            request_summary(request, self.services.context.settings.centre.zone),
            version=request.case_version,
            reason_required=True,
            submit=(
                (
                    lambda choice, version: approvals.approve(
                        request_id, version, reason=choice.reason
                    )
                )
                if approve
                else (
                    lambda choice, version: approvals.refuse(
                        request_id, version, reason=choice.reason
                    )
                )
            ),
            reread=reread_case(queue, code),
        )
        self.app.push_screen(modal, self._decided(done))

    def action_resume_case(self) -> None:
        row = self.suspended_table.selected_row
        if row is None or not self.showing_suspended:
            self._warn_no_selection()
            return
        cases, queue, code = self.services.cases, self.services.queue, row.code
        summary = Content.assemble((row.code, "bold"), "  ", safe(row.title))
        modal = DecisionModal(
            t("approvals.resume_title"),
            summary,
            version=row.version,
            reason_required=False,
            submit=lambda choice, version: cases.resume(code, version, reason=choice.reason),
            reread=reread_case(queue, code),
        )
        self.app.push_screen(modal, self._decided(t("action.resume")))

    def _decided(self, what: str) -> Callable[[CaseDetail | None], None]:
        def closed(detail: CaseDetail | None) -> None:
            self.focus_table()
            if detail is not None:
                self.notify(
                    t(
                        "approvals.decision_done",
                        code=detail.code,
                        what=what,
                        state=t(f"state.{detail.state.value}"),
                    ),
                    markup=False,
                )
            self.reload()

        return closed

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if not str(event.worker.group).startswith("approvals"):
            return
        self.post_message(OperationFailed(event.worker.error))
