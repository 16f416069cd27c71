"""The statistics pane's ranking: one row per department / community / grid / category, best
score first, the centre's totals last; a cell cursor so Enter drills into the figure under it.

Rows are replaced by key inside ``batch_update`` (a table is a few dozen rows); every cell is a
``Text``, never markup (names come from the directory, which admins type).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from gridconsole.i18n import t
from gridconsole.services.statistics_records import (
    Measure,
    Measures,
    StatisticsRow,
    StatisticsTable,
)
from gridconsole.views.formatting import safe

TOTAL_KEY = "total"
NONE_KEY = "none"


@dataclass(frozen=True)
class Column:
    key: str
    header_key: str
    measure: Measure | None  # what Enter on this column drills into
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("rank", "statistics.pane.col_rank", None, 3),
    Column("name", "statistics.measure.name", Measure.received, 14),
    Column("score", "statistics.measure.score", None, 5),
    Column("received", "statistics.measure.received", Measure.received, 6),
    Column("on_time_rate", "statistics.measure.on_time_rate", Measure.completed_on_time, 6),
    Column("completed", "statistics.measure.completed", Measure.completed, 6),
    Column("overdue_ever", "statistics.measure.overdue_ever", Measure.overdue_ever, 6),
    Column("overdue_now", "statistics.measure.overdue_now", Measure.overdue_now, 6),
    Column("sign_rate", "statistics.measure.sign_on_time_rate", Measure.signed_on_time, 6),
    Column("median", "statistics.pane.col_median", Measure.completed, 6),
    Column("p90", "statistics.pane.col_p90", Measure.completed, 6),
    Column("returns", "statistics.measure.returns", Measure.returns, 5),
    Column("refused", "statistics.measure.refused_returns", Measure.refused_returns, 5),
    Column("extensions", "statistics.measure.extensions", Measure.extensions, 5),
    Column("reopenings", "statistics.measure.reopenings", Measure.reopenings, 5),
    Column("urges", "statistics.measure.urges", Measure.urges, 5),
    Column("supervisions", "statistics.measure.supervisions", Measure.supervisions, 5),
    Column("satisfied", "statistics.measure.satisfied_rate", Measure.satisfied, 6),
    Column("unsatisfied", "statistics.measure.unsatisfied", Measure.unsatisfied, 5),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def row_key(key: int | None) -> str:
    return NONE_KEY if key is None else str(key)


def cells(rank: int | None, name: str, score: float | None, measures: Measures) -> dict[str, Text]:
    values = {
        "rank": "" if rank is None else str(rank),
        "score": "—" if score is None else f"{score:.1f}",
        "received": f"{measures.received:,}",
        "on_time_rate": percent(measures.on_time_rate),
        "completed": f"{measures.completed:,}",
        "overdue_ever": f"{measures.overdue_ever:,}",
        "overdue_now": f"{measures.overdue_now:,}",
        "sign_rate": percent(measures.sign_on_time_rate),
        "median": hours(measures.handling_median_hours),
        "p90": hours(measures.handling_p90_hours),
        "returns": str(measures.returns),
        "refused": str(measures.refused_returns),
        "extensions": str(measures.extensions),
        "reopenings": str(measures.reopenings),
        "urges": str(measures.urges),
        "supervisions": str(measures.supervisions),
        "satisfied": percent(measures.satisfied_rate),
        "unsatisfied": str(measures.unsatisfied),
    }
    texts = {key: Text(value, justify="right") for key, value in values.items()}
    texts["name"] = Text(safe(name), no_wrap=True, overflow="ellipsis")
    return texts


class RankingTable(DataTable[Text]):
    """The ranking; ``rows`` maps each row key to its row (None for the totals)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.fixed_columns = 2
        self.rows_by_key: dict[str, StatisticsRow | None] = {}

    def on_mount(self) -> None:
        for column in COLUMNS:
            # fixed widths (a header's or the widest figure's): the same picture whatever order
            # the cells are measured in
            header = t(column.header_key)
            width = column.width if column.key == "name" else max(cell_len(header), column.width)
            self.add_column(header, key=column.key, width=width)

    def show_table(self, table: StatisticsTable) -> None:
        """Update the rows by key: cells in place when the same rows come in the same order
        (a reload), else the rows anew (another period or dimension re-ranks them); the cursor
        stays where it was."""
        coordinate = self.cursor_coordinate
        lines: list[tuple[str, StatisticsRow | None, dict[str, Text]]] = [
            (
                row_key(row.key),
                row,
                cells(
                    row.rank, row.name or t("statistics.measure.no_place"), row.score, row.measures
                ),
            )
            for row in table.rows
        ]
        totals = cells(None, t("statistics.measure.total"), table.total_score, table.totals)
        for text in totals.values():
            text.stylize("bold")
        lines.append((TOTAL_KEY, None, totals))
        with self.app.batch_update():
            if [key for key, _row, _texts in lines] == list(self.rows_by_key):
                for key, _row, texts in lines:
                    for column in COLUMNS:
                        self.update_cell(key, column.key, texts[column.key])
            else:
                self.clear()
                for key, _row, texts in lines:
                    self.add_row(*(texts[column.key] for column in COLUMNS), key=key)
            self.rows_by_key = {key: row for key, row, _texts in lines}
        if self.row_count:
            self.cursor_coordinate = self.validate_cursor_coordinate(coordinate)

    def selected(self) -> tuple[str, Column] | None:
        """The row key and the column under the cursor."""
        if not self.row_count:
            return None
        cell_key = self.coordinate_to_cell_key(self.cursor_coordinate)
        if cell_key.row_key.value is None or cell_key.column_key.value is None:
            return None
        return cell_key.row_key.value, COLUMN_BY_KEY[cell_key.column_key.value]
