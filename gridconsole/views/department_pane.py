"""The department's work list (工作单): its active dispatches, oldest first, and what the
department does with them — 签收, 退单申请, 延期申请, 挂起申请, 反馈.

A liaison sees their own department's dispatches only (the service decides which). A dispatcher
or shift lead picks a department and records its word on its behalf (after a phone call); every
form then says so, and the timeline marks those events 代录.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, DispatchRole, RequestKind, Role
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import (
    DepartmentRecord,
    DepartmentWorkRow,
    WorkListPage,
)
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import reread_case
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.department_table import TIME, DepartmentTable
from gridconsole.views.extension_request_modal import ExtensionRequestModal
from gridconsole.views.feedback_modal import FeedbackModal
from gridconsole.views.formatting import local_time, safe, thousands
from gridconsole.views.messages import OperationFailed
from gridconsole.views.overdue_note_modal import OverdueNoteModal, press_department
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.return_request_modal import ReturnRequestModal
from gridconsole.views.sign_modal import SignModal
from gridconsole.views.suspension_request_modal import SuspensionRequestModal

TICK_SECONDS = 1.0

# binding action name → the department's action it records
DESK_ACTIONS: dict[str, Action] = {
    "sign_dispatch": Action.sign,
    "request_return": Action.request_return,
    "request_extension": Action.request_extension,
    "request_suspension": Action.request_suspension,
    "give_feedback": Action.feedback,
    # the centre pressing the department holding the case (never offered to a liaison)
    "urge_desk_case": Action.urge,
    "supervise_desk_case": Action.supervise,
}

REQUEST_KINDS: dict[Action, RequestKind] = {
    Action.request_return: RequestKind.return_,
    Action.request_extension: RequestKind.extension,
    Action.request_suspension: RequestKind.suspension,
}


@dataclass(frozen=True)
class DeskQuery:
    """Whose work list: None for a liaison (their own), else the department chosen."""

    department: str | None


class DepartmentPane(CaseOpeningPane):
    """One department's active dispatches, a page at a time, and its actions on them."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "open_desk_case", t("desk.key_open"), id="open-desk-case"),
        Binding("s", "sign_dispatch", t("desk.key_sign"), id="sign-dispatch"),
        Binding("r", "request_return", t("desk.key_return"), id="request-return"),
        Binding("e", "request_extension", t("desk.key_extension"), id="request-extension"),
        Binding("z", "request_suspension", t("desk.key_suspension"), id="request-suspension"),
        Binding("b", "give_feedback", t("desk.key_feedback"), id="give-feedback"),
        Binding("u", "urge_desk_case", t("overdue.key_urge"), id="urge-desk-case"),
        Binding("v", "supervise_desk_case", t("overdue.key_supervise"), id="supervise-desk-case"),
        Binding("f", "focus_desk_department", t("desk.key_department"), id="focus-desk-department"),
        Binding("f5", "reload_desk", t("desk.key_reload"), show=False, id="reload-desk"),
        Binding(
            "f7",
            "previous_desk_page",
            t("queue.key_previous_page"),
            show=False,
            id="desk-previous-page",
        ),
        Binding("f8", "next_desk_page", t("queue.key_next_page"), show=False, id="desk-next-page"),
        Binding(
            "escape",
            "focus_desk_table",
            t("desk.key_back_to_table"),
            show=False,
            id="focus-desk-table",
        ),
    ]

    CASE_GROUP = "desk-case"
    NO_SELECTION = "desk.no_selection"

    class WorkLoaded(Message):
        def __init__(self, page: WorkListPage, request: int) -> None:
            super().__init__()
            self.page = page
            self.request = request

    class DepartmentsLoaded(Message):
        def __init__(self, departments: tuple[DepartmentRecord, ...]) -> None:
            super().__init__()
            self.departments = departments

    change_token: reactive[int] = reactive(0, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.own_department = services.context.actor.role is Role.liaison
        self.query_filter = DeskQuery(department=None)
        self.page: WorkListPage | None = None
        # keyset pages: the dispatch id each page starts after (None: the first page)
        self.page_cursors: list[int | None] = [None]
        self.departments: tuple[DepartmentRecord, ...] = ()
        self._request = 0
        self._selected_text: str | None = None  # the line under the table as last shown

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="desk-bar"):
            yield Static(Content(t("desk.title")), id="desk-heading")
            if not self.own_department:
                yield Select[str](
                    [], prompt=t("desk.choose_department"), compact=True, id="desk-department"
                )
        zone = self.services.context.settings.centre.zone
        yield DepartmentTable(zone, self.services.context.now(), id="desk-table")
        yield Static(id="desk-selected")
        with Horizontal(id="desk-status-line"):
            yield Static(id="desk-status")
            yield Static(Content(t("queue.paging_hint")), id="desk-paging-hint")

    def on_mount(self) -> None:
        self.table.set_layout(self.app.size.width)
        self.table.focus()
        # countdowns and late signs recount from memory each second (only changed cells are
        # rewritten); only the poll reads the database
        self.set_interval(TICK_SECONDS, self.tick, name="desk-tick")
        if self.own_department:
            self.reload()
        else:
            self.load_departments()

    def on_resize(self) -> None:
        self.table.set_layout(self.size.width)

    def tick(self) -> None:
        """Recount the countdowns at the clock's now (the interval calls this; so may a test)."""
        if self.page is None or not self.display:
            return
        self.table.tick(self.services.context.now())
        self._show_selected()

    @property
    def table(self) -> DepartmentTable:
        return self.query_one(DepartmentTable)

    @property
    def on_behalf(self) -> bool:
        """The centre records what the department said (a liaison acts for themselves)."""
        return not self.own_department

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.own_department and self.query_filter.department is None:
            return  # a centre operator has not chosen a department yet
        self._request += 1
        self.load_work(self.query_filter, self.page_cursors[-1], self._request)

    def watch_change_token(self) -> None:
        if self.page is not None:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="desk-work")
    def load_work(self, query: DeskQuery, after: int | None, request: int) -> None:
        limit = self.services.context.settings.queue.page_size
        page = self.services.desk.work_list(query.department, after=after, limit=limit)
        if not get_current_worker().is_cancelled:
            self.post_message(self.WorkLoaded(page, request))

    @work(thread=True, exclusive=True, exit_on_error=False, group="desk-departments")
    def load_departments(self) -> None:
        # inactive departments too: one stopped since may still hold dispatches
        departments = self.services.departments.list_departments(include_inactive=True)
        self.post_message(self.DepartmentsLoaded(departments))

    def on_department_pane_departments_loaded(self, message: DepartmentsLoaded) -> None:
        self.departments = message.departments
        picker = self.query_one("#desk-department", Select)
        picker.set_options(
            (
                Text(safe(department.name) + ("" if department.active else t("desk.inactive"))),
                department.code,
            )
            for department in self.departments
        )
        active = [department for department in self.departments if department.active]
        if active and self.query_filter.department is None:
            picker.value = active[0].code

    def on_department_pane_work_loaded(self, message: WorkLoaded) -> None:
        if message.request != self._request:
            return
        self.page = message.page
        self.table.show_rows(message.page.rows, message.page.countdown, self.services.context.now())
        self._show_status()
        self._show_selected()
        self.refresh_bindings()

    def _show_status(self) -> None:
        status = self.query_one("#desk-status", Static)
        page = self.page
        if page is None:
            return
        if not page.rows:
            status.update(Content(t("desk.empty")))
            return
        status.update(
            Content(
                t(
                    "queue.page_status",
                    page=len(self.page_cursors),
                    shown=thousands(len(page.rows)),
                    total=thousands(page.total),
                )
            )
        )
        if self.own_department:
            heading = t("desk.title_department", department=safe(page.rows[0].department.name))
            self.query_one("#desk-heading", Static).update(Content(heading))

    def _show_selected(self) -> None:
        """Every field of the selected dispatch, under the table (the columns drop at 80)."""
        row = self.table.selected_work
        line = self.query_one("#desk-selected", Static)
        if row is None:
            self._show_line(line, Content(""))
            return
        zone = self.services.context.settings.centre.zone

        def when(value: datetime | None) -> str:
            return local_time(value, zone, TIME) or "-"

        where = [
            t(f"desk.role_{row.role.value}"),
            safe(row.category_name),
            safe(row.grid_name) or "-",
            t("desk.selected_dispatched", at=when(row.dispatched_at)),
        ]
        times = [
            t("desk.selected_sign_due", at=when(row.sign_due_at)),
            t("desk.selected_signed", at=when(row.signed_at)),
            t(
                "desk.selected_deadline",
                at=when(row.due_at),
                countdown=self.table.countdown_line(row),
            ),
        ]
        self._show_line(
            line,
            Content.assemble(
                (row.case_code, "bold"),
                "  ",
                safe(row.title),
                "\n",
                " · ".join(where),
                "\n",
                " · ".join(times),
            ),
        )

    def _show_line(self, line: Static, content: Content) -> None:
        """Update the line only when its text changed (the tick calls this every second)."""
        if content.plain != self._selected_text:
            self._selected_text = content.plain
            line.update(content)

    # -- the department picker (centre roles) ----------------------------------------------------

    @on(Select.Changed, "#desk-department")
    def _department_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        department = value if isinstance(value, str) else None
        if department != self.query_filter.department:
            self.query_filter = DeskQuery(department=department)
            self.page_cursors = [None]
            self.page = None
            self.reload()

    def action_focus_desk_department(self) -> None:
        if not self.own_department:
            self.query_one("#desk-department", Select).focus()

    def action_focus_desk_table(self) -> None:
        self.table.focus()

    def action_reload_desk(self) -> None:
        self.reload()

    def action_next_desk_page(self) -> None:
        if self.page is None or self.page.next_after is None:
            return
        self.page_cursors.append(self.page.next_after)
        self.reload()

    def action_previous_desk_page(self) -> None:
        if len(self.page_cursors) > 1:
            self.page_cursors.pop()
            self.reload()

    # -- what the selected row allows -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the selected dispatch and the operator's role allow; the others are
        hidden (the services check again)."""
        if action == "focus_desk_department":
            return not self.own_department  # a liaison has no department to choose
        if action == "previous_desk_page":
            return True if len(self.page_cursors) > 1 else None
        if action == "next_desk_page":
            return True if self.page is not None and self.page.next_after is not None else None
        if action == "open_desk_case":
            return True if self.table.selected_work is not None else None
        if action in DESK_ACTIONS:
            # only the keys the selected dispatch allows show (the footer stays short at 80)
            row = self.table.selected_work
            return row is not None and self.allows(row, DESK_ACTIONS[action])
        return True

    def allows(self, row: DepartmentWorkRow, action: Action) -> bool:
        role = self.services.context.actor.role
        if not (permissions.allowed(role, action) and lifecycle.can(action, row.state)):
            return False
        if row.role is not DispatchRole.lead:
            return False  # the lead department (主办) answers for the case
        if action is Action.sign:
            return row.signed_at is None
        if row.pending_request is not None and REQUEST_KINDS.get(action) is row.pending_request:
            return False  # the same request waits for the shift lead
        if action is Action.request_extension:
            return row.due_at is not None
        return True

    @on(DataTable.RowHighlighted, "#desk-table")
    def _row_highlighted(self) -> None:
        self._show_selected()
        self.refresh_bindings()

    # -- opening a case ---------------------------------------------------------------------------

    def _selected(self) -> DepartmentWorkRow | None:
        return self._or_warn(self.table.selected_work)

    def action_open_desk_case(self) -> None:
        self.open_selected_case()

    # -- the department's actions -----------------------------------------------------------------

    def action_sign_dispatch(self) -> None:
        row = self._row_for(Action.sign)
        if row is None:
            return
        desk, code = self.services.desk, row.case_code
        modal = SignModal(
            row,
            on_behalf=self.on_behalf,
            submit=lambda choice, version: desk.sign(code, version, note=choice.note),
            reread=reread_case(self.services.queue, code),
        )
        self.app.push_screen(modal, self._form_closed(Action.sign))

    def action_request_return(self) -> None:
        row = self._row_for(Action.request_return)
        if row is None:
            return
        desk, code = self.services.desk, row.case_code
        modal = ReturnRequestModal(
            row,
            on_behalf=self.on_behalf,
            submit=lambda choice, version: desk.request_return(
                code, version, reason=choice.reason, basis=choice.basis
            ),
            reread=reread_case(self.services.queue, code),
        )
        self.app.push_screen(modal, self._form_closed(Action.request_return))

    def action_request_extension(self) -> None:
        row = self._row_for(Action.request_extension)
        if row is None:
            return
        desk, code = self.services.desk, row.case_code
        modal = ExtensionRequestModal(
            row,
            self.services.context.settings.centre.zone,
            on_behalf=self.on_behalf,
            submit=lambda choice, version: desk.request_extension(
                code, version, new_due=choice.new_due, reason=choice.reason
            ),
            reread=reread_case(self.services.queue, code),
        )
        self.app.push_screen(modal, self._form_closed(Action.request_extension))

    def action_request_suspension(self) -> None:
        row = self._row_for(Action.request_suspension)
        if row is None:
            return
        desk, code = self.services.desk, row.case_code
        modal = SuspensionRequestModal(
            row,
            on_behalf=self.on_behalf,
            submit=lambda choice, version: desk.request_suspension(
                code, version, resume_planned=choice.resume_planned, reason=choice.reason
            ),
            reread=reread_case(self.services.queue, code),
        )
        self.app.push_screen(modal, self._form_closed(Action.request_suspension))

    def action_give_feedback(self) -> None:
        row = self._row_for(Action.feedback)
        if row is None:
            return
        desk, code = self.services.desk, row.case_code
        modal = FeedbackModal(
            row,
            on_behalf=self.on_behalf,
            submit=lambda choice, version: desk.feedback(code, version, text=choice.text),
            reread=reread_case(self.services.queue, code),
        )
        self.app.push_screen(modal, self._form_closed(Action.feedback))

    def action_urge_desk_case(self) -> None:
        self._press_department(Action.urge)

    def action_supervise_desk_case(self) -> None:
        self._press_department(Action.supervise)

    def _press_department(self, action: Action) -> None:
        """催办 / 督办 the department holding the selected case, with a note (and, for 催办,
        how it was sent)."""
        row = self._row_for(action)
        if row is None:
            return
        summary = Content.assemble(
            (row.case_code, "bold"), "  ", safe(row.title), "  ", safe(row.department.name)
        )
        modal = OverdueNoteModal(
            t(f"overdue.{action.value}_title"),
            summary,
            version=row.case_version,
            submit=press_department(self.services.cases, row.case_code, action),
            reread=reread_case(self.services.queue, row.case_code),
            with_channel=action is Action.urge,
        )
        self.app.push_screen(modal, self._form_closed(action))

    def _row_for(self, action: Action) -> DepartmentWorkRow | None:
        """The selected dispatch if ``action`` may start on it (else a notice why not)."""
        row = self._selected()
        if row is None:
            return None
        if not self.allows(row, action):
            self.notify(
                t(
                    "queue.action_not_allowed",
                    code=row.case_code,
                    action=t(f"action.{action.value}"),
                    state=t(f"state.{row.state.value}"),
                ),
                severity="warning",
                markup=False,
            )
            return None
        return row

    def _form_closed(self, action: Action) -> Callable[[CaseDetail | None], None]:
        """After a form: the table has the focus again and reads what changed."""

        def closed(detail: CaseDetail | None) -> None:
            self.table.focus()
            if detail is not None:
                self.notify(
                    t("desk.action_done", code=detail.code, action=t(f"action.{action.value}")),
                    markup=False,
                )
            self.reload()

        return closed

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if not str(event.worker.group).startswith("desk"):
            return
        self.post_message(OperationFailed(event.worker.error))
