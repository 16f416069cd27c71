"""The queue's table: rows keyed by case code and updated in place, never cleared and refilled."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from gridconsole.domain.enums import Priority
from gridconsole.i18n import t
from gridconsole.services.records import CaseRow
from gridconsole.views.claim_marker import claimed_title
from gridconsole.views.formatting import age_text, cell, local_time
from gridconsole.views.keyed_case_table import KeyedCaseTable
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


class QueueTable(KeyedCaseTable[CaseRow]):
    """Cases of one queue page, keyed by code."""

    LAYOUT = LAYOUT

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(zone, id=id)
        self.now: datetime | None = None

    def show_rows(self, rows: tuple[CaseRow, ...], now: datetime) -> None:
        """Show ``rows`` in order by key; the cursor stays on the case it was on."""
        self.now = now
        self.sync_rows(rows)

    def refresh_ages(self, now: datetime) -> None:
        """Recompute the age column from memory (no database)."""
        self.now = now
        with self.app.batch_update():
            for code, row in self.rows_by_code.items():
                self.update_cell(code, "age", cell(age_text(row.reported_at, now)))

    def _cells(self, row: CaseRow) -> list[Text]:
        values: dict[str, Text] = {
            "code": cell(row.code),
            "priority": self._priority_cell(row.priority),
            "state": cell(t(f"state.{row.state.value}")),
            "category": cell(row.category_name, 8),
            "grid": cell(row.grid_name, 14),
            "title": claimed_title(
                row.title, row.claimed_by_name, row.claimed_until, self.now, self.title_width
            ),
            "reported": cell(local_time(row.reported_at, self.zone, "%m-%d %H:%M")),
            "age": cell(age_text(row.reported_at, self.now) if self.now else ""),
        }
        return [values[column.key] for column in self.columns_shown]

    @staticmethod
    def _priority_cell(priority: Priority) -> Text:
        if priority is Priority.urgent:
            return cell(t("queue.priority_urgent"), style="bold red")
        return cell(t("queue.priority_normal"))
