"""Pictures of the roster pane (dispatcher) and the worker form (admin), at 120×40 and 80×24.

Stable by construction: the frozen clock at T0, the fixed reference street staffed through the
services (tests/ui/test_roster_pane.py), no cursor blink. Numbers show masked, in the worker form
too (as the placeholders of its empty number fields); a name that looks like markup shows
literally.
"""

from __future__ import annotations

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.snapshots.test_console_snapshots import SIZES, SnapCompare, keys_then_settle
from tests.ui.test_roster_pane import staff_reference_grids


def console(db: Database, username: str, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, username, clock), Settings())


@pytest.mark.parametrize("size", SIZES)
def test_roster_pane(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    staff_reference_grids(db, clock)
    app = console(db, "disp", clock)
    # the cursor on 李四 (third in pinyin order): the line under the table shows all of him
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["7", "down", "down"]))


@pytest.mark.parametrize("size", SIZES)
def test_roster_coverage(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    staff_reference_grids(db, clock)
    app = console(db, "lead", clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["7", "c"]))


@pytest.mark.parametrize("size", SIZES)
def test_worker_form(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    staff_reference_grids(db, clock)
    app = console(db, "admin", clock)
    # 李四, who has both numbers: the fields empty, each with its masked number as placeholder
    assert snap_compare(
        app, terminal_size=size, run_before=keys_then_settle(["7", "down", "down", "e"])
    )
