"""The auditor's pane (审计日志): the audit log newest first, filtered, paged, verifiable.

Reads run in workers, a page at a time (keyset on the entry number): the log grows by every
action of every console and is never loaded whole. ``v`` verifies the chain in a worker and says
where it breaks.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from gridconsole.domain.audit_chain import ChainVerdict
from gridconsole.i18n import t
from gridconsole.services.audit_records import AuditFilter, AuditPage
from gridconsole.views.audit_filter import read_filter
from gridconsole.views.formatting import cell, local_time
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.ports import ConsoleServices

PAGE = 100
# 80 columns hold everything but the detail: the day and time without the year, the case code
_COLUMNS = (("seq", 6), ("at", 14), ("who", 10), ("action", 22), ("subject", 20), ("detail", 0))


class AuditPane(Vertical):
    BINDINGS = [  # noqa: RUF012
        Binding("slash", "focus_filter", t("audit.key_filter"), id="audit-filter"),
        Binding("n", "next_page", t("audit.key_more"), id="audit-more"),
        Binding("v", "verify_chain", t("audit.key_verify"), id="audit-verify"),
    ]

    class Loaded(Message):
        def __init__(self, page: AuditPage, append: bool, request: int) -> None:
            super().__init__()
            self.page = page
            self.append = append
            self.request = request

    class Verified(Message):
        def __init__(self, verdict: ChainVerdict) -> None:
            super().__init__()
            self.verdict = verdict

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.where = AuditFilter()
        self.next_before: int | None = None
        self.request = 0
        self.shown_rows = 0

    def compose(self) -> ComposeResult:
        yield Static(t("audit.pane_title"), id="audit-heading", markup=False)
        yield Input(
            placeholder=t("audit.filter_hint"),
            id="audit-filter-input",
            max_length=200,
            restrict=SINGLE_LINE,
        )
        table: DataTable[object] = DataTable(
            id="audit-table", cursor_type="row", zebra_stripes=True
        )
        for key, width in _COLUMNS:
            table.add_column(t(f"audit.col.{key}"), key=key, width=width or None)
        yield table
        yield Static("", id="audit-status", markup=False)

    def on_mount(self) -> None:
        self.load(append=False)
        self.query_one(DataTable).focus()

    def shown(self) -> None:
        self.load(append=False)

    # -- reading --------------------------------------------------------------------------------

    def load(self, *, append: bool) -> None:
        self.request += 1
        before = self.next_before if append else None
        self._read(self.where, before, append, self.request)

    @work(thread=True, exclusive=True, group="audit-read", exit_on_error=False)
    def _read(self, where: AuditFilter, before: int | None, append: bool, request: int) -> None:
        try:
            page = self.services.audit.page(where, before=before, limit=PAGE)
        except Exception as exc:  # refused or unreadable: say so in the pane, keep the console
            self.app.call_from_thread(self._say, str(exc))
            return
        self.post_message(self.Loaded(page, append, request))

    def _say(self, text: str) -> None:
        self.query_one("#audit-status", Static).update(text)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.request != self.request:
            return  # a newer filter is on its way
        table = self.query_one(DataTable)
        if not message.append:
            table.clear()
            self.shown_rows = 0
        zone = self.services.context.settings.centre.zone
        for row in message.page.rows:
            table.add_row(
                cell(str(row.seq)),
                cell(local_time(row.at, zone, "%m-%d %H:%M:%S")),
                cell(row.display_name or row.username, 10),
                cell(row.action, 22),
                cell(row.case_code or row.subject, 20),
                cell(row.detail, 200),
                key=str(row.seq),
            )
        self.shown_rows += len(message.page.rows)
        self.next_before = message.page.next_before
        more = t("audit.more_below") if self.next_before is not None else ""
        self._say(t("audit.shown", rows=self.shown_rows) + more)

    # -- keys -----------------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#audit-filter-input", Input).focus()

    @on(Input.Submitted, "#audit-filter-input")
    def _filter(self, event: Input.Submitted) -> None:
        reading = read_filter(event.value, self.services.context.settings.centre.zone)
        if reading.problem:
            self._say(reading.problem)
            return
        self.where = reading.where
        self.next_before = None
        self.load(append=False)
        self.query_one(DataTable).focus()

    def action_next_page(self) -> None:
        if self.next_before is not None:
            self.load(append=True)

    def action_verify_chain(self) -> None:
        self._say(t("audit.verifying"))
        self._verify()

    @work(thread=True, exclusive=True, group="audit-verify", exit_on_error=False)
    def _verify(self) -> None:
        try:
            verdict = self.services.audit.verify()
        except Exception as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.post_message(self.Verified(verdict))

    @on(Verified)
    def _verified(self, message: Verified) -> None:
        verdict = message.verdict
        if verdict.ok:
            head = verdict.head
            text = t("audit.verified", entries=verdict.entries, seq=head.seq if head else 0)
            self.notify(text, markup=False)
        else:
            text = t(
                "audit.verify_bad",
                seq=verdict.bad_seq,
                kind=t(f"audit.kind.{verdict.kind}"),
                problem=verdict.problem,
                good=verdict.entries,
            )
            self.notify(text, severity="error", timeout=30, markup=False)
        self._say(text)
