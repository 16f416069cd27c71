"""The case detail shows each dispatch and marks what the centre recorded for a department."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from tests.factories import new_case_fields, services_for
from tests.ui.console import make_console, settle


async def test_detail_lists_dispatches_and_on_behalf_events(
    db: Database, clock: FrozenClock
) -> None:
    dispatcher = services_for(db, "disp", clock)
    reported = dispatcher.cases.report(new_case_fields())
    accepted = dispatcher.cases.accept(reported.code, reported.version)
    dispatched = dispatcher.dispatch.dispatch(
        accepted.code, accepted.version, lead="CG", assists=["SC"]
    )
    signed = dispatcher.desk.sign(dispatched.code, dispatched.version, note="电话签收")
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(CaseDetailScreen(signed, Settings().centre.zone))
        await settle(pilot)
        lines = str(app.screen.query_one("#detail-dispatches", Static).render()).splitlines()
        assert lines[0].startswith("城管执法中队  主办")
        assert "签收 " in lines[0]  # the lead signed
        assert lines[1].startswith("市场监管所  协办")
        timeline = app.screen.query_one("#detail-timeline", DataTable)
        last = [str(cell) for cell in timeline.get_row_at(timeline.row_count - 1)]
        assert last[2] == "签收"
        assert last[5] == "代录"
