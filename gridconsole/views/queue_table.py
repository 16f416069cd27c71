"""The queue's table: rows keyed by case code and updated in place, never cleared and refilled."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from gridconsole.domain.enums import Priority
from gridconsole.i18n import t
from gridconsole.services.records import CaseRow
from gridconsole.views.formatting import age_text, cell, local_time
from gridconsole.views.table_layout import TableColumn, TableLayout

WIDE_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("code", "queue.column_code", 16),
    TableColumn("priority", "queue.column_priority", 4),
    TableColumn("state", "queue.column_state", 6),
    TableColumn("category", "queue.column_category", 8),
    TableColumn("grid", "queue.column_grid", 14),
    TableColumn("title", "queue.column_title", 0),
    TableColumn("reported", "queue.column_reported", 11),
    TableColumn("age", "queue.column_age", 8),
)
LAYOUT = TableLayout(
    WIDE_COLUMNS,
    narrow_keys=frozenset({"code", "priority", "state", "title", "age"}),
    min_flexible=12,
)


class QueueTable(DataTable[Text]):
    """Cases of one queue page, keyed by code."""

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.zone = zone
        self.rows_by_code: dict[str, CaseRow] = {}
        self.narrow = False
        self.title_width = LAYOUT.min_flexible
        self.now: datetime | None = None

    @property
    def columns_shown(self) -> tuple[TableColumn, ...]:
        return LAYOUT.columns(self.narrow)

    def set_layout(self, total_width: int) -> bool:
        """Choose the column set and title width for ``total_width`` cells; True if it changed."""
        narrow, title_width = LAYOUT.fit(total_width)
        changed = narrow != self.narrow or title_width != self.title_width or not self.columns
        self.narrow, self.title_width = narrow, title_width
        if changed:
            self._rebuild()
        return changed

    def _rebuild(self) -> None:
        """New column set (a layout change only): re-add the rows we hold, keeping the cursor."""
        selected = self.selected_code
        rows = list(self.rows_by_code.values())
        self.clear(columns=True)
        for column in self.columns_shown:
            width = column.width or self.title_width
            self.add_column(t(column.label_key), key=column.key, width=width)
        for row in rows:
            self.add_row(*self._cells(row), key=row.code)
        self._restore_cursor(selected, 0)

    @property
    def selected_code(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    @property
    def selected_row(self) -> CaseRow | None:
        code = self.selected_code
        return self.rows_by_code.get(code) if code else None

    def show_rows(self, rows: tuple[CaseRow, ...], now: datetime) -> None:
        """Make the table show ``rows`` in order: remove stale keys, update changed cells, add new
        rows, then order them; the cursor stays on the case it was on."""
        self.now = now
        selected = self.selected_code
        cursor_index = self.cursor_row
        wanted = {row.code: row for row in rows}
        with self.app.batch_update():
            for code in [code for code in self.rows_by_code if code not in wanted]:
                self.remove_row(code)
                del self.rows_by_code[code]
            for row in rows:
                held = self.rows_by_code.get(row.code)
                if held is None:
                    self.add_row(*self._cells(row), key=row.code)
                elif held != row:
                    for column, value in zip(self.columns_shown, self._cells(row), strict=True):
                        self.update_cell(row.code, column.key, value)
                self.rows_by_code[row.code] = row
            order = {row.code: index for index, row in enumerate(rows)}
            self._order_rows(order)
            self.rows_by_code = {row.code: row for row in rows}
            self._restore_cursor(selected, cursor_index)

    def refresh_ages(self, now: datetime) -> None:
        """Recompute the age column from memory (no database)."""
        self.now = now
        with self.app.batch_update():
            for code, row in self.rows_by_code.items():
                self.update_cell(code, "age", cell(age_text(row.reported_at, now)))

    def _order_rows(self, order: dict[str, int]) -> None:
        self.sort("code", key=lambda code_cell: order.get(code_cell.plain, len(order)))

    def _restore_cursor(self, selected: str | None, fallback_index: int) -> None:
        if not self.row_count:
            return
        if selected is not None and selected in self.rows:
            index = self.get_row_index(RowKey(selected))
        else:
            index = min(fallback_index, self.row_count - 1)
        self.move_cursor(row=index, animate=False, scroll=True)

    def _cells(self, row: CaseRow) -> list[Text]:
        values: dict[str, Text] = {
            "code": cell(row.code),
            "priority": self._priority_cell(row.priority),
            "state": cell(t(f"state.{row.state.value}")),
            "category": cell(row.category_name, 8),
            "grid": cell(row.grid_name, 14),
            "title": cell(row.title, self.title_width),
            "reported": cell(local_time(row.reported_at, self.zone, "%m-%d %H:%M")),
            "age": cell(age_text(row.reported_at, self.now) if self.now else ""),
        }
        return [values[column.key] for column in self.columns_shown]

    @staticmethod
    def _priority_cell(priority: Priority) -> Text:
        if priority is Priority.urgent:
            return cell(t("queue.priority_urgent"), style="bold red")
        return cell(t("queue.priority_normal"))
