"""Column sets of the keyed case tables: which columns show at a terminal width, and how wide
the one flexible column (the title) is."""

from __future__ import annotations

from dataclasses import dataclass

# DataTable pads each cell with one cell each side, plus the table's own edge and scrollbar
CELL_PADDING = 2
TABLE_CHROME = 4


@dataclass(frozen=True)
class TableColumn:
    key: str
    label_key: str
    width: int  # terminal cells; 0: the flexible column, which takes what the others leave


@dataclass(frozen=True)
class TableLayout:
    wide: tuple[TableColumn, ...]
    narrow_keys: frozenset[str]  # the columns kept below ``narrow_below`` cells
    min_flexible: int
    narrow_below: int = 100

    def columns(self, narrow: bool) -> tuple[TableColumn, ...]:
        if not narrow:
            return self.wide
        return tuple(column for column in self.wide if column.key in self.narrow_keys)

    def fit(self, total_width: int) -> tuple[bool, int]:
        """Whether ``total_width`` cells call for the narrow set, and the flexible width."""
        narrow = total_width < self.narrow_below
        fixed = sum(column.width + CELL_PADDING for column in self.columns(narrow) if column.width)
        return narrow, max(self.min_flexible, total_width - fixed - TABLE_CHROME)
