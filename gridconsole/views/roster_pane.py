"""The roster (名册): communities and grids beside their workers, searched as the dispatcher types.

Dispatchers look up "who is the worker for this building" by name, grid or community, often in
pinyin initials (``zs`` finds 张三): the search runs as they type (after a short pause) against
the database, a page at a time. The tree narrows the table to a community or grid and marks
where coverage breaches the regulation (``!n``) or warns (``~n``). Phone and ID numbers are
masked. Admins add and change workers (``n`` / ``e``) and mark who is on duty today (``d``);
everyone who reads the roster can write the public notice of Art. 19 (``x``).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, Tree
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain.enums import PersonalField
from gridconsole.i18n import t
from gridconsole.services.privacy_records import Revealed
from gridconsole.services.roster_records import (
    CommunityNode,
    CoverageReport,
    RosterQuery,
    WorkerCursor,
    WorkerDetail,
    WorkerPage,
    WorkerRow,
)
from gridconsole.views.formatting import revealed, safe, thousands
from gridconsole.views.input_rules import SEARCH_MAX, SINGLE_LINE
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.reveal_modal import RevealModal
from gridconsole.views.roster_export_modal import RosterExportModal
from gridconsole.views.roster_table import RosterTable
from gridconsole.views.roster_tree import RosterTree, TreePick
from gridconsole.views.worker_form_modal import WorkerFormModal

# the search runs this long after the last key (each key would be a query otherwise)
SEARCH_DEBOUNCE = 0.25
PAGE_SIZE = 50
# the app's breakpoint below which the tree is narrower (app.py HORIZONTAL_BREAKPOINTS)
NARROW_BELOW = 100
ADMIN_ACTIONS = frozenset({"new_worker", "edit_worker", "toggle_duty", "export_workers"})


class RosterPane(Widget):
    BINDINGS = [  # noqa: RUF012
        Binding("s,slash", "focus_roster_search", t("roster.pane.key_search"), id="search-roster"),
        Binding(
            "t", "focus_roster_tree", t("roster.pane.key_tree"), show=False, id="focus-roster-tree"
        ),
        Binding("n", "new_worker", t("roster.pane.key_new"), id="new-worker"),
        Binding("e", "edit_worker", t("roster.pane.key_edit"), id="edit-worker"),
        Binding("d", "toggle_duty", t("roster.pane.key_duty"), id="toggle-duty"),
        # the selected worker's mobile (and ID number, admins) for this view: reason, audit entry
        Binding("v", "reveal_worker", t("privacy.key_reveal"), id="reveal-worker"),
        Binding("c", "show_coverage", t("roster.pane.key_coverage"), id="show-coverage"),
        Binding(
            "l", "toggle_left", t("roster.pane.key_left"), show=False, id="toggle-left-workers"
        ),
        Binding("x", "export_notice", t("roster.pane.key_notice"), id="export-notice"),
        Binding(
            "w", "export_workers", t("roster.pane.key_export"), show=False, id="export-workers"
        ),
        Binding(
            "f7", "previous_page", t("roster.pane.key_previous"), show=False, id="roster-previous"
        ),
        Binding("f8", "next_page", t("roster.pane.key_next"), show=False, id="roster-next"),
        Binding("f5", "reload_roster", t("roster.pane.key_reload"), show=False, id="reload-roster"),
    ]

    class PageLoaded(Message):
        def __init__(self, page: WorkerPage, request: int) -> None:
            super().__init__()
            self.page = page
            self.request = request

    class TreeLoaded(Message):
        def __init__(self, communities: tuple[CommunityNode, ...]) -> None:
            super().__init__()
            self.communities = communities

    class CoverageLoaded(Message):
        def __init__(self, report: CoverageReport) -> None:
            super().__init__()
            self.report = report

    class WorkerLoaded(Message):
        def __init__(self, detail: WorkerDetail) -> None:
            super().__init__()
            self.detail = detail

    class WorkerSaved(Message):
        def __init__(self, detail: WorkerDetail, notice: str) -> None:
            super().__init__()
            self.detail = detail
            self.notice = notice

    class FileWritten(Message):
        def __init__(self, path: Path, rows: int) -> None:
            super().__init__()
            self.path = path
            self.rows = rows

    class WorkerRevealed(Message):
        def __init__(self, row: WorkerRow, revealed: Revealed) -> None:
            super().__init__()
            self.row = row
            self.revealed = revealed

    change_token: reactive[int] = reactive(0, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.query_state = RosterQuery()
        self.page: WorkerPage | None = None
        self.cursors: list[WorkerCursor | None] = [None]  # the cursor of each page shown so far
        self.coverage: CoverageReport | None = None
        self.showing_coverage = False
        self._request = 0
        self._search_timer: Timer | None = None

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="roster-body"):
            yield RosterTree(id="roster-tree")
            with Vertical(id="roster-main"):
                yield Input(
                    placeholder=t("roster.pane.search_placeholder"),
                    max_length=SEARCH_MAX,
                    restrict=SINGLE_LINE,
                    id="roster-search",
                    compact=True,
                )
                yield RosterTable(self.services.context.settings.centre.zone, id="roster-table")
                yield Static(id="roster-selected", markup=False)
        with Horizontal(id="roster-status-line"):
            yield Static(id="roster-status", markup=False)

    def on_mount(self) -> None:
        self.table.set_layout(self._table_width())
        self.table.focus()
        self.reload(tree=True)
        self.call_after_refresh(self._fit_table)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_table)

    def _fit_table(self) -> None:
        self.table.set_layout(self._table_width())

    def _table_width(self) -> int:
        """The cells the table has: its column beside the tree, once laid out."""
        width = self.query_one("#roster-main").size.width
        if not width:
            tree_width = 24 if self.app.size.width < NARROW_BELOW else 28
            width = self.app.size.width - tree_width
        return max(20, width)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    @property
    def search(self) -> Input:
        return self.query_one("#roster-search", Input)

    def shown(self) -> None:
        """The pane became the current one: focus the table, read again."""
        self.table.focus()
        self.reload(tree=True)

    # -- loading --------------------------------------------------------------------------------

    def reload(self, *, tree: bool = False, first_page: bool = False) -> None:
        if first_page:
            self.cursors = [None]
        self._request += 1
        self.load_page(self.query_state, self.cursors[-1], self._request)
        if tree:
            self.load_tree()

    def watch_change_token(self) -> None:
        if self.page is not None:
            self.reload(tree=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-page")
    def load_page(self, query: RosterQuery, after: WorkerCursor | None, request: int) -> None:
        page = self.services.roster.page(query, after, PAGE_SIZE)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(page, request))

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-tree")
    def load_tree(self) -> None:
        self.post_message(self.TreeLoaded(self.services.roster.tree()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-coverage")
    def load_coverage(self) -> None:
        self.post_message(self.CoverageLoaded(self.services.roster.coverage()))

    def on_roster_pane_page_loaded(self, message: PageLoaded) -> None:
        if message.request != self._request:
            return  # an older search answered late
        self.page = message.page
        self.table.show(message.page.rows)
        self._show_status()
        self._show_selected()

    def on_roster_pane_tree_loaded(self, message: TreeLoaded) -> None:
        self.query_one(RosterTree).show_communities(message.communities)

    def on_roster_pane_coverage_loaded(self, message: CoverageLoaded) -> None:
        self.coverage = message.report
        self.showing_coverage = True
        self._show_selected()

    def _show_status(self) -> None:
        page = self.page
        if page is None:
            return
        text = t(
            "roster.pane.status",
            page=len(self.cursors),
            shown=thousands(len(page.rows)),
            total=thousands(page.total),
        )
        if self.query_state.include_left:
            text += t("roster.pane.status_left")
        self.query_one("#roster-status", Static).update(Content(text))

    # -- the selected worker ----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#roster-table")
    def _row_highlighted(self) -> None:
        if not self.showing_coverage:
            self._show_selected()

    def _show_selected(self) -> None:
        target = self.query_one("#roster-selected", Static)
        if self.showing_coverage and self.coverage is not None:
            target.update(Content(coverage_text(self.coverage)))
            return
        row = self.table.selected_worker
        target.update(Content("" if row is None else worker_text(row)))

    # -- search and the tree ----------------------------------------------------------------------

    @on(Input.Changed, "#roster-search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self.run_search)

    @on(Input.Submitted, "#roster-search")
    def _search_submitted(self) -> None:
        self.run_search()
        self.table.focus()

    def run_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        text = self.search.value
        if text != self.query_state.text:
            self.query_state = RosterQuery(
                text,
                self.query_state.community_code,
                self.query_state.grid_code,
                self.query_state.include_left,
            )
            self.reload(first_page=True)

    @on(Tree.NodeSelected, "#roster-tree")
    def _node_selected(self, event: Tree.NodeSelected[TreePick]) -> None:
        pick = event.node.data or TreePick()
        self.query_state = RosterQuery(
            self.query_state.text,
            pick.community_code,
            pick.grid_code,
            self.query_state.include_left,
        )
        self.reload(first_page=True)

    def action_focus_roster_search(self) -> None:
        self.search.focus()

    def action_focus_roster_tree(self) -> None:
        self.query_one(RosterTree).focus()

    def action_toggle_left(self) -> None:
        state = self.query_state
        self.query_state = RosterQuery(
            state.text, state.community_code, state.grid_code, not state.include_left
        )
        self.reload(first_page=True)

    def action_reload_roster(self) -> None:
        self.reload(tree=True)

    def action_next_page(self) -> None:
        if self.page is not None and self.page.next_cursor is not None:
            self.cursors.append(self.page.next_cursor)
            self.reload()

    def action_previous_page(self) -> None:
        if len(self.cursors) > 1:
            self.cursors.pop()
            self.reload()

    def action_show_coverage(self) -> None:
        if self.showing_coverage:
            self.showing_coverage = False
            self._show_selected()
            return
        self.load_coverage()

    # -- edits (admins) -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_worker":  # offered only to a role that may reveal something
            return bool(self.services.privacy.worker_fields())
        # the service refuses an admin's action to anyone else anyway: not offered
        return action not in ADMIN_ACTIONS or self.services.roster.may_manage

    # -- revealing personal data ----------------------------------------------------------------

    def action_reveal_worker(self) -> None:
        row = self.table.selected_worker
        if row is None:
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.reveal(row, reason)

        summary = Content.assemble((safe(row.name), "bold"), "  ", row.mobile_masked or "-")
        self.app.push_screen(RevealModal(summary), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-reveal")
    def reveal(self, row: WorkerRow, reason: str) -> None:
        shown = self.services.privacy.reveal_worker(row.id, reason=reason)
        self.post_message(self.WorkerRevealed(row, shown))

    def on_roster_pane_worker_revealed(self, message: WorkerRevealed) -> None:
        """The values in place of the masked ones while this worker stays selected."""
        if self.table.selected_worker != message.row or self.showing_coverage:
            return
        values = message.revealed.values
        target = self.query_one("#roster-selected", Static)
        target.update(
            Content(
                worker_text(
                    message.row,
                    mobile=values.get(PersonalField.worker_mobile),
                    id_number=values.get(PersonalField.worker_id_number),
                )
            )
        )

    def action_new_worker(self) -> None:
        self.app.push_screen(WorkerFormModal(self.services.roster, None), self._worker_saved)

    def action_edit_worker(self) -> None:
        row = self.table.selected_worker
        if row is not None:
            self.load_worker(row.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-worker")
    def load_worker(self, worker_id: int) -> None:
        self.post_message(self.WorkerLoaded(self.services.roster.worker(worker_id)))

    def on_roster_pane_worker_loaded(self, message: WorkerLoaded) -> None:
        self.app.push_screen(
            WorkerFormModal(self.services.roster, message.detail, self.services.privacy),
            self._worker_saved,
        )

    def _worker_saved(self, detail: WorkerDetail | None) -> None:
        if detail is not None:
            self.notify(
                t("roster.pane.saved", name=safe(detail.row.name)),
                markup=False,
                severity="information",
            )
            self.reload(tree=True)

    def action_toggle_duty(self) -> None:
        row = self.table.selected_worker
        if row is not None:
            self.set_duty(row.id, row.version, not row.on_duty_today)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-duty")
    def set_duty(self, worker_id: int, version: int, on_duty: bool) -> None:
        detail = self.services.roster.set_on_duty(worker_id, version, on_duty)
        key = "roster.cli.duty_on" if detail.row.on_duty_today else "roster.cli.duty_off"
        self.post_message(self.WorkerSaved(detail, t(key, name=safe(detail.row.name))))

    def on_roster_pane_worker_saved(self, message: WorkerSaved) -> None:
        self.notify(message.notice, markup=False)
        self.reload()

    # -- files ----------------------------------------------------------------------------------

    def action_export_notice(self) -> None:
        today = self.services.context.clock.now().astimezone(
            self.services.context.settings.centre.zone
        )
        name = t("roster.pane.notice_file", day=f"{today:%Y%m%d}")
        modal = RosterExportModal(t("roster.pane.notice_title"), name, t("roster.pane.notice_hint"))
        self.app.push_screen(modal, self._notice_path)

    def _notice_path(self, path: Path | None) -> None:
        if path is not None:
            self.write_file(path, notice=True)

    def action_export_workers(self) -> None:
        modal = RosterExportModal(
            t("roster.pane.export_title"),
            t("roster.pane.export_file"),
            t("roster.pane.export_hint"),
        )
        self.app.push_screen(modal, self._workers_path)

    def _workers_path(self, path: Path | None) -> None:
        if path is not None:
            self.write_file(path, notice=False)

    @work(thread=True, exclusive=False, exit_on_error=False, group="roster-file")
    def write_file(self, path: Path, *, notice: bool) -> None:
        roster = self.services.roster
        rows = roster.write_notice(path) if notice else roster.export_workers(path)
        self.post_message(self.FileWritten(path, rows))

    def on_roster_pane_file_written(self, message: FileWritten) -> None:
        self.notify(
            t("roster.cli.exported", count=message.rows, file=str(message.path)), markup=False
        )

    # -- errors ---------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if not str(event.worker.group).startswith("roster-"):
            return
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(OperationFailed(event.worker.error))


def worker_text(row: WorkerRow, *, mobile: str | None = None, id_number: str | None = None) -> str:
    """Every field of the selected worker in a line or two (numbers masked, unless the operator
    revealed them: ``mobile``/``id_number``, then marked as revealed)."""
    mark = t("privacy.revealed")
    parts = [
        f"{safe(row.name)}  {t(f'roster.WorkerRole.{row.role.value}')}",
        t(f"roster.WorkerStatus.{row.status.value}")
        + (t("roster.cli.on_duty_mark") if row.on_duty_today else ""),
        f"{revealed(mobile)}{mark}" if mobile is not None else row.mobile_masked or "-",
        f"{revealed(id_number)}{mark}" if id_number is not None else row.id_masked or "-",
    ]
    if row.birth_date is not None and row.age is not None:
        parts.append(t("roster.pane.born", day=row.birth_date.isoformat(), age=row.age))
    if row.part_time_category:
        parts.append(safe(row.part_time_category))
    first = "  ".join(parts)
    grids = " ".join(
        f"{code} {safe(name)}" for code, name in zip(row.grid_codes, row.grid_names, strict=True)
    )
    second = t(
        "roster.pane.selected_counts",
        grids=grids or "-",
        heads=" ".join(row.heads) or "-",
        open=row.open_cases,
        reported=row.reported_this_month,
        complaints=row.complaints,
        pending=row.open_complaints,
    )
    return f"{first}\n{second}"


def coverage_text(report: CoverageReport) -> str:
    lines = [
        t(
            "roster.cli.coverage_summary",
            grids=report.grids,
            breaches=len(report.breaches),
            warnings=len(report.warnings),
        )
    ]
    for finding in report.findings[:8]:
        mark = t("roster.cli.warning") if finding.warning else t("roster.cli.breach")
        lines.append(f"{mark} {finding.subject} {safe(finding.subject_name)}: {finding.detail}")
    if len(report.findings) > 8:
        lines.append(t("roster.pane.more_findings", count=len(report.findings) - 8))
    return "\n".join(lines)
