"""Enter on a row of the department, approvals and overdue panes shows its case in the detail
screen (read in the pane's own worker group); Escape comes back to the row, and an intake key
chosen in the detail only says where intake is done. The dispatch pane's Enter is tested with
its pane."""

from __future__ import annotations

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Action
from gridconsole.i18n import t
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.approvals_pane import ApprovalsPane
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.department_pane import DepartmentPane
from gridconsole.views.overdue_pane import OverduePane
from tests.ui.console import Recorder, make_console, settle
from tests.ui.test_approvals_pane import lead_console, one_request_of_each_kind
from tests.ui.test_department_pane import console, two_cases
from tests.ui.test_overdue_pane import seed_overdue

SIZE = (120, 40)


class Watcher(Recorder):
    """The notifications, and the group of every case read started."""

    def __init__(self) -> None:
        super().__init__()
        self.case_reads: list[str] = []

    def hook(self, message: Message) -> None:
        super().hook(message)
        if (
            isinstance(message, Worker.StateChanged)
            and message.worker.name == "read_case"
            and message.state is WorkerState.RUNNING
        ):
            self.case_reads.append(message.worker.group)


async def open_and_come_back(
    app: GridConsoleApp,
    pilot: Pilot[None],
    watcher: Watcher,
    pane: CaseOpeningPane,
    code: str,
    group: str,
) -> None:
    """Enter shows ``code``'s detail; Escape gives the focus back to the pane's table."""
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CaseDetailScreen), screen
    assert screen.detail.code == code
    assert watcher.case_reads[-1] == group
    await pilot.press("escape")
    await settle(pilot)
    assert app.screen is pane.screen
    assert isinstance(app.focused, DataTable)
    assert pane in app.focused.ancestors


async def intake_key_in_detail(app: GridConsoleApp, pilot: Pilot[None], watcher: Watcher) -> str:
    """Open the cursor case and leave the detail with an intake action: the notice shown."""
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, CaseDetailScreen)
    app.screen.dismiss(Action.set_priority)
    await settle(pilot)
    return watcher.notifications[-1].message


async def test_the_department_pane_opens_the_dispatch_under_the_cursor(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    watcher = Watcher()
    app = console(db, "liaison", clock)
    async with app.run_test(size=SIZE, message_hook=watcher.hook) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DepartmentPane)
        await open_and_come_back(app, pilot, watcher, pane, noise, "desk-case")
        assert app.focused is pane.table
        assert await intake_key_in_detail(app, pilot, watcher) == t("overdue.intake_in_queue")


async def test_the_approvals_pane_opens_the_case_of_a_request(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    returned, _, _ = one_request_of_each_kind(db, dispatcher, clock)
    watcher = Watcher()
    app = lead_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=watcher.hook) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        pane = app.screen.query_one(ApprovalsPane)
        await open_and_come_back(app, pilot, watcher, pane, returned, "approvals-case")
        assert app.focused is pane.table
        assert await intake_key_in_detail(app, pilot, watcher) == t("overdue.intake_in_queue")


async def test_the_overdue_pane_opens_its_case_but_not_from_the_wall(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    codes = seed_overdue(db, dispatcher, clock)
    watcher = Watcher()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=watcher.hook) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(OverduePane)
        await open_and_come_back(app, pilot, watcher, pane, codes["water"], "overdue-case")
        assert app.focused is pane.table
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")  # a department's row on the wall is no case
        await settle(pilot)
        assert app.screen is pane.screen
        assert watcher.case_reads == ["overdue-case"]
