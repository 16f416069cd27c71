"""Pictures of the login screen and the idle lock at 120×40 and 80×24."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.identity import LockReason
from gridconsole.store.engine import Database
from gridconsole.views.ports import ServicesOpener
from tests.auth_helpers import PASSWORD, cheap_hasher, shared_login, shared_settings
from tests.factories import services_for
from tests.ui.console import make_console, settle

__all__ = ["cheap_hasher"]

pytestmark = pytest.mark.usefixtures("cheap_hasher")

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


async def steady(pilot: Pilot[None]) -> None:
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_login_screen_after_a_wrong_password(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    settings = shared_settings()
    services_for(db, "admin", clock).operators.set_password("lead", PASSWORD)
    opener = ServicesOpener(lambda: shared_login(db, clock, "lead", settings), clock)
    app = GridConsoleApp(opener, settings, ask_password=True)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for char in "wrong password":
            await pilot.press(char)
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lock_screen(
    snap_compare: SnapCompare,
    db: Database,
    clock: FrozenClock,
    seeded: list[str],
    size: tuple[int, int],
) -> None:
    services_for(db, "admin", clock).operators.set_password("disp", PASSWORD)
    app = make_console(db, clock, Settings())

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app_ = pilot.app
        assert isinstance(app_, GridConsoleApp)
        app_.lock_console(LockReason.idle)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
