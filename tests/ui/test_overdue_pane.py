"""The overdue pane: warning and overdue deadlines sorted by due instant, countdowns that tick
from memory, rows that turn red when they breach, filters, 催办/督办 and the wall mode.

The clock stands at Monday 2026-11-30 09:20 in Nanjing; three cases are listed, soonest due
first: a case dispatched to the water company on Wednesday 25th 08:30 (3 working days: due
Friday 17:30, overdue 50 working minutes), an urgent report (accept, 15 calendar minutes from
Sunday 09:30: overdue 23 h 35 min) and a normal report (accept, due Monday 09:30: warning, 10
working minutes left).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.color import Color
from sqlalchemy import select
from sqlmodel import col
from textual.pilot import Pilot
from textual.widgets import Digits, Input, LoadingIndicator, Select

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import Action, ContactChannel
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent
from gridconsole.views.overdue_pane import OverduePane
from gridconsole.views.overdue_table import OverdueTable
from gridconsole.views.overdue_wall import OverdueWall
from tests.factories import new_case_fields, services_for
from tests.overdue_cases import dispatch_directly
from tests.ui.console import Recorder, make_console, settle

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


MONDAY_0920 = local(2026, 11, 30, 9, 20)


def seed_overdue(db: Database, dispatcher: Services, clock: FrozenClock) -> dict[str, str]:
    """The three cases of the module doc; returns their codes by name."""
    urgent = dispatcher.cases.report(new_case_fields(title="水管爆裂", priority="urgent"))
    water = dispatcher.cases.report(
        new_case_fields(
            title="小区停水三天",
            category="11-water",
            grid="320102002002001",
            reported_at=local(2026, 11, 25, 8, 0).isoformat(),
        )
    )
    dispatch_directly(db, water.code, "GS", local(2026, 11, 25, 8, 30))
    normal = dispatcher.cases.report(new_case_fields(title="夜间施工噪音"))
    clock.set(MONDAY_0920)
    return {"urgent": urgent.code, "water": water.code, "normal": normal.code}


@pytest.fixture
def cases(db: Database, dispatcher: Services, clock: FrozenClock) -> dict[str, str]:
    return seed_overdue(db, dispatcher, clock)


def overdue_table(app: GridConsoleApp) -> OverdueTable:
    return app.screen.query_one(OverdueTable)


async def open_overdue(pilot: Pilot[None]) -> None:
    """The console settled, then its overdue pane (F3) read and shown."""
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


def shown(app: GridConsoleApp, column: str = "code") -> list[str]:
    table = overdue_table(app)
    index = [c.key.value for c in table.ordered_columns].index(column)
    return [table.get_cell_at((row, index)).plain for row in range(table.row_count)]


async def test_lists_warning_and_overdue_cases_soonest_due_first(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert shown(app) == [cases["water"], cases["urgent"], cases["normal"]]
        assert shown(app, "countdown") == ["超期 0:50:00", "超期 23:35:00", "剩余 0:10:00"]
        assert shown(app, "place") == ["供水公司", "大行宫第一网格", "大行宫第一网格"]
        table = overdue_table(app)
        assert table.status_by_code == {
            cases["urgent"]: DeadlineStatus.overdue,
            cases["water"]: DeadlineStatus.overdue,
            cases["normal"]: DeadlineStatus.warning,
        }
        assert app.focused is table


async def test_a_reload_draws_no_loading_overlay(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    """The pane re-reads on every change from any console: that must not flash Textual's
    loading indicator over the table (a full repaint over a slow link each time)."""
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(OverduePane)
        pane.reload()
        # Widget.loading is what draws the overlay: a read in flight must not set it
        assert not pane.loading
        await pilot.pause()
        assert not app.screen.query(LoadingIndicator)
        await settle(pilot)
        assert shown(app) == [cases["water"], cases["urgent"], cases["normal"]]


def drawn_color(table: OverdueTable, code: str, text: str) -> Color | None:
    """The colour ``text`` is drawn in on ``code``'s line of the table (the row carries the
    status colour, padding included, not the cell's text)."""
    line = table.render_line(table.get_row_index(code) + 1)  # below the header row
    for segment in line:
        if text in segment.text:
            return segment.style.color if segment.style else None
    raise AssertionError(f"{text!r} is not drawn on {code}'s line: {line.text!r}")


async def test_countdowns_tick_from_memory_and_a_breach_turns_the_row_red(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_overdue(pilot)
        pane = app.screen.query_one(OverduePane)
        table = overdue_table(app)
        board_before = pane.board
        clock.advance(timedelta(seconds=61))
        pane.tick()
        assert shown(app, "countdown")[2] == "剩余 0:08:59"
        assert pane.board is board_before  # no database read for a tick
        warning_style = table.get_component_rich_style("overdue-table--warning", partial=True)
        overdue_style = table.get_component_rich_style("overdue-table--overdue", partial=True)
        assert drawn_color(table, cases["normal"], "剩余 0:08:59") == warning_style.color
        clock.set(local(2026, 11, 30, 9, 30))  # the normal case's due instant
        pane.tick()
        assert table.status_by_code[cases["normal"]] is DeadlineStatus.overdue
        for text in (cases["normal"], "超期 0:00:00"):
            assert drawn_color(table, cases["normal"], text) == overdue_style.color
        assert shown(app, "countdown")[2] == "超期 0:00:00"
        await settle(pilot)  # the crossing re-read the board
        assert pane.board is not board_before
        assert pane.board is not None
        assert pane.board.counts.overdue == 3


async def test_a_tick_repaints_the_countdown_cells_not_the_table(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    """DataTable.update_cell repaints the whole table: every visible line went to the terminal
    each second (22 KB/s idle with 40 countdowns, bench/terminal_bytes.py). A tick refreshes
    each changed countdown's own cell, and the line drawn afterwards holds the new text.

    The countdown is the table's first column: Textual writes a partial update from the
    widget's left edge to the right end of the changed cell, so a countdown at column 90 cost
    the first 107 cells of its row (18.1 KB/s with 40 ticking; first: 3.3 KB/s)."""
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_overdue(pilot)
        pane = app.screen.query_one(OverduePane)
        table = overdue_table(app)
        calls: list[tuple[object, ...]] = []
        repaint = table.refresh

        def spy(*regions: Any, **options: Any) -> Any:
            calls.append(regions)
            return repaint(*regions, **options)

        table.refresh = spy  # type: ignore[method-assign]
        clock.advance(timedelta(seconds=1))
        pane.tick()
        table.refresh = repaint  # type: ignore[method-assign]
        changed = shown(app, "countdown")
        assert changed[2] == "剩余 0:09:59"
        assert calls, "the tick repainted nothing"
        assert all(regions for regions in calls), "the tick repainted the whole table"
        lefts = {region.x for regions in calls for region in regions}
        assert lefts == {0}, "a countdown cell is not at the table's left edge"
        await pilot.pause()
        line = table.render_line(2 + 1)  # below the header row
        assert "剩余 0:09:59" in line.text
        # the row carries the colour, so the cell and its padding go out as one segment
        (drawn,) = [segment.text for segment in line if "剩余 0:09:59" in segment.text]
        assert (drawn[0], drawn[-1]) == (" ", " "), "drawn apart from its padding"


async def test_a_case_starting_to_warn_off_the_list_reloads_the_board(
    db: Database, dispatcher: Services, clock: FrozenClock, cases: dict[str, str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(OverduePane)
        assert pane.board is not None
        assert pane.board.next_due_after_horizon is None
        # another console reports a case: the change token moves, the poll reloads the pane
        later = dispatcher.cases.report(new_case_fields(title="又一件"))
        app.screen.poll_changes()  # type: ignore[attr-defined]
        await settle(pilot)
        assert later.code in shown(app)


async def test_filters_by_department_and_step(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.screen.query_one("#overdue-filter-department", Select).value = "GS"
        await settle(pilot)
        assert shown(app) == [cases["water"]]
        app.screen.query_one("#overdue-filter-department", Select).clear()
        app.screen.query_one("#overdue-filter-step", Select).value = "accept"
        await settle(pilot)
        assert shown(app) == [cases["urgent"], cases["normal"]]


async def test_urge_writes_an_event_and_supervise_is_the_shift_leads(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(OverduePane)
        assert pane.check_action("urge_case", ()) is True
        assert pane.check_action("supervise_case", ()) is None  # a dispatcher may not
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#overdue-note", Input).value = "请供水公司尽快处理"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"事件 {cases['water']}：已催办" in recorder.texts
        assert "催1" in shown(app, "flags")[0]
        await pilot.press("down")  # a reported case: urging waits for a department
        assert pane.check_action("urge_case", ()) is None
    with db.read() as session:
        events = session.execute(
            select(CaseEvent.action, CaseEvent.reason)
            .join(Case, col(Case.id) == col(CaseEvent.case_id))
            .where(col(Case.code) == cases["water"], col(CaseEvent.action) == Action.urge)
        ).all()
    assert [(event.action, event.reason) for event in events] == [
        (Action.urge, "请供水公司尽快处理")
    ]
    lead_app = GridConsoleApp(services_for(db, "lead", clock), Settings())
    async with lead_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "督" in shown(lead_app, "flags")[0]
    with db.read() as session:
        supervised = session.execute(
            select(Case.supervised).where(col(Case.code) == cases["water"])
        ).scalar_one()
    assert supervised is True


async def test_wall_mode_shows_counts_per_state_and_department(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        wall = app.screen.query_one(OverdueWall)
        assert wall.display
        assert not overdue_table(app).display
        assert [
            str(wall.query_one(f"#wall-{state}", Digits).value)
            for state in ("overdue", "warning", "upcoming")
        ] == ["2", "1", "0"]
        departments = wall.departments_table
        names = [departments.get_cell_at((row, 0)).plain for row in range(departments.row_count)]
        assert names == ["中心（未派遣）", "供水公司"]
        await pilot.press("w")
        await settle(pilot)
        assert overdue_table(app).display
        assert not wall.display


async def test_more_deadlines_than_a_page_are_reached_with_f7_and_f8(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    for number in range(105):
        dispatcher.cases.report(new_case_fields(title=f"紧急事件{number:03d}", priority="urgent"))
    clock.advance(timedelta(hours=1))  # every one is past its 15 minutes
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_overdue(pilot)
        pane = app.screen.query_one(OverduePane)
        first_page = [row.code for row in pane.table.rows_by_code.values()]
        assert len(first_page) == 100
        await pilot.press("f8")
        await settle(pilot)
        second_page = [row.code for row in pane.table.rows_by_code.values()]
        assert len(second_page) == 5
        assert not set(first_page) & set(second_page)
        assert "第 2 页" in str(pane.query_one("#overdue-status").render())
        await pilot.press("f7")
        await settle(pilot)
        assert [row.code for row in pane.table.rows_by_code.values()] == first_page


async def test_a_deadline_into_2027_is_flagged_provisional(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    clock.set(local(2026, 12, 31, 17, 0))
    case = dispatcher.cases.report(new_case_fields(title="跨年事件"))  # due 2027-01-01 09:00
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_overdue(pilot)
        table = app.screen.query_one(OverdueTable)
        assert case.code in table.rows_by_code
        cells = [str(cell) for cell in table.get_row(case.code)]
        assert any("暂定" in text for text in cells), cells


async def test_an_urge_refused_as_stale_keeps_the_note_and_a_second_save_lands(
    db: Database, clock: FrozenClock, cases: dict[str, str]
) -> None:
    """The shift lead urges the same case in another console while the dispatcher types: the
    form stays open naming the lead, the note and channel stay, and Ctrl+S again sends them."""
    lead = services_for(db, "lead", clock)
    water = cases["water"]
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        modal = app.screen
        modal.query_one("#overdue-channel", Select).value = ContactChannel.platform.value
        modal.query_one("#overdue-note", Input).value = "请供水公司尽快处理"
        lead.cases.urge(water, lead.queue.detail(water).version, note="值班长已电话催办")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        message = modal.shown_problems["form"]  # type: ignore[attr-defined]
        assert "李值班" in message
        assert "再按 Ctrl+S 将按最新版本提交" in message
        assert modal.query_one("#overdue-note", Input).value == "请供水公司尽快处理"
        assert modal.query_one("#overdue-channel", Select).value == ContactChannel.platform.value
        assert recorder.errors == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not modal
        assert f"事件 {water}：已催办" in recorder.texts
        assert "催2" in shown(app, "flags")[0]
    urges = [e for e in lead.queue.detail(water).events if e.action is Action.urge]
    assert [(e.operator_name, e.reason, e.detail.get("channel")) for e in urges] == [
        ("李值班", "值班长已电话催办", None),
        ("王调度", "请供水公司尽快处理", "platform"),
    ]
