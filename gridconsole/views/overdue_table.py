"""The overdue pane's table: rows keyed by case code, countdown cells ticked in place.

Each second :meth:`OverdueTable.tick` recomputes every countdown from the deadlines it holds and
the clock (no database) and rewrites only the cells whose text changed; a row whose status
changes (on time → 预警 → 超期) is restyled, and the codes that crossed are returned so the pane
can re-read its counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from gridconsole.domain.countdown import CountdownReading, DeadlineCountdown
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.i18n import t
from gridconsole.services.overdue_records import OverdueRow
from gridconsole.views.formatting import cell, local_time
from gridconsole.views.table_layout import TableColumn, TableLayout

PLACE_WIDTH = 14
WIDE_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("code", "overdue.column_code", 16),
    TableColumn("step", "overdue.column_step", 4),
    TableColumn("place", "overdue.column_place", PLACE_WIDTH),
    TableColumn("title", "overdue.column_title", 0),
    TableColumn("deadline", "overdue.column_deadline", 11),
    TableColumn("countdown", "overdue.column_countdown", 15),
    TableColumn("flags", "overdue.column_flags", 9),
)
LAYOUT = TableLayout(
    WIDE_COLUMNS,
    narrow_keys=frozenset({"code", "step", "place", "countdown", "flags"}),
    min_flexible=10,
)


def clock_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, second = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{second:02d}"


def countdown_text(reading: CountdownReading) -> str:
    """ "剩余 1:42:10" until the due instant, "超期 2天3小时" after it; a day is a working day
    for working-time steps. Under one day the clock shows seconds."""
    seconds = reading.seconds
    if reading.status is DeadlineStatus.overdue:
        span, kind = -seconds if seconds < 0 else 0, "overdue"
    else:
        span, kind = seconds, "remaining"
    days, rest = divmod(span, reading.day_seconds)
    if days:
        return t(f"overdue.{kind}_days", days=days, hours=rest // 3600)
    return t(f"overdue.{kind}_clock", clock=clock_text(rest))


class OverdueTable(DataTable[Text]):
    """Deadlines in warning, overdue or falling due soon, soonest due first, keyed by code."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "overdue-table--warning",
        "overdue-table--overdue",
    }

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.zone = zone
        self.rows_by_code: dict[str, OverdueRow] = {}
        self.status_by_code: dict[str, DeadlineStatus] = {}
        self.countdown_by_code: dict[str, str] = {}
        self.countdown: DeadlineCountdown | None = None
        self.now: datetime | None = None
        self.narrow = False
        self.title_width = LAYOUT.min_flexible
        self.cells_written = 0  # countdown cells rewritten by ticks (measurement)

    # -- layout ---------------------------------------------------------------------------------

    @property
    def columns_shown(self) -> tuple[TableColumn, ...]:
        return LAYOUT.columns(self.narrow)

    def set_layout(self, total_width: int) -> bool:
        """Choose the column set for ``total_width`` cells; True if it changed."""
        narrow, title_width = LAYOUT.fit(total_width)
        changed = narrow != self.narrow or title_width != self.title_width or not self.columns
        self.narrow, self.title_width = narrow, title_width
        if changed:
            self._rebuild()
        return changed

    def _rebuild(self) -> None:
        selected = self.selected_code
        rows = list(self.rows_by_code.values())
        self.clear(columns=True)
        for column in self.columns_shown:
            width = column.width or self.title_width
            self.add_column(t(column.label_key), key=column.key, width=width)
        for row in rows:
            self.add_row(*self._cells(row), key=row.code)
        self._restore_cursor(selected, 0)

    # -- selection ------------------------------------------------------------------------------

    @property
    def selected_code(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    @property
    def selected_row(self) -> OverdueRow | None:
        code = self.selected_code
        return self.rows_by_code.get(code) if code else None

    # -- data -------------------------------------------------------------------------------------

    def show_rows(
        self, rows: tuple[OverdueRow, ...], countdown: DeadlineCountdown, now: datetime
    ) -> None:
        """Show ``rows`` in order by key: remove stale rows, update changed ones, add new ones;
        the cursor stays on its case."""
        self.countdown, self.now = countdown, now
        selected = self.selected_code
        cursor_index = self.cursor_row
        wanted = {row.code: row for row in rows}
        with self.app.batch_update():
            for code in [code for code in self.rows_by_code if code not in wanted]:
                self.remove_row(code)
                del self.rows_by_code[code]
                self.status_by_code.pop(code, None)
                self.countdown_by_code.pop(code, None)
            for row in rows:
                held = self.rows_by_code.get(row.code)
                status = self._reading(row).status
                if held is None:
                    self.add_row(*self._cells(row), key=row.code)
                elif held != row or status != self.status_by_code.get(row.code):
                    for column, value in zip(self.columns_shown, self._cells(row), strict=True):
                        self.update_cell(row.code, column.key, value)
                self.rows_by_code[row.code] = row
            order = {row.code: index for index, row in enumerate(rows)}
            self.sort("code", key=lambda code_cell: order.get(code_cell.plain, len(order)))
            self.rows_by_code = {row.code: row for row in rows}
            self._restore_cursor(selected, cursor_index)

    def tick(self, now: datetime) -> list[str]:
        """Recount every countdown at ``now``: rewrite only changed countdown cells, restyle rows
        whose status changed, and return the codes that crossed a boundary."""
        self.now = now
        if self.countdown is None:
            return []
        crossed: list[str] = []
        with self.app.batch_update():
            for code, row in self.rows_by_code.items():
                reading = self._reading(row)
                if reading.status != self.status_by_code.get(code):
                    crossed.append(code)
                    for column, value in zip(self.columns_shown, self._cells(row), strict=True):
                        self.update_cell(code, column.key, value)
                    continue
                text = countdown_text(reading)
                if text != self.countdown_by_code.get(code):
                    self.countdown_by_code[code] = text
                    self.cells_written += 1
                    countdown_cell = cell(text)
                    countdown_cell.stylize(self._status_style(reading.status))
                    self.update_cell(code, "countdown", countdown_cell)
        return crossed

    def _reading(self, row: OverdueRow) -> CountdownReading:
        assert self.countdown is not None
        assert self.now is not None
        return self.countdown.reading(
            self.now, row.warn_at, row.due_at, working_time=row.working_time
        )

    def _restore_cursor(self, selected: str | None, fallback_index: int) -> None:
        if not self.row_count:
            return
        if selected is not None and selected in self.rows:
            index = self.get_row_index(RowKey(selected))
        else:
            index = min(fallback_index, self.row_count - 1)
        self.move_cursor(row=index, animate=False, scroll=True)

    def _status_style(self, status: DeadlineStatus) -> Style:
        if status is DeadlineStatus.on_time:
            return Style()
        return self.get_component_rich_style(f"overdue-table--{status.value}", partial=True)

    def _cells(self, row: OverdueRow) -> list[Text]:
        reading = self._reading(row)
        self.status_by_code[row.code] = reading.status
        countdown = countdown_text(reading)
        self.countdown_by_code[row.code] = countdown
        style = self._status_style(reading.status)
        flags = []
        if row.provisional:
            flags.append(t("overdue.flag_provisional"))
        if row.supervised:
            flags.append(t("overdue.flag_supervised"))
        if row.urge_count:
            flags.append(t("overdue.flag_urged", count=row.urge_count))
        values: dict[str, Text] = {
            "code": cell(row.code),
            "step": cell(t(f"step.{row.step.value}")),
            "place": cell(row.place, PLACE_WIDTH),
            "title": cell(row.title, self.title_width),
            "deadline": cell(local_time(row.due_at, self.zone, "%m-%d %H:%M")),
            "countdown": cell(countdown),
            "flags": cell(" ".join(flags), 9),
        }
        cells = [values[column.key] for column in self.columns_shown]
        for text in cells:
            text.stylize(style)
        return cells
