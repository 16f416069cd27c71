"""The login screen, the idle lock and the lock key, pressing keys in the console."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col
from textual.command import CommandPalette
from textual.notifications import Notification

from gridconsole.app import HELD_LINE_CHARS, HELD_NOTICES, GridConsoleApp, held_line
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.i18n import t
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.services.identity import LockReason
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry
from gridconsole.views.lock_screen import LockScreen
from gridconsole.views.login_screen import LoginScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.ports import ServicesOpener
from tests.auth_helpers import PASSWORD, cheap_hasher, shared_login, shared_settings
from tests.factories import new_case_fields, services_for
from tests.ui.console import SEED_CASES, settle

__all__ = ["cheap_hasher"]

pytestmark = pytest.mark.usefixtures("cheap_hasher")

# what the seed cases show of residents and their matters: none of it on the lock screen
PERSONAL = ("张三", "13812341234", "1381234", "中山东路18号", *(case[0][:4] for case in SEED_CASES))


def lock_reasons(db: Database) -> list[str]:
    """The reason of every ``console.lock`` audit entry, oldest first."""
    with db.read() as session:
        details = session.execute(
            select(AuditEntry.detail)
            .where(col(AuditEntry.action) == "console.lock")
            .order_by(col(AuditEntry.seq))
        ).scalars()
        return [json.loads(detail)["reason"] for detail in details]


def shown_toasts(app: GridConsoleApp) -> list[tuple[str, str, str]]:
    """(title, message, severity) of every notice on screen."""
    return [(n.title, n.message, n.severity) for n in app._notifications]


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
        app.lock_console(LockReason.idle)
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


async def unlock(pilot: object, app: GridConsoleApp) -> None:
    await type_text(pilot, PASSWORD)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert not app.locked
    assert not isinstance(app.screen, LockScreen)


async def test_the_lock_key_locks_at_once_from_a_form(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    settings = Settings()
    services_for(db, "admin", clock).operators.set_password("disp", PASSWORD)
    app = GridConsoleApp(
        services_for(db, "disp", clock, settings), settings, idle_seconds=IdleSeconds()
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")  # the new-case form, its first field focused
        await settle(pilot)
        form = app.screen
        assert form.__class__.__name__ == "NewCaseModal"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert app.locked
        assert lock_reasons(db) == ["key"]
        frame = frame_text(app)
        leaked = [text for text in PERSONAL + tuple(seeded) if text in frame]
        assert leaked == []
        assert t("auth.lock_by_key") in frame
        assert t("auth.lock_idle", minutes=10) not in frame
        await pilot.press("ctrl+l")  # already locked: no second lock
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_reasons(db) == ["key"]
        await unlock(pilot, app)  # the form is as it was left
        assert app.screen is form


async def test_the_idle_lock_is_audited_as_idle(db: Database, clock: FrozenClock) -> None:
    settings = Settings()
    idle = IdleSeconds()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings, idle_seconds=idle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        idle.advance(timedelta(minutes=10))
        app.watch_idle_and_terminal()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_reasons(db) == ["idle"]
        assert t("auth.lock_idle", minutes=10) in frame_text(app)


async def test_the_lock_key_does_nothing_before_login(db: Database, clock: FrozenClock) -> None:
    settings = shared_settings()
    services_for(db, "admin", clock).operators.set_password("lead", PASSWORD)
    opener = ServicesOpener(lambda: shared_login(db, clock, "lead", settings), clock)
    app = GridConsoleApp(opener, settings, ask_password=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert not app.locked
        assert lock_reasons(db) == []
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+l")  # logged in: now it locks
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_reasons(db) == ["key"]


async def test_the_palette_locks_too(db: Database, clock: FrozenClock) -> None:
    settings = Settings()
    app = GridConsoleApp(services_for(db, "disp", clock, settings), settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, t("palette.lock_console"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert lock_reasons(db) == ["key"]


async def test_notices_while_locked_are_shown_after_the_unlock(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    case = lead.cases.report(new_case_fields(priority="urgent"))  # due in 15 minutes
    settings = Settings()
    services_for(db, "admin", clock).operators.set_password("disp", PASSWORD)
    app = GridConsoleApp(
        services_for(db, "disp", clock, settings), settings, idle_seconds=IdleSeconds()
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        app.notify("锁定前的通知")  # on screen as the operator presses the lock key
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert shown_toasts(app) == []
        clock.advance(timedelta(minutes=16))
        # this console's deadline timers fire the breach while the console is locked
        main.on_deadlines_fired(DeadlineWatch.headless(db, clock, settings).fire_due())
        app.notify("锁定期间的通知")
        main.poll_changes()  # the poll waits for the unlock
        await settle(pilot)
        assert shown_toasts(app) == []
        assert case.code not in frame_text(app)
        assert "锁定" + "前的通知" not in frame_text(app)
        await unlock(pilot, app)
        assert app.screen is main
        toasts = shown_toasts(app)
        assert len(toasts) == 1
        title, message, severity = toasts[0]
        assert title == t("shell.held_title", count=3)
        breach = t("deadline_watch.breach_notice", code=case.code, step=t("step.accept"))
        assert message.split("\n") == ["锁定前的通知", breach, "锁定期间的通知"]
        assert severity == "error"  # the gravest of them
        assert case.code in frame_text(app)
        # the poll after the unlock reads the breach again: announced already, not twice
        main.poll_changes()
        await settle(pilot)
        assert [toast for toast in shown_toasts(app) if case.code in toast[1]] == [toasts[0]]
        # locked again at once: the digest still on screen comes back whole, not as one line
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert shown_toasts(app) == []
        await unlock(pilot, app)
        assert shown_toasts(app) == [toasts[0]]
        # once read (gone from the screen) nothing is held: the next unlock shows nothing
        app.clear_notifications()
        await pilot.press("ctrl+l")
        await settle(pilot)
        await unlock(pilot, app)
        assert shown_toasts(app) == []


async def test_the_kept_notices_are_bounded(db: Database, clock: FrozenClock) -> None:
    settings = Settings()
    services_for(db, "admin", clock).operators.set_password("disp", PASSWORD)
    app = GridConsoleApp(
        services_for(db, "disp", clock, settings), settings, idle_seconds=IdleSeconds()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.lock_console(LockReason.key)
        await settle(pilot)
        total = HELD_NOTICES + 17
        for number in range(1, total + 1):
            app.notify(f"通知 {number:02}", severity="warning" if number == 3 else "information")
        await settle(pilot)
        assert shown_toasts(app) == []
        await unlock(pilot, app)
        [(title, message, severity)] = shown_toasts(app)
        assert title == t("shell.held_title", count=total)
        lines = message.split("\n")
        assert lines[0] == t("shell.held_earlier", count=17)
        assert lines[1:] == [f"通知 {number:02}" for number in range(18, total + 1)]
        assert severity == "warning"  # a dropped notice's severity still counts


def test_a_held_notice_is_one_line_cut_short() -> None:
    line = held_line(Notification("第一行\n第二行 " + "很长" * 50, title="标题"))
    assert line.startswith("标题: 第一行 第二行 很长")
    assert len(line) == HELD_LINE_CHARS
    assert line.endswith("…")
