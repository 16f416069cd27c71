"""The cases behind one figure of the statistics pane: Enter opens the case in detail."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from gridconsole.i18n import t
from gridconsole.services.statistics_records import DrillPage
from gridconsole.views.formatting import local_time, safe


class DrillModal(ModalScreen[str | None]):
    """Lists the cases (newest fact first); dismissed with the chosen case code or None."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close_drill", t("statistics.pane.key_close"), id="close-drill"),
    ]

    def __init__(self, title: str, page: DrillPage, zone: ZoneInfo) -> None:
        super().__init__(classes="action-modal drill-modal")
        self.title_text = title
        self.page = page
        self.zone = zone

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame"):
            yield Static(Content(safe(self.title_text)), classes="modal-title", markup=False)
            yield DataTable[Text](id="drill-cases", cursor_type="row", zebra_stripes=True)
            shown, total = len(self.page.rows), self.page.total
            summary = (
                t("statistics.pane.drill_all", total=total)
                if shown == total
                else t("statistics.pane.drill_some", shown=shown, total=total)
            )
            yield Static(Content(summary), classes="modal-summary", id="drill-summary")

    def on_mount(self) -> None:
        table = self.query_one("#drill-cases", DataTable)
        table.add_column(t("statistics.report.case_code"), key="code", width=16)
        table.add_column(t("statistics.pane.col_when"), key="at", width=16)
        table.add_column(t("statistics.pane.col_state"), key="state", width=6)
        table.add_column(t("statistics.report.case_title"), key="title")
        for row in self.page.rows:
            table.add_row(
                Text(row.code),
                Text(local_time(row.at, self.zone)),
                Text(t(f"state.{row.state.value}")),
                Text(safe(row.title), no_wrap=True, overflow="ellipsis"),
                key=row.code + "@" + row.at.isoformat(),
            )
        table.focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value or ""
        self.dismiss(key.split("@", 1)[0] or None)

    def action_close_drill(self) -> None:
        self.dismiss(None)
