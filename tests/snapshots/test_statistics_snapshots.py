"""Pictures of the statistics pane (F12 / 8): last month's department ranking with the trend,
and the cases behind a figure, at 120×40 and 80×24.

Stable by construction: the frozen clock at T0 (Sunday 2026-11-29 09:30 in Nanjing), the fixed
reference street, October's history made through the services (tests/dispatch_cases.py), no
timings on screen.
"""

from __future__ import annotations

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.dispatch_cases import noise_history
from tests.factories import services_for
from tests.snapshots.test_console_snapshots import SIZES, SnapCompare, keys_then_settle


def console(db: Database, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, "lead", clock), Settings())


@pytest.mark.parametrize("size", SIZES)
def test_statistics_pane(
    snap_compare: SnapCompare,
    db: Database,
    dispatcher: Services,
    clock: FrozenClock,
    size: tuple[int, int],
) -> None:
    noise_history(dispatcher, clock)
    assert snap_compare(console(db, clock), terminal_size=size, run_before=keys_then_settle(["8"]))


@pytest.mark.parametrize("size", SIZES)
def test_statistics_drill(
    snap_compare: SnapCompare,
    db: Database,
    dispatcher: Services,
    clock: FrozenClock,
    size: tuple[int, int],
) -> None:
    noise_history(dispatcher, clock)
    # the cursor on 城管执法中队's 接收 figure, then Enter: its four October cases
    keys = ["8", "right", "right", "right", "enter"]
    assert snap_compare(console(db, clock), terminal_size=size, run_before=keys_then_settle(keys))
