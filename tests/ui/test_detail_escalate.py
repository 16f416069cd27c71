"""`E` in the case detail opens the escalation form for that case — for the roles that may
escalate; a department's liaison, who may not, is not offered it."""

from __future__ import annotations

from gridconsole.clock import FrozenClock
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.escalate_modal import EscalateModal
from gridconsole.views.main_screen import MainScreen
from tests.factories import new_case_fields
from tests.ui.console import settle
from tests.ui.test_department_pane import dispatched
from tests.ui.test_escalation_pane import console


async def test_E_in_the_detail_opens_the_escalation_form_for_the_case(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields(title="工地聚集讨薪"))
    app = console(db, clock, "disp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CaseDetailScreen)
        assert detail.check_action("escalate_case", ()) is True
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, EscalateModal)
        assert app.screen.query_one("#escalate-code").value == case.code  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_a_liaison_is_not_offered_E_in_the_detail(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    dispatched(dispatcher, "占道经营噪音扰民", "11-noise", "CG")
    app = console(db, clock, "liaison")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the liaison's console opens on its work list
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CaseDetailScreen)
        assert detail.check_action("escalate_case", ()) is False
        await pilot.press("E")
        await settle(pilot)
        assert app.screen is detail
