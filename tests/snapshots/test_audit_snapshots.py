"""Pictures of the auditor's pane at 120×40 and 80×24 (frozen clock, fixed history)."""

from __future__ import annotations

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.snapshots.test_console_snapshots import SIZES, SnapCompare, keys_then_settle
from tests.ui.test_audit_pane import audited_history


@pytest.mark.parametrize("size", SIZES)
def test_audit_pane(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    audited_history(db, clock)
    app = GridConsoleApp(services_for(db, "audit", clock), Settings())
    # one operator's entries: the first entry names whoever ran the tests (the OS account)
    keys = ["9", "slash", *"disp", "enter"]
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(keys))
