"""Claims on screen: the queue with held cases (⚑name before the title) at 120×40 and 80×24,
and the detail's 认领 line. One case is the console's own claim, one the shift lead's."""

from __future__ import annotations

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.snapshots.test_console_snapshots import SIZES, SnapCompare, keys_then_settle
from tests.ui.console import make_console


@pytest.fixture
def claimed(dispatcher: Services, lead: Services, seeded: list[str]) -> list[str]:
    dispatcher.claims.claim(seeded[0])  # the noise complaint: this console's own
    lead.claims.claim(seeded[1])  # the water leak, first in the queue: the shift lead's
    return seeded


@pytest.mark.parametrize("size", SIZES)
def test_queue_with_claimed_cases(
    snap_compare: SnapCompare,
    db: Database,
    clock: FrozenClock,
    claimed: list[str],
    size: tuple[int, int],
) -> None:
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle([]))


def test_case_detail_of_a_claimed_case(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, claimed: list[str]
) -> None:
    app = make_console(db, clock)
    assert snap_compare(app, terminal_size=(120, 40), run_before=keys_then_settle(["enter"]))
