"""The work list reads a running deadline as the overdue pane does: a countdown in working time
(it stands still over lunch and at night), yellow once it warns (预警), red once overdue (超期),
ticked from memory each second; the dispatch pane's 时限 column takes the same colours.

A normal noise case is dispatched to 城管执法中队 on Monday 2026-11-30 09:00 (Nanjing): handling
takes 3 working days (08:30–12:00, 13:30–17:30), due Thursday 09:00, warning from Wednesday
12:00 (80 %).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Static

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.department_pane import DepartmentPane
from gridconsole.views.department_table import DepartmentTable
from tests.factories import new_case_fields, services_for
from tests.ui.console import settle
from tests.ui.test_department_pane import dispatched
from tests.ui.test_dispatch_pane import console as dispatch_console
from tests.ui.test_dispatch_pane import open_pane
from tests.ui.test_dispatch_pane import table as dispatch_table

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


def cell_color(table: DepartmentTable, app: GridConsoleApp, code: str, column: str) -> object:
    return table.get_cell(code, column).get_style_at_offset(app.console, 0).color


async def test_a_liaisons_row_counts_down_in_working_time_and_warns_then_breaches(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    clock.set(local(2026, 11, 30, 9, 0))
    code = dispatched(dispatcher, "夜间施工噪音扰民", "11-noise", "CG")
    app = GridConsoleApp(services_for(db, "liaison", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DepartmentPane)
        table = app.screen.query_one(DepartmentTable)
        page_before = pane.page
        warning = table.get_component_rich_style("department-table--warning", partial=True)
        overdue = table.get_component_rich_style("department-table--overdue", partial=True)
        # the overdue pane's colours (one rule in app.tcss): $warning, then bold $error
        assert warning.color is not None
        assert overdue.color is not None
        assert overdue.color != warning.color
        assert overdue.bold

        def countdown() -> str:
            return table.get_cell(code, "countdown").plain

        def selected() -> str:
            return str(app.screen.query_one("#desk-selected", Static).render())

        # three working days left, in working days of 7.5 hours
        assert countdown() == "剩余 3天0小时"
        assert table.status_by_code[code] is DeadlineStatus.on_time
        assert "剩余 3天0小时" in selected()

        clock.set(local(2026, 11, 30, 12, 0))  # 3 working hours used
        pane.tick()
        assert countdown() == "剩余 2天4小时"
        clock.set(local(2026, 11, 30, 13, 0))  # lunch: the working-time clock stands still
        pane.tick()
        assert countdown() == "剩余 2天4小时"

        clock.set(local(2026, 12, 2, 11, 59, 50))
        pane.tick()
        assert countdown() == "剩余 4:30:10"  # under a day the clock shows seconds
        assert table.status_by_code[code] is DeadlineStatus.on_time
        assert cell_color(table, app, code, "countdown") not in (warning.color, overdue.color)
        assert "剩余 4:30:10" in selected()

        clock.advance(timedelta(seconds=10))  # Wednesday 12:00: 预警
        pane.tick()
        assert countdown() == "剩余 4:30:00"
        assert table.status_by_code[code] is DeadlineStatus.warning
        for column in ("deadline", "countdown"):
            assert cell_color(table, app, code, column) == warning.color
        written = table.cells_written
        clock.advance(timedelta(seconds=1))  # lunch again: nothing to rewrite
        pane.tick()
        assert table.cells_written == written

        clock.set(local(2026, 12, 3, 9, 0))  # Thursday 09:00: 超期
        pane.tick()
        assert countdown() == "超期 0:00:00"
        assert table.status_by_code[code] is DeadlineStatus.overdue
        for column in ("deadline", "countdown"):
            text = table.get_cell(code, column)
            style = text.get_style_at_offset(app.console, 0)
            assert style.color == overdue.color
            assert style.bold
        clock.advance(timedelta(hours=1, seconds=5))
        pane.tick()
        assert countdown() == "超期 1:00:05"
        assert "超期 1:00:05" in selected()
        assert pane.page is page_before  # ticks read no database
        await settle(pilot)


async def test_the_dispatch_panes_deadline_warns_yellow_then_turns_red(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    """An accepted case waits for its dispatch: 1 working hour from Monday 09:00, warning from
    09:48 (80 %), due 10:00."""
    clock.set(local(2026, 11, 30, 9, 0))
    case = dispatcher.cases.report(new_case_fields(title="夜间施工噪音扰民"))
    code = dispatcher.cases.accept(case.code, case.version).code
    app = dispatch_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot)
        table = dispatch_table(app)
        warning = table.get_component_rich_style("dispatch-table--warning", partial=True)
        overdue = table.get_component_rich_style("dispatch-table--overdue", partial=True)
        assert table.rows_by_code[code].warn_at == local(2026, 11, 30, 9, 48)

        def deadline_color() -> object:
            text = table.get_cell(code, "deadline")
            return text.get_style_at_offset(app.console, 0).color

        assert (table.warning, table.overdue) == (set(), set())
        assert deadline_color() not in (warning.color, overdue.color)
        clock.set(local(2026, 11, 30, 9, 48))
        table.refresh_deadlines(clock.now())
        assert (table.warning, table.overdue) == ({code}, set())
        assert deadline_color() == warning.color
        clock.set(local(2026, 11, 30, 10, 0))
        table.refresh_deadlines(clock.now())
        assert (table.warning, table.overdue) == (set(), {code})
        assert deadline_color() == overdue.color
