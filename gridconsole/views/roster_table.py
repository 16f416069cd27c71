"""The roster's workers as a table, keyed by worker number, updated in place.

Phone and ID numbers arrive masked from the service; names and grid names are literal text.
Below 100 cells the counts fold away (the line under the table shows them for the selected
worker at any width).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from gridconsole.domain.enums import WorkerStatus
from gridconsole.i18n import t
from gridconsole.services.roster_records import WorkerRow
from gridconsole.views.formatting import cell
from gridconsole.views.keyed_case_table import KeyedCaseTable
from gridconsole.views.table_layout import TableColumn, TableLayout

LAYOUT = TableLayout(
    (
        TableColumn("code", "roster.pane.column_code", 4),
        TableColumn("name", "roster.pane.column_name", 8),
        TableColumn("role", "roster.pane.column_role", 10),
        TableColumn("status", "roster.pane.column_status", 8),
        TableColumn("mobile", "roster.pane.column_mobile", 11),
        TableColumn("age", "roster.pane.column_age", 4),
        TableColumn("open", "roster.pane.column_open", 4),
        TableColumn("reported", "roster.pane.column_reported", 4),
        TableColumn("complaints", "roster.pane.column_complaints", 4),
        TableColumn("grids", "roster.pane.column_grids", 0),
    ),
    # at 80 columns the grids fold away too: the line under the table names them
    frozenset({"code", "name", "role", "status", "mobile"}),
    min_flexible=10,
    # beside the tree at 120 columns the table has about 90 cells: room for the counts
    narrow_below=88,
)


@dataclass(frozen=True)
class WorkerLine:
    """A worker row under the table's key (``code``: the worker's number as text)."""

    row: WorkerRow

    @property
    def code(self) -> str:
        return str(self.row.id)


def status_text(row: WorkerRow) -> Text:
    label = t(f"roster.WorkerStatus.{row.status.value}")
    if row.on_duty_today:
        return cell(t("roster.pane.on_duty"), style="bold")
    style = "" if row.status is WorkerStatus.active else "dim"
    return cell(label, style=style)


class RosterTable(KeyedCaseTable[WorkerLine]):
    """One page of workers, in pinyin order of their names."""

    LAYOUT = LAYOUT

    def _cells(self, line: WorkerLine) -> list[Text]:
        row = line.row
        values: dict[str, Text] = {
            "code": cell(line.code),
            "name": cell(row.name, 8),
            "role": cell(t(f"roster.WorkerRole.{row.role.value}"), 10),
            "status": status_text(row),
            "mobile": cell(row.mobile_masked or "-"),
            "age": cell("-" if row.age is None else str(row.age)),
            "open": cell(str(row.open_cases)),
            "reported": cell(str(row.reported_this_month)),
            "complaints": cell(str(row.complaints), style="bold" if row.open_complaints else ""),
            "grids": cell(" ".join(row.grid_names) or "-", self.title_width),
        }
        return [values[column.key] for column in self.columns_shown]

    @property
    def selected_worker(self) -> WorkerRow | None:
        line = self.selected_row
        return None if line is None else line.row

    def show(self, rows: tuple[WorkerRow, ...]) -> None:
        self.sync_rows(tuple(WorkerLine(row) for row in rows))
