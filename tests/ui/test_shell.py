"""The console shell: help, palette, keymap, theme and the worker-error policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.command import CommandPalette
from textual.content import Content
from textual.coordinate import Coordinate
from textual.widgets import DataTable, OptionList, Static

from gridconsole.app import GridConsoleApp, declared_bindings
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings, UiSettings
from gridconsole.i18n import t
from gridconsole.store.engine import Database
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.console_header import ConsoleHeader
from gridconsole.views.duplicate_choice_modal import DuplicateChoiceModal
from gridconsole.views.help_screen import HelpScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.queue_pane import QueuePane
from gridconsole.views.queue_table import QueueTable
from tests.ui.console import Recorder, make_console, queue_table, settle

SIZE = (120, 40)


async def test_help_lists_every_key_of_every_binding(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = " ".join(help_screen.listed_keys)
        classes = (
            GridConsoleApp,
            MainScreen,
            QueuePane,
            QueueTable,
            CaseDetailScreen,
            ActionModal,
            DuplicateChoiceModal,
        )
        expected = 0
        for cls in classes:
            for binding in declared_bindings(cls):
                if binding.action in ("help_quit", "screen.copy_text"):
                    continue
                for key in binding.key.split(","):
                    assert app.get_key_display(binding.__class__(key, binding.action)) in listed
                    expected += 1
        assert expected > 30
        # every description in the operator's language, each key once per section
        table = help_screen.query_one("#help-keys", DataTable)
        descriptions = [
            str(table.get_cell_at(Coordinate(row, 1))) for row in range(table.row_count)
        ]
        english = [text for text in descriptions if text.isascii() and text]
        assert english == []
        for section in app.help_sections():
            keys = [binding.key for binding in section.bindings]
            assert len(keys) == len(set(keys)), section.title
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_keymap_from_settings_rebinds_by_id(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock, Settings(keymap={"open-case": "o", "show-help": "f1"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "O" in " ".join(app.screen.listed_keys).upper()


async def test_palette_offers_the_queue_actions_and_no_screenshot(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        prompts = [str(option.prompt) for option in palette.query_one(OptionList).options]
        for key in ("new_case", "accept_case", "reject_case", "merge_case", "set_priority"):
            assert any(t(f"palette.{key}") in prompt for prompt in prompts), key
        # the water leak cannot be resolved in the grid: not offered
        assert not any(t("palette.resolve_in_grid") in prompt for prompt in prompts)
        assert not any("Screenshot" in prompt for prompt in prompts)
        await pilot.press(*"受理所选")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "AcceptCaseModal"
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" in titles
        assert "Screenshot" not in titles


async def test_screenshot_action_is_refused(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await app.run_action("screenshot")
        await settle(pilot)
        assert recorder.texts == [t("shell.screenshot_refused")]


async def test_a_failing_worker_is_reported_not_fatal(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)

        def broken(*args: object, **kwargs: object) -> object:
            raise RuntimeError("database went away")

        app.services.queue.page = broken  # type: ignore[method-assign,attr-defined]
        await pilot.press("f5")
        await settle(pilot)
        assert app.is_running
        assert len(recorder.errors) == 1
        assert "database went away" in recorder.errors[0]
        assert len(queue_table(app).rows_by_code) == 4  # the last good page stays


async def test_theme_and_animations_follow_the_settings(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    settings = Settings(ui=UiSettings(theme="ansi-dark"))
    app = make_console(db, clock, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
        assert app.animation_level == "none"
    animated = make_console(db, clock, Settings(ui=UiSettings(animations=True)))
    assert animated.animation_level == "full"


async def test_pane_keys_switch_to_the_queue(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert app.focused is not queue_table(app)
        await pilot.press("escape", "f2")
        await settle(pilot)
        assert app.focused is queue_table(app)


async def test_the_clock_tick_repaints_the_clock_not_the_layout(
    db: Database, clock: FrozenClock
) -> None:
    """``Static.update`` lays the screen out again by default, and a layout pass repaints
    every scrolling table's scrollbar: 1.2 KB a second to the terminal on a 40-row pane, idle.
    The clock keeps its width from second to second, so its tick asks for no layout; a clock
    whose text changes width still gets one."""
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = app.screen.query_one(ConsoleHeader)
        shown = header.query_one("#header-clock", Static)
        layouts: list[bool] = []
        repaint = shown.refresh

        def spy(*regions: Any, **options: Any) -> Any:
            layouts.append(bool(options.get("layout")))
            return repaint(*regions, **options)

        shown.refresh = spy  # type: ignore[method-assign]
        clock.advance(timedelta(seconds=1))
        header.refresh_clock()
        assert layouts == [False]
        assert "2026-11-29 09:30:01" in str(shown.render())
        shown.update(Content("2026-11-29"))  # a narrower text before the tick
        layouts.clear()
        clock.advance(timedelta(seconds=1))
        header.refresh_clock()
        assert layouts == [True]
