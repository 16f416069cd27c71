"""``--speed``: only with ``--now``, a positive number; ``gridconsole scheduler``."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridconsole.cli import build_clock
from gridconsole.clock import OffsetClock
from tests.unit.test_cli import invoke


@pytest.mark.parametrize("speed", ["0", "-3", "fast", "nan", "inf"])
def test_speed_must_be_a_positive_number(tmp_path: Path, speed: str) -> None:
    result = invoke(
        tmp_path,
        "--lang",
        "en",
        "--now",
        "2026-12-31T16:50+08:00",
        "--speed",
        speed,
        "db",
        "status",
    )
    assert result.exit_code == 2
    assert "--speed must be a number greater than 0" in result.stderr


def test_speed_needs_now(tmp_path: Path) -> None:
    result = invoke(tmp_path, "--lang", "en", "--speed", "60", "db", "status")
    assert result.exit_code == 2
    assert "--speed needs --now" in result.stderr


def test_speed_builds_an_accelerated_offset_clock() -> None:
    clock = build_clock("2026-12-31T16:50+08:00", "60")
    assert isinstance(clock, OffsetClock)
    assert clock.speed == 60


def test_demo_takes_now_and_speed_itself(tmp_path: Path) -> None:
    result = invoke(tmp_path, "--lang", "en", "demo", "--speed", "60", "--cases", "0")
    assert result.exit_code == 2
    assert "--speed needs --now" in result.stderr


def test_scheduler_help(tmp_path: Path) -> None:
    result = invoke(tmp_path, "scheduler", "--help")
    assert result.exit_code == 0
    assert "SIGTERM" in result.stdout
