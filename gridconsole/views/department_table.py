"""A department's work list as a table: one row per active dispatch, keyed by case code.

Three column sets: everything from 160 cells; from 100 the dispatch and sign times fold into one
签收 column (the signing time, or "限 …" the sign deadline while unsigned) and the grid goes; below
100 the code, priority, title, the running deadline's countdown and the status stay. The pane's
line under the table shows every field of the selected row at any width.

The running deadline reads as on the overdue pane: a countdown in the step's kind of time
(working time for working-time limits), yellow once it warns (预警) and red once overdue (超期),
ticked each second from memory (:class:`~gridconsole.views.deadline_table.DeadlineTable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text

from gridconsole.domain.countdown import DeadlineCountdown
from gridconsole.domain.enums import CaseState, Priority
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.deadline_table import DeadlineTable, RunningDeadline, countdown_text
from gridconsole.views.formatting import cell, local_time
from gridconsole.views.table_layout import (
    CELL_PADDING,
    TABLE_CHROME,
    TableColumn,
    TableLayout,
)

TIME = "%m-%d %H:%M"
FULL_WIDTH = 160  # from this many cells every column shows
COLUMNS: dict[str, TableColumn] = {
    column.key: column
    for column in (
        TableColumn("code", "desk.column_code", 16),
        TableColumn("priority", "desk.column_priority", 4),
        TableColumn("title", "desk.column_title", 0),
        TableColumn("category", "desk.column_category", 8),
        TableColumn("grid", "desk.column_grid", 10),
        TableColumn("role", "desk.column_role", 4),
        TableColumn("dispatched", "desk.column_dispatched", 11),
        TableColumn("sign_due", "desk.column_sign_due", 11),
        TableColumn("signed", "desk.column_signed", 11),
        TableColumn("sign", "desk.column_sign", 13),
        TableColumn("deadline", "desk.column_deadline", 11),
        TableColumn("countdown", "desk.column_countdown", 15),  # as the overdue table's
        TableColumn("status", "desk.column_status", 10),
    )
}
FULL_COLUMNS = tuple(
    COLUMNS[key]
    for key in (
        "code",
        "priority",
        "title",
        "category",
        "grid",
        "role",
        "dispatched",
        "sign_due",
        "signed",
        "deadline",
        "countdown",
        "status",
    )
)
LAYOUT = TableLayout(
    tuple(
        COLUMNS[key]
        for key in (
            "code",
            "priority",
            "title",
            "category",
            "role",
            "sign",
            "deadline",
            "countdown",
            "status",
        )
    ),
    narrow_keys=frozenset({"code", "priority", "title", "countdown", "status"}),
    min_flexible=12,
)


@dataclass(frozen=True)
class WorkLine:
    """A work-list row under the key the keyed table sorts by (the case code)."""

    row: DepartmentWorkRow

    @property
    def code(self) -> str:
        return self.row.case_code


def sign_late(row: DepartmentWorkRow, now: datetime) -> bool:
    """Unsigned past its sign deadline."""
    return row.signed_at is None and row.sign_due_at is not None and now >= row.sign_due_at


def status_text(row: DepartmentWorkRow) -> str:
    """A request waiting for the shift lead, else where the dispatch stands."""
    if row.pending_request is not None:
        return t(f"desk.pending_{row.pending_request.value}")
    if row.signed_at is None and row.state is CaseState.dispatched:
        return t("desk.status_unsigned")
    return t(f"state.{row.state.value}")


class DepartmentTable(DeadlineTable[WorkLine]):
    """Active dispatches of one department, oldest dispatch first, keyed by case code."""

    LAYOUT = LAYOUT
    STATUS_CLASS = "department-table"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "department-table--late",
        "department-table--pending",
        "department-table--warning",
        "department-table--overdue",
    }

    def __init__(self, zone: ZoneInfo, now: datetime, *, id: str | None = None) -> None:
        super().__init__(zone, id=id)
        self.now = now
        self.full = False
        self.late: set[str] = set()  # codes drawn as unsigned past their sign deadline

    # -- layout: a third, full set above the shared wide/narrow pair -------------------------------

    @property
    def columns_shown(self) -> tuple[TableColumn, ...]:
        return FULL_COLUMNS if self.full else self.LAYOUT.columns(self.narrow)

    def set_layout(self, total_width: int) -> bool:
        full = total_width >= FULL_WIDTH
        if full:
            fixed = sum(column.width + CELL_PADDING for column in FULL_COLUMNS if column.width)
            narrow = False
            title_width = max(LAYOUT.min_flexible, total_width - fixed - TABLE_CHROME)
        else:
            narrow, title_width = self.LAYOUT.fit(total_width)
        changed = (
            full != self.full
            or narrow != self.narrow
            or title_width != self.title_width
            or not self.columns
        )
        self.full, self.narrow, self.title_width = full, narrow, title_width
        if changed:
            self._rebuild()
        return changed

    # -- data -------------------------------------------------------------------------------------

    def show_rows(
        self, rows: tuple[DepartmentWorkRow, ...], countdown: DeadlineCountdown, now: datetime
    ) -> None:
        """Show ``rows`` in order by key; the cursor stays on its case."""
        self.countdown, self.now = countdown, now
        self.sync_rows(tuple(WorkLine(row) for row in rows))

    @property
    def selected_work(self) -> DepartmentWorkRow | None:
        line = self.selected_row
        return line.row if line is not None else None

    def _deadline(self, line: WorkLine) -> RunningDeadline | None:
        row = line.row
        if row.due_at is None:
            return None
        return RunningDeadline(row.warn_at or row.due_at, row.due_at, row.working_time)

    def _sign_late(self, row: DepartmentWorkRow) -> bool:
        return self.now is not None and sign_late(row, self.now)

    def _times_changed(self, line: WorkLine) -> bool:
        return self._sign_late(line.row) != (line.code in self.late)

    def _forget(self, code: str) -> None:
        super()._forget(code)
        self.late.discard(code)

    def countdown_line(self, row: DepartmentWorkRow) -> str:
        """The countdown of ``row`` as its countdown cell shows it ("" without a deadline)."""
        reading = self.reading(WorkLine(row))
        return countdown_text(reading) if reading is not None else ""

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"department-table--{name}", partial=True)

    def _cells(self, line: WorkLine) -> list[Text]:
        row = line.row
        countdown_cell, status = self._countdown_cell(line)
        late = self._sign_late(row)
        if late:
            self.late.add(line.code)
        else:
            self.late.discard(line.code)
        late_style = self._style("late")
        if row.signed_at is not None:
            sign = cell(local_time(row.signed_at, self.zone, TIME))
        elif row.sign_due_at is not None:
            sign = cell(t("desk.sign_by", due=local_time(row.sign_due_at, self.zone, TIME)))
        else:
            sign = cell("")
        sign_due = cell(local_time(row.sign_due_at, self.zone, TIME))
        if late:
            sign.stylize(late_style)
            sign_due.stylize(late_style)
        deadline = cell(local_time(row.due_at, self.zone, TIME))
        deadline.stylize(self.status_style(status))
        status_cell = cell(status_text(row), 10)
        if row.pending_request is not None:
            status_cell.stylize(self._style("pending"))
        elif late:
            status_cell.stylize(late_style)
        values: dict[str, Text] = {
            "code": cell(row.case_code),
            "priority": self._priority_cell(row.priority),
            "title": cell(row.title, self.title_width),
            "category": cell(row.category_name, 8),
            "grid": cell(row.grid_name, 10),
            "role": cell(t(f"desk.role_{row.role.value}")),
            "dispatched": cell(local_time(row.dispatched_at, self.zone, TIME)),
            "sign_due": sign_due,
            "signed": cell(local_time(row.signed_at, self.zone, TIME)),
            "sign": sign,
            "deadline": deadline,
            "countdown": countdown_cell,
            "status": status_cell,
        }
        return [values[column.key] for column in self.columns_shown]

    @staticmethod
    def _priority_cell(priority: Priority) -> Text:
        if priority is Priority.urgent:
            return cell(t("queue.priority_urgent"), style="bold red")
        return cell(t("queue.priority_normal"))
