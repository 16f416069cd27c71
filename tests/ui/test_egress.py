"""Egress: no screenshot leaves the console by any of Textual's paths, and the screen cannot be
selected for copying (OSC 52); what the operator types in a field may be copied (README)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.ui.console import Recorder, settle


async def test_no_screenshot_is_written(
    db: Database, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    monkeypatch.chdir(shots)
    recorder = Recorder()
    app = GridConsoleApp(services_for(db, "lead", clock), Settings())
    async with app.run_test(size=(80, 24), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await app.run_action("screenshot")
        assert app.deliver_screenshot(str(shots / "x.svg")) is None
        await app.run_action(f"app.screenshot('x.svg', '{shots}')")
        await settle(pilot)
        assert app.ALLOW_SELECT is False
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert not any("creenshot" in title for title in titles)
    assert os.listdir(shots) == []
    assert len(recorder.notifications) == 3
    assert {notification.severity for notification in recorder.notifications} == {"warning"}
