"""Claims in the queue: `c` claims and releases, the row shows who holds it, another console
sees it and is refused the case's actions naming the holder."""

from __future__ import annotations

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.claims import ClaimHeld
from gridconsole.domain.enums import CaseState
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.ui.console import make_console, queue_table, settle

SIZE = (120, 40)


def title_cell(app: object, code: str) -> str:
    table = queue_table(app)  # type: ignore[arg-type]
    return table.get_cell(code, "title").plain


async def test_c_claims_and_releases_the_selected_case(
    db: Database, clock: FrozenClock, lead: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        code = queue_table(app).selected_code
        assert code is not None
        await pilot.press("c")
        await settle(pilot)
        assert title_cell(app, code).startswith("⚑王调度 ")
        assert lead.queue.detail(code).claimed_by_name == "王调度"
        # another operator's accept is refused while the claim runs, naming the holder
        version = lead.queue.detail(code).version
        with pytest.raises(ClaimHeld, match="已被 王调度 认领，至 10:00"):
            lead.cases.accept(code, version)
        await pilot.press("c")
        await settle(pilot)
        assert not title_cell(app, code).startswith("⚑")
        assert lead.cases.accept(code, version).state is CaseState.registered
