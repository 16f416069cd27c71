"""The incoming-case queue, driven by keys the way a dispatcher uses it."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Select

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import CaseState, Priority
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.queue_pane import QueuePane
from tests.factories import T0, new_case_fields
from tests.ui.console import make_console, queue_table, settle, shown_codes

SIZE = (120, 40)


def status_text(app: object) -> str:
    pane = app.screen.query_one(QueuePane)  # type: ignore[attr-defined]
    return str(pane.query_one("#queue-status").render())


async def test_queue_shows_incoming_cases_most_urgent_then_oldest(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second, third, fourth = seeded
        # the urgent water leak leads; then the normal ones, oldest first
        assert shown_codes(app) == [second, first, third, fourth]
        assert "4 / 4" in status_text(app)
        assert queue_table(app).selected_code == second


async def test_arrow_keys_move_the_selection(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert queue_table(app).selected_code == seeded[2]
        await pilot.press("up")
        await settle(pilot)
        assert queue_table(app).selected_code == seeded[0]


async def test_paging_moves_by_keyset_pages(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    for number in range(55):
        dispatcher.cases.report(
            new_case_fields(
                title=f"楼道堆物第{number}处",
                description=f"楼道堆放杂物编号{number}",
                category="06-consult",
                reported_at=(T0 - timedelta(hours=10, minutes=number)).isoformat(),
            )
        )
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(QueuePane)
        assert queue_table(app).row_count == 50
        assert "50 / 59" in status_text(app)
        first_page = shown_codes(app)
        await pilot.press("f8")
        await settle(pilot)
        assert queue_table(app).row_count == 9
        assert "第 2 页" in status_text(app)
        assert "9 / 59" in status_text(app)
        assert not set(first_page) & set(shown_codes(app))
        assert pane.check_action("next_page", ()) is None  # the last page
        await pilot.press("f7")
        await settle(pilot)
        assert shown_codes(app) == first_page


async def test_filter_by_state_and_category(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    accepted = dispatcher.cases.accept(seeded[2], 1)
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert accepted.code not in shown_codes(app)
        app.screen.query_one("#filter-state", Select).value = CaseState.registered.value
        await settle(pilot)
        assert shown_codes(app) == [accepted.code]
        app.screen.query_one("#filter-state", Select).value = "all"
        await settle(pilot)
        assert len(shown_codes(app)) == 4
        app.screen.query_one("#filter-category", Select).value = "11-noise"
        await settle(pilot)
        assert shown_codes(app) == [seeded[0]]


async def test_search_finds_by_title(db: Database, clock: FrozenClock, seeded: list[str]) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.focused, Input)
        app.focused.value = "水管"
        await pilot.press("enter")
        await settle(pilot)
        assert shown_codes(app) == [seeded[1]]
        assert app.focused is queue_table(app)


async def test_detail_opens_with_enter_and_escape_keeps_the_cursor(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.detail.code == seeded[2]
        assert app.screen.detail.events[0].operator_name == "王调度"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert queue_table(app).selected_code == seeded[2]
        assert queue_table(app).cursor_row == 2


async def test_refresh_picks_up_a_case_from_another_console(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert queue_table(app).selected_code == seeded[2]
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.poll_timer is not None  # the live poll is armed
        # another console reports an urgent case: it sorts above the selection
        other = lead.cases.report(
            new_case_fields(title="燃气泄漏气味明显", priority="urgent", category="06-consult")
        )
        screen.poll_changes()  # what the timer does within refresh_seconds
        await settle(pilot)
        assert other.code in shown_codes(app)
        # urgent first (the older urgent leak, then the new one): the selected row moved down
        assert shown_codes(app)[:2] == [seeded[1], other.code]
        assert queue_table(app).selected_code == seeded[2]
        assert queue_table(app).cursor_row == 3
        assert screen.poll_timer is not None  # re-armed after the poll


async def test_poll_skips_while_a_modal_is_open(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        await pilot.press("enter")
        await settle(pilot)
        lead.cases.report(new_case_fields(title="路灯不亮", category="06-consult"))
        main.poll_changes()
        await settle(pilot)
        assert len(shown_codes_of(main)) == 4
        await pilot.press("escape")
        await settle(pilot)
        main.poll_changes()
        await settle(pilot)
        assert len(shown_codes(app)) == 5


def shown_codes_of(screen: MainScreen) -> list[str]:
    table = screen.query_one(QueuePane).table
    return [str(table.get_cell_at((row, 0)).plain) for row in range(table.row_count)]


async def test_header_counts_come_from_the_services(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counts = str(app.screen.query_one("#header-counts").render())
        assert "待受理 4" in counts
        assert "处置中 0" in counts
        lead.cases.accept(seeded[0], 1)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.poll_changes()
        await settle(pilot)
        counts = str(screen.query_one("#header-counts").render())
        assert "待受理 3" in counts
        assert "处置中 1" in counts
        clock_text = str(app.screen.query_one("#header-clock").render())
        assert "2026-11-29 09:30:00" in clock_text  # T0 in Asia/Shanghai
        assert "模拟时钟" in clock_text


async def test_priority_sort_order_is_kept_after_a_change(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dispatcher.cases.set_priority(seeded[3], 1, priority=Priority.urgent)
        app.screen.query_one(QueuePane).reload()
        await settle(pilot)
        assert shown_codes(app)[:2] == [seeded[3], seeded[1]]  # both urgent: older first
        assert dispatcher.queue.page(QueueFilter(states=(CaseState.reported,))).total == 4
