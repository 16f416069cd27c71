"""Pictures of the dispatch pane at 120×40 and 80×24: 待派遣 with marks and routing
suggestions, the dispatch form, 待核查; and the shift lead's 改派 form (the tallest) at 80×24.

The scene is tests/dispatch_cases.py's, with the frozen clock at T0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.store.engine import Database
from tests.dispatch_cases import DispatchScene
from tests.snapshots.test_console_snapshots import keys_then_settle
from tests.ui.test_dispatch_pane import console

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


@pytest.fixture
def db(dispatch_scene_url: tuple[str, DispatchScene]) -> Iterator[Database]:
    """The scene's database, a fresh copy for each test."""
    database = Database.connect(dispatch_scene_url[0])
    yield database
    database.dispose()


@pytest.mark.parametrize("size", SIZES)
def test_waiting_list_with_marks(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    """The urgent water leak and the 返工 case marked; the cursor on the second."""
    app = console(db, clock)
    keys = ["3", "space", "down", "down", "space"]
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(keys))


@pytest.mark.parametrize("size", SIZES)
def test_dispatch_form_for_marked_cases(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    """The 返工 and the accepted noise case marked, then ``d``: 城管执法中队 preselected."""
    app = console(db, clock)
    keys = ["3", "down", "down", "space", "down", "space", "d"]
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(keys))


def test_redispatch_form_of_the_shift_lead_80x24(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock
) -> None:
    """改派 of the returned case: the shift lead's form has the override reason too."""
    app = console(db, clock, "lead")
    keys = ["3", "down", "d"]
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys_then_settle(keys))


@pytest.mark.parametrize("size", SIZES)
def test_verify_list(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    app = console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["3", "l"]))
