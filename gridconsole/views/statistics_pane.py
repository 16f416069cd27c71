"""The statistics pane (绩效考评, Art. 5 and 35): a period (this week, this month, last month or
any days), the ranking of departments, communities, grids or categories with their measures and
score, the centre's daily trend, the cases behind any figure (Enter) and the report (x).

Every read runs in a thread worker (the aggregates take a fraction of a second at 100,000 cases
and about a second at a million): the pane answers keys while it computes, and a result that a
newer request has overtaken is dropped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from gridconsole.domain.periods import Period, PeriodKind
from gridconsole.i18n import t
from gridconsole.services.statistics_records import (
    Dimension,
    DrillPage,
    Measure,
    StatisticsTable,
    TrendDay,
    WorkerRow,
)
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.drill_modal import DrillModal
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.ranking_table import NONE_KEY, TOTAL_KEY, RankingTable
from gridconsole.views.statistics_modals import ExportModal, PeriodModal
from gridconsole.views.trend_chart import TrendChart
from gridconsole.views.worker_figures_table import WorkerFiguresTable

# the order `p` steps through the named periods, and `d` through the dimensions
PERIOD_CYCLE: tuple[PeriodKind, ...] = (
    PeriodKind.last_month,
    PeriodKind.this_month,
    PeriodKind.this_week,
)
DIMENSION_CYCLE: tuple[Dimension, ...] = (
    Dimension.department,
    Dimension.community,
    Dimension.category,
    Dimension.grid,
)
# the formulas shown in the help screen under the pane's keys (README "Performance evaluation")
HELP_NOTES: tuple[str, ...] = tuple(
    f"statistics.help.{name}"
    for name in (
        "period",
        "received",
        "sign",
        "on_time",
        "overdue",
        "handling",
        "events",
        "satisfaction",
        "score",
    )
)


class StatisticsPane(CaseOpeningPane):
    BINDINGS = [  # noqa: RUF012
        Binding("enter", "drill_figure", t("statistics.pane.key_drill"), id="drill-figure"),
        Binding("p", "cycle_period", t("statistics.pane.key_period"), id="cycle-period"),
        Binding("c", "custom_period", t("statistics.pane.key_custom"), id="custom-period"),
        Binding("d", "cycle_dimension", t("statistics.pane.key_dimension"), id="cycle-dimension"),
        Binding("w", "toggle_workers", t("statistics.pane.key_workers"), id="toggle-workers"),
        Binding("x", "export_report", t("statistics.pane.key_export"), id="export-report"),
        Binding(
            "f5",
            "reload_statistics",
            t("statistics.pane.key_reload"),
            show=False,
            id="reload-statistics",
        ),
    ]

    CASE_GROUP = "statistics-case"
    NO_SELECTION = "statistics.pane.no_selection"

    class Loaded(Message):
        def __init__(
            self,
            table: StatisticsTable,
            trend: tuple[TrendDay, ...],
            request: int,
            seconds: float,
        ) -> None:
            super().__init__()
            self.table = table
            self.trend = trend
            self.request = request
            self.seconds = seconds

    class WorkersLoaded(Message):
        def __init__(
            self, workers: tuple[WorkerRow, ...], trend: tuple[TrendDay, ...], request: int
        ) -> None:
            super().__init__()
            self.workers = workers
            self.trend = trend
            self.request = request

    class DrillLoaded(Message):
        def __init__(self, title: str, page: DrillPage) -> None:
            super().__init__()
            self.title = title
            self.page = page

    class Exported(Message):
        def __init__(self, paths: tuple[str, ...]) -> None:
            super().__init__()
            self.paths = paths

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.period_kind = PERIOD_CYCLE[0]
        self.period: Period = services.statistics.named_period(self.period_kind)
        self.dimension = Dimension.department
        self.showing_workers = False  # `w`: the grid workers' figures instead of the ranking
        self.shown: StatisticsTable | None = None
        self.trend: tuple[TrendDay, ...] = ()
        self._request = 0
        self.last_seconds: float | None = None

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="statistics-heading", markup=False)
        yield RankingTable(id="statistics-table")
        yield WorkerFiguresTable(id="statistics-workers")
        yield TrendChart(id="statistics-trend")
        yield Static(id="statistics-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(WorkerFiguresTable).display = False
        self.ranking.focus()
        self.reload()

    @property
    def ranking(self) -> RankingTable:
        return self.query_one(RankingTable)

    def focus_table(self) -> None:
        if self.showing_workers:
            self.query_one(WorkerFiguresTable).focus()
        else:
            self.ranking.focus()

    def opens_from(self, table: DataTable[Any]) -> bool:
        return False  # Enter drills into a figure instead

    def shown_again(self) -> None:
        self.ranking.focus()

    # -- reading ------------------------------------------------------------------------------

    def reload(self, *, fresh: bool = False) -> None:
        """Read the table and trend shown (``fresh``: not this console's recent copy)."""
        self._request += 1
        self._heading()
        self.query_one("#statistics-status", Static).update(t("statistics.pane.loading"))
        if self.showing_workers:
            self.load_workers(self.period, self._request)
        else:
            self.load(self.period, self.dimension, self._request, fresh)

    @work(thread=True, exclusive=True, exit_on_error=False, group="statistics-load")
    def load(self, period: Period, dimension: Dimension, request: int, fresh: bool) -> None:
        started = perf_counter()
        statistics = self.services.statistics
        table = statistics.table(dimension, period, fresh=fresh)
        trend = statistics.trend(period)
        self.post_message(self.Loaded(table, trend, request, perf_counter() - started))

    @work(thread=True, exclusive=True, exit_on_error=False, group="statistics-load")
    def load_workers(self, period: Period, request: int) -> None:
        statistics = self.services.statistics
        self.post_message(
            self.WorkersLoaded(statistics.workers(period), statistics.trend(period), request)
        )

    def on_statistics_pane_workers_loaded(self, message: WorkersLoaded) -> None:
        if message.request != self._request:
            return
        self.query_one(WorkerFiguresTable).show_workers(message.workers)
        self.trend = message.trend
        self.query_one(TrendChart).show_trend(message.trend)
        self.query_one("#statistics-status", Static).update(
            t("statistics.pane.workers_status", rows=len(message.workers))
        )

    def on_statistics_pane_loaded(self, message: Loaded) -> None:
        if message.request != self._request:
            return  # overtaken by another period or dimension
        self.shown = message.table
        self.trend = message.trend
        self.last_seconds = message.seconds  # how long the read took (the benchmark reads it)
        self.ranking.show_table(message.table)
        self.query_one(TrendChart).show_trend(message.trend)
        zone = self.services.context.settings.centre.zone
        self.query_one("#statistics-status", Static).update(
            t(
                "statistics.pane.status",
                rows=len(message.table.rows),
                at=f"{message.table.read_at.astimezone(zone):%H:%M:%S}",
            )
        )

    def _heading(self) -> None:
        dimension = (
            t("statistics.pane.workers")
            if self.showing_workers
            else t(f"statistics.dimension.{self.dimension.value}")
        )
        self.query_one("#statistics-heading", Static).update(
            t(
                "statistics.pane.heading",
                dimension=dimension,
                kind=t(f"statistics.period.{self.period.kind.value}"),
                first=self.period.first.isoformat(),
                last=self.period.last.isoformat(),
            )
        )

    # -- keys ---------------------------------------------------------------------------------

    def action_cycle_period(self) -> None:
        """本周 / 本月 / 上月, in turn (a custom period goes back to the first)."""
        if self.period_kind in PERIOD_CYCLE:
            index = (PERIOD_CYCLE.index(self.period_kind) + 1) % len(PERIOD_CYCLE)
        else:
            index = 0
        self.period_kind = PERIOD_CYCLE[index]
        self.period = self.services.statistics.named_period(self.period_kind)
        self.reload()

    def action_custom_period(self) -> None:
        def chosen(days: tuple[date, date] | None) -> None:
            self.focus_table()
            if days is None:
                return
            first, last = days
            self.period = self.services.statistics.custom_period(first, last)
            self.period_kind = PeriodKind.custom
            self.reload()

        self.app.push_screen(PeriodModal(self.period.first, self.period.last), chosen)

    def action_cycle_dimension(self) -> None:
        if self.showing_workers:
            self._show_workers(False)
        else:
            index = (DIMENSION_CYCLE.index(self.dimension) + 1) % len(DIMENSION_CYCLE)
            self.dimension = DIMENSION_CYCLE[index]
        self.reload()

    def action_toggle_workers(self) -> None:
        """The grid workers' figures ⇄ the ranking."""
        self._show_workers(not self.showing_workers)
        self.reload()

    def _show_workers(self, showing: bool) -> None:
        self.showing_workers = showing
        self.ranking.display = not showing
        self.query_one(WorkerFiguresTable).display = showing
        self.focus_table()

    def action_reload_statistics(self) -> None:
        self.reload(fresh=True)

    # -- drill-down ---------------------------------------------------------------------------

    @on(DataTable.CellSelected)
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_drill_figure()

    def action_drill_figure(self) -> None:
        """The cases behind the figure under the cursor (a rate: those it counts as met)."""
        selected = None if self.showing_workers else self.ranking.selected()
        if selected is None or self.shown is None:
            self._warn_no_selection()
            return
        row_key, column = selected
        measure = column.measure or Measure.received
        row = self.ranking.rows_by_key.get(row_key)
        dimension = None if row_key == TOTAL_KEY else self.dimension
        key = None if row_key in (TOTAL_KEY, NONE_KEY) or row is None else row.key
        name = (
            t("statistics.measure.total")
            if row_key == TOTAL_KEY
            else (row.name if row is not None and row.name else t("statistics.measure.no_place"))
        )
        title = t(
            "statistics.pane.drill_title",
            name=name,
            measure=t(f"statistics.pane.drill_{measure.value}"),
            period=self.period.label,
        )
        self.drill(self.period, dimension, key, measure, title)

    @work(thread=True, exclusive=True, exit_on_error=False, group="statistics-drill")
    def drill(
        self,
        period: Period,
        dimension: Dimension | None,
        key: int | None,
        measure: Measure,
        title: str,
    ) -> None:
        page = self.services.statistics.drill(period, dimension, key, measure)
        self.post_message(self.DrillLoaded(title, page))

    def on_statistics_pane_drill_loaded(self, message: DrillLoaded) -> None:
        zone = self.services.context.settings.centre.zone

        def chosen(code: str | None) -> None:
            self.focus_table()
            if code:
                self.read_case(code)

        self.app.push_screen(DrillModal(message.title, message.page, zone), chosen)

    # -- the report ---------------------------------------------------------------------------

    def action_export_report(self) -> None:
        name = t("statistics.pane.export_file", period=self.period.label.replace(" – ", "_"))

        def chosen(path: Path | None) -> None:
            self.focus_table()
            if path is not None:
                self.export(self.period, path)

        self.app.push_screen(ExportModal(name), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="statistics-export")
    def export(self, period: Period, path: Path) -> None:
        written = self.services.statistics.export(period, path)
        self.post_message(self.Exported(tuple(str(item) for item in written)))

    def on_statistics_pane_exported(self, message: Exported) -> None:
        self.notify(
            t("statistics.pane.exported", paths=", ".join(message.paths)), markup=False, timeout=10
        )

    # -- errors -------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if not str(event.worker.group).startswith("statistics"):
            return
        if event.worker.group == "statistics-load":
            self.query_one("#statistics-status", Static).update(t("statistics.pane.failed"))
        self.post_message(OperationFailed(event.worker.error))


__all__ = ["HELP_NOTES", "StatisticsPane"]
