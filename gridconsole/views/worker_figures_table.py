"""The statistics pane's grid-worker figures (`w`): per worker, the cases they reported in the
period, those resolved in the grid, and the verifications of cases in their grids made by the
verification deadline. Names are from the roster: always ``Text``, never markup."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from gridconsole.i18n import t
from gridconsole.services.statistics_records import WorkerRow
from gridconsole.views.formatting import safe

# (column key, header key, width)
WORKER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("worker", "statistics.report.worker", 10),
    ("grids", "statistics.report.grids", 18),
    ("reported", "statistics.report.reported", 5),
    ("resolved", "statistics.report.resolved_in_grid", 5),
    ("verifications", "statistics.report.verifications", 5),
    ("on_time", "statistics.report.verified_on_time", 5),
    ("rate", "statistics.report.verified_on_time_rate", 6),
)


class WorkerFiguresTable(DataTable[Text]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for key, header_key, width in WORKER_COLUMNS:
            header = t(header_key)
            fixed = width if key in ("worker", "grids") else max(cell_len(header), width)
            self.add_column(header, key=key, width=fixed)

    def show_workers(self, workers: tuple[WorkerRow, ...]) -> None:
        with self.app.batch_update():
            self.clear()
            for row in workers:
                rate = row.verified_on_time_rate
                self.add_row(
                    Text(safe(row.name), no_wrap=True, overflow="ellipsis"),
                    Text(row.grids, no_wrap=True, overflow="ellipsis"),
                    Text(f"{row.reported:,}", justify="right"),
                    Text(f"{row.resolved_in_grid:,}", justify="right"),
                    Text(f"{row.verifications:,}", justify="right"),
                    Text(f"{row.verified_on_time:,}", justify="right"),
                    Text("—" if rate is None else f"{rate * 100:.1f}%", justify="right"),
                    key=str(row.worker_id),
                )
