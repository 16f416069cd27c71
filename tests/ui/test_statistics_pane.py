"""The statistics pane (F12 / 8): last month's department ranking with its trend, the other
dimensions and periods, the cases behind a figure opened in detail, the report exported, all by
keyboard; liaisons are not offered it; the formulas are in the help.

History (tests/dispatch_cases.py): four noise cases of 大行宫社区 handled by 城管执法中队 in
October 2026, three fed back on time, one (reported 19 October) fed back late on 20 November.
The clock stands at T0 (Sunday 2026-11-29 09:30), so "last month" is October.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.drill_modal import DrillModal
from gridconsole.views.help_screen import HelpScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.ranking_table import COLUMNS, RankingTable
from gridconsole.views.statistics_pane import StatisticsPane
from tests.dispatch_cases import noise_history
from tests.factories import services_for
from tests.ui.console import Recorder, settle


def lead_console(db: Database, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, "lead", clock), Settings())


def ranking(app: GridConsoleApp) -> RankingTable:
    return app.screen.query_one(RankingTable)


def cell(app: GridConsoleApp, row: int, column: str) -> str:
    index = [c.key for c in COLUMNS].index(column)
    return ranking(app).get_cell_at((row, index)).plain


def names(app: GridConsoleApp) -> list[str]:
    table = ranking(app)
    return [cell(app, row, "name") for row in range(table.row_count)]


async def test_last_months_ranking_with_its_trend(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise_history(dispatcher, clock)
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        pane = app.screen.query_one(StatisticsPane)
        heading = str(pane.query_one("#statistics-heading").render())
        assert "部门考评" in heading
        assert "上月 2026-10-01 至 2026-10-31" in heading
        assert names(app)[0] == "城管执法中队"
        assert names(app)[-1] == "合计"
        assert cell(app, 0, "rank") == "1"
        assert cell(app, 0, "received") == "4"
        assert cell(app, 0, "completed") == "3"  # the fourth was fed back in November
        # 3 of 3 fed back in October were on time; the fourth counts late in November
        assert cell(app, 0, "on_time_rate") == "100.0%"
        assert cell(app, 0, "overdue_ever") == "1"
        trend = str(pane.query_one("#statistics-trend").render())
        assert "接收" in trend
        assert "超期" in trend
        status = str(pane.query_one("#statistics-status").render())
        assert "读取于 09:30:00" in status

        await pilot.press("d")
        await settle(pilot)
        assert "社区考评" in str(pane.query_one("#statistics-heading").render())
        assert "大行宫社区" in names(app)
        await pilot.press("p")
        await settle(pilot)
        assert "本月 2026-11-01 至 2026-11-29" in str(
            pane.query_one("#statistics-heading").render()
        )


async def test_drill_into_the_overdue_figure_and_open_the_case(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise_history(dispatcher, clock)
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        table = ranking(app)
        table.cursor_coordinate = table.cursor_coordinate._replace(
            row=0, column=[c.key for c in COLUMNS].index("overdue_ever")
        )
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DrillModal)
        assert modal.page.total == 1
        (late,) = modal.page.rows
        assert late.code.startswith("MY-20261019")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.detail.code == late.code
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_export_writes_the_workbook(
    db: Database, dispatcher: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    noise_history(dispatcher, clock)
    recorder = Recorder()
    app = lead_console(db, clock)
    async with app.run_test(size=(80, 24), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        target = tmp_path / "十月.xlsx"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("已导出" in text for text in recorder.texts), recorder.texts
    sheet = load_workbook(target)["部门考评"]
    cg = next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] == "CG")
    assert cg[4] == 4  # received, as on the pane


async def test_a_custom_period(db: Database, dispatcher: Services, clock: FrozenClock) -> None:
    noise_history(dispatcher, clock)
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#period-first", Input).value = "2026-10-12"
        app.screen.query_one("#period-last", Input).value = "2026-10-13"
        await pilot.press("ctrl+s")
        await settle(pilot)
        pane = app.screen.query_one(StatisticsPane)
        assert "自定义 2026-10-12 至 2026-10-13" in str(
            pane.query_one("#statistics-heading").render()
        )
        assert cell(app, 0, "received") == "2"


async def test_liaisons_are_not_offered_the_pane_and_help_has_the_formulas(
    db: Database, clock: FrozenClock
) -> None:
    app = GridConsoleApp(services_for(db, "liaison", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.check_action("show_statistics_pane", ()) is False
        await pilot.press("8")
        await settle(pilot)
        assert not app.screen.query(StatisticsPane)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = " ".join(help_screen.listed_keys)
        assert "F12 / 8" in listed or "f12 / 8" in listed.lower()


async def test_the_grid_workers_figures(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    from gridconsole.domain.enums import WorkerRole
    from gridconsole.store.models import Grid, GridWorker, GridWorkerGrid
    from gridconsole.views.worker_figures_table import WorkerFiguresTable
    from tests.factories import new_case_fields

    with db.write() as session:
        worker = GridWorker(name="陈网格[b]", role=WorkerRole.full_time, mobile="13900001111")
        session.add(worker)
        session.flush()
        grid = session.query(Grid).filter(Grid.code == "320102002001001").one()
        session.add(GridWorkerGrid(worker_id=worker.id, grid_id=grid.id))
    dispatcher.cases.report(
        new_case_fields(
            source="grid_worker",
            reporter_phone="13900001111",
            title="楼道堆物",
            reported_at="2026-10-20T09:00:00+08:00",
        )
    )
    app = lead_console(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("8", "w")
        await settle(pilot)
        pane = app.screen.query_one(StatisticsPane)
        assert "网格员考评" in str(pane.query_one("#statistics-heading").render())
        table = app.screen.query_one(WorkerFiguresTable)
        assert table.display
        assert not ranking(app).display
        assert table.row_count == 1
        assert table.get_cell_at((0, 0)).plain == "陈网格[b]"  # literally, not markup
        assert table.get_cell_at((0, 2)).plain == "1"
        await pilot.press("w")
        await settle(pilot)
        assert ranking(app).display
