"""Pictures of the dispatch pane at 120×40 and 80×24: 待派遣 with marks and routing
suggestions, the dispatch form, 待核查; and the shift lead's 改派 form (the tallest) at 80×24.

The scene is tests/dispatch_cases.py's, with the frozen clock at T0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.store.engine import Database
from tests.dispatch_cases import DispatchScene, build_scene_database, copy_database
from tests.snapshots.test_console_snapshots import keys_then_settle
from tests.ui.test_dispatch_pane import console

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


@pytest.fixture(scope="module")
def scene_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DispatchScene]:
    path = tmp_path_factory.mktemp("dispatch-scene") / "centre.db"
    return path, build_scene_database(path)


@pytest.fixture
def db(scene_template: tuple[Path, DispatchScene], db_path: Path) -> Iterator[Database]:
    database = copy_database(scene_template[0], db_path)
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
