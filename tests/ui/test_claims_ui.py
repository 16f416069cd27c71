"""Claims beyond the queue: the overdue pane's marker, the detail screen's keys and the CLI."""

from __future__ import annotations

from datetime import timedelta

from gridconsole.clock import FrozenClock
from gridconsole.services.bundle import Services
from gridconsole.services.overdue_records import OverdueFilter
from gridconsole.store.engine import Database
from tests.ui.console import make_console, settle
from tests.ui.test_overdue_pane import overdue_table, seed_overdue, shown


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
