"""Running deadlines as every table shows them: the overdue pane's countdown ("剩余 1:42:10",
"超期 2天3小时", in the step's kind of time) and its status colours (on time / 预警 / 超期).

:class:`DeadlineTable` holds the :class:`DeadlineCountdown` its rows were read with and, each
second, :meth:`DeadlineTable.tick` recounts every countdown from memory (no database), rewriting
only the countdown cells whose text changed and redrawing the rows whose status changed.

Each table names its status component classes ``<STATUS_CLASS>--warning`` and
``<STATUS_CLASS>--overdue``; app.tcss gives them one shared rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets.data_table import ColumnKey, RowKey

from gridconsole.domain.countdown import CountdownReading, DeadlineCountdown
from gridconsole.domain.deadlines import DeadlineStatus, deadline_status
from gridconsole.i18n import t
from gridconsole.views.formatting import cell
from gridconsole.views.keyed_case_table import KeyedCaseTable, RowT


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


def status_at(
    now: datetime, warn_at: datetime | None, due_at: datetime | None
) -> DeadlineStatus | None:
    """Where a running deadline stands at ``now`` (None: no deadline is running). Without a
    warning instant the deadline only turns overdue."""
    if due_at is None:
        return None
    return deadline_status(now, warn_at or due_at, due_at)


def status_style(table: Widget, prefix: str, status: DeadlineStatus | None) -> Style:
    """The overdue pane's colour for ``status``, from ``table``'s ``<prefix>--<status>``
    component class (none on time)."""
    if status is None or status is DeadlineStatus.on_time:
        return Style()
    return table.get_component_rich_style(f"{prefix}--{status.value}", partial=True)


@dataclass(frozen=True)
class RunningDeadline:
    warn_at: datetime
    due_at: datetime
    working_time: bool


class DeadlineTable(KeyedCaseTable[RowT]):
    """A keyed case table with a live countdown column, ticked from memory."""

    STATUS_CLASS: ClassVar[str]  # prefix of the warning / overdue component classes
    COUNTDOWN_COLUMN: ClassVar[str] = "countdown"

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(zone, id=id)
        self.status_by_code: dict[str, DeadlineStatus] = {}
        self.countdown_by_code: dict[str, str] = {}
        self.countdown: DeadlineCountdown | None = None
        self.now: datetime | None = None
        self.cells_written = 0  # countdown cells rewritten by ticks (measurement)

    # -- what subclasses provide ------------------------------------------------------------------

    def _deadline(self, row: RowT) -> RunningDeadline | None:
        """The row's running deadline (None: nothing counts down)."""
        raise NotImplementedError

    def _times_changed(self, row: RowT) -> bool:
        """Whether something else the clock moves (besides the countdown) changed the row."""
        return False

    # -- readings ---------------------------------------------------------------------------------

    def reading(self, row: RowT) -> CountdownReading | None:
        deadline = self._deadline(row)
        if deadline is None or self.countdown is None or self.now is None:
            return None
        return self.countdown.reading(
            self.now, deadline.warn_at, deadline.due_at, working_time=deadline.working_time
        )

    def status_style(self, status: DeadlineStatus | None) -> Style:
        return status_style(self, self.STATUS_CLASS, status)

    def _countdown_cell(self, row: RowT) -> tuple[Text, DeadlineStatus | None]:
        """The row's countdown cell in its status colour, remembered for the ticks."""
        reading = self.reading(row)
        if reading is None:
            self._forget_deadline(row.code)
            return cell(""), None
        text = countdown_text(reading)
        self.status_by_code[row.code] = reading.status
        self.countdown_by_code[row.code] = text
        countdown = cell(text)
        countdown.stylize(self.countdown_style(reading.status))
        return countdown, reading.status

    def countdown_style(self, status: DeadlineStatus | None) -> Style:
        """The countdown text's own style (a table whose rows carry the colour adds none)."""
        return self.status_style(status)

    def _status_moved(self, row: RowT) -> bool:
        reading = self.reading(row)
        return (reading.status if reading else None) != self.status_by_code.get(row.code)

    def _row_changed(self, held: RowT, row: RowT) -> bool:
        # a row also redraws when the clock moved it to another status (its colour)
        return held != row or self._status_moved(row) or self._times_changed(row)

    def _forget_deadline(self, code: str) -> None:
        self.status_by_code.pop(code, None)
        self.countdown_by_code.pop(code, None)

    def _forget(self, code: str) -> None:
        self._forget_deadline(code)

    # -- the tick ---------------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[str]:
        """Recount every countdown at ``now``: rewrite only changed countdown cells, redraw rows
        whose status (or other clock-driven text) changed, and return the codes that crossed a
        status boundary."""
        self.now = now
        if self.countdown is None:
            return []
        crossed: list[str] = []
        shows_countdown = any(column.key == self.COUNTDOWN_COLUMN for column in self.columns_shown)
        with self.app.batch_update():
            for code, row in self.rows_by_code.items():
                reading = self.reading(row)
                if (reading.status if reading else None) != self.status_by_code.get(code):
                    crossed.append(code)
                    self.rewrite_row(row)
                    continue
                if self._times_changed(row):
                    self.rewrite_row(row)
                    continue
                if reading is None:
                    continue
                text = countdown_text(reading)
                if text != self.countdown_by_code.get(code):
                    self.countdown_by_code[code] = text
                    self.cells_written += 1
                    countdown_cell = cell(text)
                    countdown_cell.stylize(self.countdown_style(reading.status))
                    if shows_countdown:
                        self._write_countdown(code, countdown_cell)
        return crossed

    def _write_countdown(self, code: str, value: Text) -> None:
        """Store one countdown cell and repaint that cell alone.

        ``DataTable.update_cell`` ends in ``refresh()``: the whole table is repainted, and every
        visible line goes to the terminal each second (22 KB/s idle with 40 countdowns at
        120x40, measured; the target is under 2 KB/s on a slow SSH link). The cell is stored
        as update_cell stores it (the row-render caches are keyed on ``_update_count``), then
        only its region is refreshed."""
        row_key, column_key = RowKey(code), ColumnKey(self.COUNTDOWN_COLUMN)
        self._data[row_key][column_key] = value
        self._update_count += 1
        self.refresh_coordinate(self.get_cell_coordinate(row_key, column_key))
