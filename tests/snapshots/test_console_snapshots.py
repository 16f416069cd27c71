"""Pictures of the console at 120×40 and 80×24, and in the ansi-dark theme.

Stable by construction: a frozen clock (T0), the fixed reference street and seed cases, no
cursor blink, nothing from the host on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings, UiSettings
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.ui.console import make_console, settle
from tests.ui.test_overdue_pane import seed_overdue

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def keys_then_settle(keys: Iterable[str]) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_queue_pane(
    snap_compare: SnapCompare,
    db: Database,
    clock: FrozenClock,
    seeded: list[str],
    size: tuple[int, int],
) -> None:
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["down"]))


@pytest.mark.parametrize("size", SIZES)
def test_case_detail(
    snap_compare: SnapCompare,
    db: Database,
    clock: FrozenClock,
    seeded: list[str],
    size: tuple[int, int],
) -> None:
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["enter"]))


def test_queue_pane_ansi_dark(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock, Settings(ui=UiSettings(theme="ansi-dark")))
    assert snap_compare(app, terminal_size=(120, 40), run_before=keys_then_settle([]))


def test_new_case_form_80x24(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys_then_settle(["n"]))


@pytest.mark.parametrize("size", SIZES)
def test_overdue_pane(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    seed_overdue(db, services_for(db, "disp", clock), clock)
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["2"]))


@pytest.mark.parametrize("size", SIZES)
def test_overdue_wall(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    seed_overdue(db, services_for(db, "disp", clock), clock)
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["2", "w"]))
