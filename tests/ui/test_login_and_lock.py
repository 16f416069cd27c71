"""The login screen and the idle lock, pressing keys in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from gridconsole.views.lock_screen import LockScreen
from gridconsole.views.login_screen import LoginScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.ports import ServicesOpener
from tests.auth_helpers import PASSWORD, cheap_hasher, shared_login, shared_settings
from tests.factories import services_for
from tests.ui.console import SEED_CASES, settle

__all__ = ["cheap_hasher"]

pytestmark = pytest.mark.usefixtures("cheap_hasher")

# what the seed cases show of residents and their matters: none of it on the lock screen
PERSONAL = ("张三", "13812341234", "1381234", "中山东路18号", *(case[0][:4] for case in SEED_CASES))


def frame_text(app: GridConsoleApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def type_text(pilot: object, text: str) -> None:
    for char in text:
        await pilot.press(char)  # type: ignore[attr-defined]


class IdleSeconds:
    """Real seconds as the console's idle timer reads them, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta.total_seconds()


async def test_idle_console_locks_and_unlocks_with_the_password(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    settings = Settings()
    services_for(db, "admin", clock).operators.set_password("disp", PASSWORD)
    idle = IdleSeconds()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings, idle_seconds=idle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any(code in frame_text(app) for code in seeded)  # the queue shows the cases
        idle.advance(timedelta(minutes=9, seconds=59))
        app.watch_idle_and_terminal()
        assert isinstance(app.screen, MainScreen)
        idle.advance(timedelta(seconds=1))
        app.watch_idle_and_terminal()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        frame = frame_text(app)
        leaked = [text for text in PERSONAL + tuple(seeded) if text in frame]
        print(
            f"lock frame: {len(PERSONAL) + len(seeded)} personal strings checked, leaked {leaked}"
        )
        assert leaked == []
        app.notify("MY-20261129-0001 超期")  # a notice while locked is not shown
        assert "MY-2026" not in frame_text(app)
        await pilot.press("f1")  # help and the palette are refused while locked
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, "wrong password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "4" in str(app.screen.query_one("#lock-message").render())
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not app.locked


async def test_a_key_resets_the_idle_time(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    settings = Settings()
    idle = IdleSeconds()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings, idle_seconds=idle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        idle.advance(timedelta(minutes=9))
        await pilot.press("down")
        idle.advance(timedelta(minutes=9))
        app.watch_idle_and_terminal()
        assert isinstance(app.screen, MainScreen)


async def test_idle_lock_off(db: Database, clock: FrozenClock) -> None:
    settings = Settings.model_validate({"security": {"idle_lock_minutes": 0}})
    idle = IdleSeconds()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings, idle_seconds=idle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        idle.advance(timedelta(hours=5))
        app.watch_idle_and_terminal()
        assert isinstance(app.screen, MainScreen)


async def test_a_jump_of_the_simulated_clock_is_not_idleness(
    db: Database, clock: FrozenClock
) -> None:
    """Training clocks run fast and tests move theirs by hours: only real seconds lock."""
    settings = Settings()
    app = GridConsoleApp(
        services_for(db, "disp", clock, settings), settings, idle_seconds=IdleSeconds()
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(timedelta(hours=5))
        app.watch_idle_and_terminal()
        assert isinstance(app.screen, MainScreen)


async def test_without_a_password_the_lock_screen_says_how_to_set_one(
    db: Database, clock: FrozenClock
) -> None:
    settings = Settings()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.lock_console()
        await settle(pilot)
        message = str(app.screen.query_one("#lock-message").render())
        assert "gridconsole operator password disp" in message


async def test_shared_account_login_asks_the_password(db: Database, clock: FrozenClock) -> None:
    settings = shared_settings()
    services_for(db, "admin", clock).operators.set_password("lead", PASSWORD)
    opener = ServicesOpener(lambda: shared_login(db, clock, "lead", settings), clock)
    app = GridConsoleApp(opener, settings, ask_password=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "李值班" in frame_text(app)
        await type_text(pilot, "not the password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.services is None  # nothing of the centre opened
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.services is not None
        assert app.services.context.actor.username == "lead"
