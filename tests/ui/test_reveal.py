"""Revealing by keyboard: v in the case detail and the roster asks for a reason, shows the number
on that view only, and the audit log holds the reveal; a role without the permission has no v."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import col
from textual.widgets import Input, Static

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.reveal_modal import RevealModal
from tests.factories import new_case_fields, services_for
from tests.ui.console import settle


def reveal_entries(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.execute(
                select(AuditEntry).where(col(AuditEntry.action) == "privacy.reveal")
            ).scalars()
        )


async def test_dispatcher_reveals_the_reporters_phone_with_a_reason(
    db: Database, clock: FrozenClock
) -> None:
    code = (
        services_for(db, "disp", clock)
        .cases.report(new_case_fields(reporter_phone="13912345678", category="06-consult"))
        .code
    )
    app = GridConsoleApp(services_for(db, "disp", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CaseDetailScreen)
        phone = detail.query_one("#detail-reporter_phone", Static)
        assert str(phone.render()) == "139****5678"
        await pilot.press("v")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RevealModal)
        await pilot.press("ctrl+s")  # no reason: refused in the form
        await settle(pilot)
        assert "reason" in modal.shown_problems
        modal.query_one("#reveal-reason", Input).value = "回访报告人"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert str(phone.render()).startswith("13912345678")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the same case again: masked again
        await settle(pilot)
        again = app.screen.query_one("#detail-reporter_phone", Static)
        assert str(again.render()) == "139****5678"
    entries = reveal_entries(db)
    assert [(entry.username, entry.subject) for entry in entries] == [("disp", f"case:{code}")]
    assert json.loads(entries[0].detail)["reason"] == "回访报告人"


async def test_auditor_is_not_offered_the_reveal(db: Database, clock: FrozenClock) -> None:
    services_for(db, "disp", clock).cases.report(new_case_fields(category="06-consult"))
    app = GridConsoleApp(services_for(db, "audit", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.check_action("reveal_personal", ()) is False
    assert reveal_entries(db) == []
