"""The auditor's pane by keyboard: newest first, filters by operator, case and day, paging,
verifying the chain (and finding a tampered entry); only auditors and admins get it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from textual.widgets import DataTable

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.store.engine import Database
from gridconsole.views.audit_pane import AuditPane
from tests.factories import new_case_fields, services_for
from tests.ui.console import Recorder, settle
from tests.unit.test_audit_log import _untrigger


def audited_history(db: Database, clock: FrozenClock) -> list[str]:
    dispatcher = services_for(db, "disp", clock)
    codes = [dispatcher.cases.report(new_case_fields(title=f"审计{i}")).code for i in range(3)]
    detail = dispatcher.queue.detail(codes[0])
    dispatcher.cases.accept(codes[0], detail.version)
    return codes


def actions(app: GridConsoleApp) -> list[str]:
    table = app.screen.query_one("#audit-table", DataTable)
    return [str(table.get_row_at(index)[3]) for index in range(table.row_count)]


async def type_filter(pilot, value: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await pilot.press(*value)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("username", ["audit", "admin"])
async def test_the_log_newest_first_and_its_filters(
    db: Database, clock: FrozenClock, username: str
) -> None:
    codes = audited_history(db, clock)
    app = GridConsoleApp(services_for(db, username, clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert app.screen.query(AuditPane)
        shown = actions(app)
        assert shown[:4] == ["case.accept", "case.report", "case.report", "case.report"]
        assert shown[-1] == "database.set_purpose"

        await type_filter(pilot, f"case:{codes[0]}")
        assert actions(app) == ["case.accept", "case.report"]

        await pilot.press("slash", "ctrl+u")
        await pilot.press(*"disp action:case.rep")
        await pilot.press("enter")
        await settle(pilot)
        assert actions(app) == ["case.report"] * 3

        await pilot.press("slash", "ctrl+u")
        await pilot.press(*"since:2020-01-01 until:2020-01-02")
        await pilot.press("enter")
        await settle(pilot)
        assert actions(app) == []

        await pilot.press("slash", "ctrl+u")
        await pilot.press(*"when:yesterday")
        await pilot.press("enter")
        await settle(pilot)
        status = str(app.screen.query_one("#audit-status").render())
        assert "when:yesterday" in status
        assert actions(app) == []  # the refused filter left the last result, not everything


async def test_paging_loads_older_entries_on_n(db: Database, clock: FrozenClock) -> None:
    dispatcher = services_for(db, "disp", clock)
    for index in range(105):
        dispatcher.cases.report(new_case_fields(title=f"页{index}"))
    app = GridConsoleApp(services_for(db, "audit", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert len(actions(app)) == 100
        await pilot.press("n")
        await settle(pilot)
        assert len(actions(app)) == 106  # 105 reports and the database's purpose
        seqs = [
            int(str(app.screen.query_one("#audit-table", DataTable).get_row_at(i)[0]))
            for i in range(106)
        ]
        assert seqs == sorted(seqs, reverse=True)


async def test_verify_says_intact_or_names_the_tampered_entry(
    db: Database, clock: FrozenClock
) -> None:
    audited_history(db, clock)
    recorder = Recorder()
    app = GridConsoleApp(services_for(db, "audit", clock), Settings())
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert any("核验通过" in message for message in recorder.texts)
        _untrigger(db)  # what the database's owner could do first
        with db.writer.begin() as connection:
            connection.execute(text("UPDATE audit_entries SET username = 'x' WHERE seq = 2"))
        await pilot.press("v")
        await settle(pilot)
        assert any("第 2 条" in message for message in recorder.errors)


@pytest.mark.parametrize("username", ["disp", "lead", "liaison"])
async def test_the_log_is_not_offered_to_others(
    db: Database, clock: FrozenClock, username: str
) -> None:
    app = GridConsoleApp(services_for(db, username, clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert not app.screen.query(AuditPane)
