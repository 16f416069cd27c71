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

from gridconsole.domain.countdown import CountdownReading, DeadlineCountdown
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.i18n import t
from gridconsole.services.overdue_records import OverdueRow
from gridconsole.views.formatting import cell, local_time
from gridconsole.views.keyed_case_table import KeyedCaseTable
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


class OverdueTable(KeyedCaseTable[OverdueRow]):
    """Deadlines in warning, overdue or falling due soon, soonest due first, keyed by code."""

    LAYOUT = LAYOUT
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "overdue-table--warning",
        "overdue-table--overdue",
    }

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(zone, id=id)
        self.status_by_code: dict[str, DeadlineStatus] = {}
        self.countdown_by_code: dict[str, str] = {}
        self.countdown: DeadlineCountdown | None = None
        self.now: datetime | None = None
        self.cells_written = 0  # countdown cells rewritten by ticks (measurement)

    def show_rows(
        self, rows: tuple[OverdueRow, ...], countdown: DeadlineCountdown, now: datetime
    ) -> None:
        """Show ``rows`` in order by key; the cursor stays on its case."""
        self.countdown, self.now = countdown, now
        self.sync_rows(rows)

    def _row_changed(self, held: OverdueRow, row: OverdueRow) -> bool:
        # a row also redraws when the clock moved it to another status (its colour)
        return held != row or self._reading(row).status != self.status_by_code.get(row.code)

    def _forget(self, code: str) -> None:
        self.status_by_code.pop(code, None)
        self.countdown_by_code.pop(code, None)

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
                    self.rewrite_row(row)
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
