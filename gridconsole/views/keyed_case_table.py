"""A table of cases keyed by case code, updated in place: stale rows removed, changed cells
rewritten, new rows added, then ordered; the cursor stays on the case it was on. Never cleared
and refilled (that loses the dispatcher's cursor and floods an SSH link)."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from gridconsole.i18n import t
from gridconsole.views.table_layout import TableColumn, TableLayout


class KeyedRow(Protocol):
    @property
    def code(self) -> str: ...


RowT = TypeVar("RowT", bound=KeyedRow)


class KeyedCaseTable(DataTable[Text], Generic[RowT]):
    """Subclasses give the column layout and turn one row into its cells."""

    LAYOUT: TableLayout

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.zone = zone
        self.rows_by_code: dict[str, RowT] = {}
        self.narrow = False
        self.title_width = self.LAYOUT.min_flexible

    # -- what subclasses provide ------------------------------------------------------------------

    def _cells(self, row: RowT) -> list[Text]:
        raise NotImplementedError

    def _row_changed(self, held: RowT, row: RowT) -> bool:
        """Whether a held row must be redrawn (by default: when its data changed)."""
        return held != row

    def _forget(self, code: str) -> None:
        """A row left the table: drop whatever the subclass keeps for it."""

    # -- layout -----------------------------------------------------------------------------------

    @property
    def columns_shown(self) -> tuple[TableColumn, ...]:
        return self.LAYOUT.columns(self.narrow)

    def set_layout(self, total_width: int) -> bool:
        """Choose the column set and title width for ``total_width`` cells; True if it changed."""
        narrow, title_width = self.LAYOUT.fit(total_width)
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

    # -- selection --------------------------------------------------------------------------------

    @property
    def selected_code(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    @property
    def selected_row(self) -> RowT | None:
        code = self.selected_code
        return self.rows_by_code.get(code) if code else None

    def _restore_cursor(self, selected: str | None, fallback_index: int) -> None:
        if not self.row_count:
            return
        if selected is not None and selected in self.rows:
            index = self.get_row_index(RowKey(selected))
        else:
            index = min(fallback_index, self.row_count - 1)
        self.move_cursor(row=index, animate=False, scroll=True)

    # -- data -------------------------------------------------------------------------------------

    def sync_rows(self, rows: tuple[RowT, ...]) -> None:
        """Make the table show ``rows`` in this order, by key."""
        selected = self.selected_code
        cursor_index = self.cursor_row
        wanted = {row.code for row in rows}
        with self.app.batch_update():
            for code in [code for code in self.rows_by_code if code not in wanted]:
                self.remove_row(code)
                del self.rows_by_code[code]
                self._forget(code)
            for row in rows:
                held = self.rows_by_code.get(row.code)
                if held is None:
                    self.add_row(*self._cells(row), key=row.code)
                elif self._row_changed(held, row):
                    self.rewrite_row(row)
                self.rows_by_code[row.code] = row
            order = {row.code: index for index, row in enumerate(rows)}
            self.sort("code", key=lambda code_cell: order.get(code_cell.plain, len(order)))
            self.rows_by_code = {row.code: row for row in rows}
            self._restore_cursor(selected, cursor_index)

    def rewrite_row(self, row: RowT) -> None:
        for column, value in zip(self.columns_shown, self._cells(row), strict=True):
            self.update_cell(row.code, column.key, value)
