"""Hostile text in every pane (Pilot, headless): the faster companion of
tests/pty/test_hostile_terminal.py, over more of the strings.

The street of tests/hostile_world.py is shown to a shift lead whose own name is hostile, at
120×40 and 80×24: every pane, every page of each, every list of the dispatch pane, the
department picker, the roster's tree, and the detail of every case in the queue and in the
dispatch pane's first page. After each step the whole screen is rendered (malformed markup
would raise; a parsed ``[@click=…]`` would fire on the click sent to it) and the rendered text
must hold no control or format character. The database must be as it was.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from tests.factories import T0, services_for, sqlite_url
from tests.hostile_world import HOSTILE_USERNAME, HostileWorld, database_digest
from tests.ui.console import Recorder, settle

QUIET = Settings.model_validate({"escalation": {"bell": False}, "deadlines": {"bell": False}})
PANES = ("1", "2", "3", "4", "5", "6", "7", "8")


@pytest.fixture
def hostile_db(hostile_template: tuple[Path, HostileWorld], tmp_path: Path) -> Iterator[Database]:
    template, _ = hostile_template
    path = tmp_path / "centre.db"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    db = Database.connect(sqlite_url(path))
    yield db
    db.dispose()


class Inspector:
    """Renders the screen after each step and counts what it looked at."""

    def __init__(self, app: GridConsoleApp) -> None:
        self.app = app
        self.frames = 0

    def check(self) -> None:
        picture = self.app.export_screenshot()  # renders every widget: bad markup raises here
        bad = {
            char
            for char in picture
            if char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Cs")
        }
        if bad:
            at = next(index for index, char in enumerate(picture) if char in bad)
            context = picture[max(0, at - 300) : at + 100]
            raise AssertionError(
                f"control or format characters on screen ({self.app.screen!r}, "
                f"{self.app.focused!r}): {bad!r} in {context!r}"
            )
        assert self.app.is_running
        self.frames += 1

    async def press(self, pilot: Pilot[None], *keys: str) -> None:
        """Each key, then the screen checked once."""
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        self.check()


async def walk(pilot: Pilot[None], inspector: Inspector, detail_rows: int) -> None:
    app = pilot.app
    await settle(pilot)
    inspector.check()
    # the queue: the detail of each case on the first page
    for _ in range(detail_rows):
        await inspector.press(pilot, "enter")
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.click("#detail-heading", offset=(20, 0))  # a parsed @click would fire
        await inspector.press(pilot, "escape", "down")
    for pane in PANES:
        await inspector.press(pilot, pane)
        await inspector.press(pilot, "f8")
        await inspector.press(pilot, "f8")
        await inspector.press(pilot, "down", "down", "enter")
        await inspector.press(pilot, "escape")
    await inspector.press(pilot, "3", "l", "l", "l")
    await inspector.press(pilot, "4", "f", "down", "down", "enter", "escape")
    await inspector.press(pilot, "7", "t", "down", "down", "enter", "escape")
    await inspector.press(pilot, "6", "w", "w", "8", "d", "d", "d", "w", "1", "f1", "escape")


@pytest.mark.sqlite_only("the hostile street is a SQLite file, built once and copied")
@pytest.mark.parametrize(("size", "detail_rows"), [((120, 40), 38), ((80, 24), 8)])
async def test_hostile_text_in_every_pane(
    hostile_db: Database,
    hostile_template: tuple[Path, HostileWorld],
    size: tuple[int, int],
    detail_rows: int,
) -> None:
    world = hostile_template[1]
    before = database_digest(hostile_db)
    app = GridConsoleApp(services_for(hostile_db, HOSTILE_USERNAME, FrozenClock(T0), QUIET), QUIET)
    inspector = Inspector(app)
    async with app.run_test(size=size) as pilot:
        await walk(pilot, inspector, detail_rows)
        assert app.is_running
    assert database_digest(hostile_db) == before
    print(
        f"\nhostile text, Pilot {size[0]}x{size[1]}: {len(world.texts)} strings stored, "
        f"{inspector.frames} screens rendered and checked"
    )


async def test_every_notification_is_cleaned_plain_text(db: Database, clock: FrozenClock) -> None:
    """Whatever a caller passes (markup=True included), a toast is literal and control-free."""
    recorder = Recorder()
    app = GridConsoleApp(services_for(db, "disp", clock), Settings())
    async with app.run_test(size=(80, 24), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        app.screen.notify("事件\x1b]52;c;ZXZpbA==\x07[@click=app.quit]x[/]\u202e", markup=True)
        app.notify("[bold]", title="\x1b[2J标题")
        await settle(pilot)
        app.export_screenshot()
        assert app.is_running
    shown = [(item.message, item.title, item.markup) for item in recorder.notifications]
    assert shown == [
        ("事件]52;c;ZXZpbA==[@click=app.quit]x[/]", "", False),
        ("[bold]", "[2J标题", False),
    ]
