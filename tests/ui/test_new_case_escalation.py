"""The new-case form and the escalation board (Art. 30): the people involved, an escalation
raised with the report, and the notice when a category's rule proposes one."""

from __future__ import annotations

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import EscalationSource, EscalationStage
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.new_case_modal import NewCaseModal
from tests.factories import services_for
from tests.ui.console import Recorder, make_console, settle
from tests.ui.test_case_actions import SIZE, fill_new_case
from tests.unit.test_intake_escalation import PROPOSING

LEAK = {
    "title": "整栋楼停水",
    "description": "长江路社区5幢自昨晚起停水，住户多次来电。",
    "category": "11-water",
    "grid": "320102002002001",
}


async def _report_from_form(app: object, pilot: object, **values: str) -> NewCaseModal:
    await pilot.press("n")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    modal = app.screen  # type: ignore[attr-defined]
    assert isinstance(modal, NewCaseModal)
    fill_new_case(modal, **values)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    return modal


async def test_a_proposal_from_the_form_is_announced(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock, PROPOSING)
    lead = services_for(db, "lead", clock, PROPOSING)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await _report_from_form(app, pilot, **LEAK, people_involved="40")
        assert isinstance(app.screen, MainScreen)
        assert any("建议升级" in text for text in recorder.texts), recorder.texts
    (card,) = lead.escalations.board().column(EscalationStage.pending).cards
    assert card.source is EscalationSource.proposal
    assert card.case_title == "整栋楼停水"


async def test_an_escalation_raised_with_the_report(
    db: Database, clock: FrozenClock, seeded: list[str], lead: Services
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await _report_from_form(
            app, pilot, **LEAK, escalation_kind="emergency", severity="major", people_involved="6"
        )
        assert isinstance(app.screen, MainScreen)
        assert any("已同时升级" in text for text in recorder.texts), recorder.texts
    (card,) = lead.escalations.board().column(EscalationStage.pending).cards
    assert (card.source, card.kind.value, card.severity.value) == (
        EscalationSource.intake,
        "emergency",
        "major",
    )


async def test_half_an_escalation_stays_in_the_form(
    db: Database, clock: FrozenClock, seeded: list[str], lead: Services
) -> None:
    app = make_console(db, clock, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        modal = await _report_from_form(app, pilot, **LEAK, escalation_kind="emergency")
        assert app.screen is modal
        assert modal.shown_problems["severity"] == "升级须同时选择类别和等级"
    assert lead.escalations.board().cards == ()


async def test_a_liaison_is_not_offered_the_escalation(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    from gridconsole.app import GridConsoleApp

    settings = Settings()
    liaison = services_for(db, "liaison", clock, settings)
    app = GridConsoleApp(liaison, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        modal = NewCaseModal(liaison, liaison.queue.filter_options())
        await app.push_screen(modal)
        await settle(pilot)
        assert not modal.query("#new-escalation_kind")
        assert not modal.query("#new-severity")
        assert modal.query("#new-people_involved")
