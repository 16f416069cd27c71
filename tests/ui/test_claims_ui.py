"""Claims beyond the queue: the overdue pane's marker, the detail screen's keys and the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.services.overdue_records import OverdueFilter
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from tests.factories import services_for
from tests.ui.console import Recorder, make_console, queue_table, settle
from tests.ui.test_overdue_pane import overdue_table, seed_overdue, shown

SIZE = (120, 40)


def holders(services: Services) -> dict[str, str]:
    return {
        row.code: row.claimed_by_name
        for row in services.overdue.page(OverdueFilter()).rows
        if row.claimed_by_name
    }


async def test_overdue_rows_show_who_holds_the_case_while_the_claim_runs(
    db: Database, clock: FrozenClock, dispatcher: Services, lead: Services
) -> None:
    cases = seed_overdue(db, dispatcher, clock)
    dispatcher.claims.claim(cases["urgent"])
    assert holders(lead) == {cases["urgent"]: "王调度"}
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        titles = dict(zip(shown(app), shown(app, "title"), strict=True))
        assert titles[cases["urgent"]].startswith("⚑王调度 水管爆裂")
        assert not titles[cases["normal"]].startswith("⚑")
        assert not titles[cases["water"]].startswith("⚑")
        # released in another console: the next reload shows nobody
        dispatcher.claims.release(cases["urgent"])
        await pilot.press("f5")
        await settle(pilot)
        titles = dict(zip(shown(app), shown(app, "title"), strict=True))
        assert titles[cases["urgent"]] == "水管爆裂"


async def test_overdue_narrow_rows_lead_the_flags_with_the_holder(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    cases = seed_overdue(db, dispatcher, clock)
    dispatcher.claims.claim(cases["normal"])
    app = make_console(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert "title" not in {column.key.value for column in overdue_table(app).ordered_columns}
        flags = dict(zip(shown(app), shown(app, "flags"), strict=True))
        assert flags[cases["normal"]].startswith("⚑王调度")
        assert not flags[cases["urgent"]].startswith("⚑")


async def test_an_expired_claim_shows_no_marker(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    cases = seed_overdue(db, dispatcher, clock)
    dispatcher.claims.claim(cases["urgent"])
    clock.advance(timedelta(minutes=dispatcher.context.settings.security.claim_minutes))
    assert holders(dispatcher) == {cases["urgent"]: "王调度"}  # stored, but lapsed
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert not any(title.startswith("⚑") for title in shown(app, "title"))


# -- the case detail: c claims or releases, C breaks (shift lead) ----------------------------


def claim_line(app: GridConsoleApp) -> str | None:
    """The detail's claim line, or None while it is hidden."""
    value = app.screen.query_one("#detail-claim", Static)
    assert value.parent is not None
    return str(value.render()) if value.parent.display else None


async def open_detail(pilot: object, app: GridConsoleApp, code: str) -> CaseDetailScreen:
    table = queue_table(app)
    table.move_cursor(row=table.get_row_index(code))
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, CaseDetailScreen)
    return screen


async def test_c_in_the_detail_claims_and_releases_the_case(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        screen = await open_detail(pilot, app, seeded[0])
        assert claim_line(app) is None
        assert screen.check_action("toggle_claim", ()) is True
        assert screen.check_action("break_claim", ()) is False  # a dispatcher's: hidden
        await pilot.press("c")
        await settle(pilot)
        assert claim_line(app) == "王调度，至 2026-11-29 10:00"
        assert lead.queue.detail(seeded[0]).claimed_by_name == "王调度"
        assert recorder.texts[-1] == f"事件 {seeded[0]}：已认领"
        await pilot.press("c")
        await settle(pilot)
        assert claim_line(app) is None
        assert lead.queue.detail(seeded[0]).claimed_by_name == ""
        assert recorder.texts[-1] == f"事件 {seeded[0]}：已释放认领"
        assert app.screen is screen  # still the detail: the claim is read in place
        assert not recorder.errors


async def test_shift_lead_breaks_a_claim_from_the_detail(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    dispatcher.claims.claim(seeded[2])
    recorder = Recorder()
    app = GridConsoleApp(services_for(db, "lead", clock), Settings())
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        screen = await open_detail(pilot, app, seeded[2])
        assert claim_line(app) == "王调度，至 2026-11-29 10:00"
        # someone else's claim: the lead may not claim over it, only break it
        assert screen.check_action("toggle_claim", ()) is None
        assert screen.check_action("break_claim", ()) is True
        await pilot.press("C")
        await settle(pilot)
        assert claim_line(app) is None
        assert dispatcher.queue.detail(seeded[2]).claimed_by_name == ""
        assert screen.check_action("break_claim", ()) is None  # nothing left to break
        assert screen.check_action("toggle_claim", ()) is True
        assert not recorder.errors


async def test_a_claim_taken_meanwhile_is_refused_in_the_detail_naming_the_holder(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await open_detail(pilot, app, seeded[1])
        lead.claims.claim(seeded[1])  # in another console, after this detail was read
        await pilot.press("c")
        await settle(pilot)
        assert recorder.errors == [f"事件 {seeded[1]} 已被 李值班 认领，至 10:00"]
        assert lead.queue.detail(seeded[1]).claimed_by_name == "李值班"
        assert app.is_running


@pytest.mark.parametrize(
    ("user", "claim", "break_"),
    [
        ("disp", True, False),
        ("lead", True, True),
        ("admin", False, False),
        ("audit", False, False),
        ("liaison", False, False),
    ],
)
async def test_detail_claim_keys_are_hidden_by_role(
    db: Database,
    clock: FrozenClock,
    dispatcher: Services,
    seeded: list[str],
    user: str,
    claim: bool,
    break_: bool,
) -> None:
    detail = dispatcher.queue.detail(seeded[0])
    settings = Settings()
    app = GridConsoleApp(services_for(db, user, clock, settings), settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = CaseDetailScreen(detail, settings.centre.zone)
        await app.push_screen(screen)
        await settle(pilot)
        assert (screen.check_action("toggle_claim", ()) is not False) is claim
        assert (screen.check_action("break_claim", ()) is not False) is break_
