"""The shift lead's approvals (审批): the departments' requests oldest first, approved or refused
with a reason through the decision form, and suspended cases resumed; other roles are not
offered the pane.

The clock stands at T0 (Sunday 2026-11-29 09:30 in Nanjing); cases are dispatched then (handling
due Wednesday 2026-12-02 17:30) and signed by the liaison of 城管执法中队 (CG).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import Action, CaseState, RequestKind
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.approvals_pane import ApprovalsPane
from gridconsole.views.approvals_table import ApprovalsTable
from gridconsole.views.case_form_modal import CaseFormModal
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.queue_table import QueueTable
from tests.factories import services_for
from tests.ui.console import Recorder, settle
from tests.ui.test_department_pane import dispatched

NANJING = ZoneInfo("Asia/Shanghai")
WEDNESDAY_1730 = datetime(2026, 12, 2, 17, 30, tzinfo=NANJING).astimezone(UTC)
FRIDAY_1730 = datetime(2026, 12, 4, 17, 30, tzinfo=NANJING).astimezone(UTC)


def signed(dispatcher: Services, liaison: Services, title: str) -> str:
    """A noise case dispatched to CG and signed by its liaison."""
    code = dispatched(dispatcher, title, "11-noise", "CG")
    liaison.desk.sign(code, liaison.queue.detail(code).version)
    return code


def one_request_of_each_kind(db: Database, dispatcher: Services, clock: FrozenClock) -> list[str]:
    """A return, an extension (recorded by the dispatcher on CG's behalf) and a suspension,
    asked in that order; their case codes."""
    liaison = services_for(db, "liaison", clock)
    returned = signed(dispatcher, liaison, "占道经营噪音扰民")
    liaison.desk.request_return(
        returned,
        liaison.queue.detail(returned).version,
        reason="占道经营属市场监管",
        basis="三定方案第三条",
    )
    extended = signed(dispatcher, liaison, "夜间施工噪音扰民")
    dispatcher.desk.request_extension(
        extended,
        dispatcher.queue.detail(extended).version,
        new_due=FRIDAY_1730,
        reason="需协调建设单位",
    )
    suspended = signed(dispatcher, liaison, "广场舞音响扰民")
    liaison.desk.request_suspension(
        suspended,
        liaison.queue.detail(suspended).version,
        resume_planned=date(2026, 12, 7),
        reason="等待街道协调会",
    )
    return [returned, extended, suspended]


def lead_console(db: Database, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, "lead", clock), Settings())


def requests_shown(app: GridConsoleApp) -> list[str]:
    table = app.screen.query_one(ApprovalsTable)
    return [table.get_cell_at((row, 0)).plain for row in range(table.row_count)]


def form(app: GridConsoleApp) -> CaseFormModal[object]:
    screen = app.screen
    assert isinstance(screen, CaseFormModal), screen
    return screen


async def decide(app: GridConsoleApp, pilot: Pilot[None], key: str, reason: str) -> None:
    """Press ``key`` (y approve, n refuse) and save the decision with ``reason``."""
    await pilot.press(key)
    await settle(pilot)
    app.screen.query_one("#decision-reason", Input).value = reason
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_lists_each_kind_of_request_oldest_first_with_what_is_asked(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    returned, extended, suspended = one_request_of_each_kind(db, dispatcher, clock)
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert requests_shown(app) == [f"退单 {returned}", f"延期 {extended}", f"挂起 {suspended}"]
        table = app.screen.query_one(ApprovalsTable)
        asked = [table.get_cell_at((row, 6)).plain for row in range(3)]
        assert asked == [
            "依据：三定方案第三条",
            "12-04 17:30←12-02 17:30",
            "计划 2026-12-07 恢复",
        ]
        requesters = [table.get_cell_at((row, 3)).plain for row in range(3)]
        assert requesters == ["赵联络", "王调度 代录", "赵联络"]
        summary = str(app.screen.query_one("#approvals-selected").render())
        assert "职责依据：三定方案第三条" in summary
        assert "城管执法中队" in summary


async def test_the_shift_lead_approves_a_return_and_refuses_an_extension(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    returned, extended, _ = one_request_of_each_kind(db, dispatcher, clock)
    recorder = Recorder()
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        pane = app.screen.query_one(ApprovalsPane)
        assert pane.check_action("approve_request", ()) is True
        await pilot.press("y")
        await settle(pilot)
        modal = form(app)
        assert "占道经营属市场监管" in str(modal.query_one(".modal-summary").render())
        await pilot.press("ctrl+s")  # a decision needs a reason
        await settle(pilot)
        assert modal.shown_problems == {"reason": "必填"}
        app.screen.query_one("#decision-reason", Input).value = "确属市场监管职责，同意退单"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert f"事件 {returned}：已批准退单（已退单）" in recorder.texts
        assert requests_shown(app)[0] == f"延期 {extended}"
        await decide(app, pilot, "n", "三天内可以办完，不同意延期")
        assert f"事件 {extended}：已驳回延期（处置中）" in recorder.texts
        assert recorder.errors == []
    assert dispatcher.queue.detail(returned).state is CaseState.returned
    after = dispatcher.queue.detail(extended)
    assert after.due_at == WEDNESDAY_1730  # the deadline is unchanged
    assert after.events[-1].action is Action.refuse_extension
    assert after.events[-1].reason == "三天内可以办完，不同意延期"


async def test_the_shift_lead_approves_a_suspension_then_resumes_the_case(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    _, _, suspended = one_request_of_each_kind(db, dispatcher, clock)
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.screen.query_one(ApprovalsTable).selected_code == f"挂起 {suspended}"
        await decide(app, pilot, "y", "同意挂起至协调会后")
        assert dispatcher.queue.detail(suspended).state is CaseState.suspended
        pane = app.screen.query_one(ApprovalsPane)
        assert pane.check_action("resume_case", ()) is False  # not in the requests list
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#suspended-table", QueueTable)
        assert [table.get_cell_at((row, 0)).plain for row in range(table.row_count)] == [suspended]
        assert pane.check_action("approve_request", ()) is False
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the reason is optional for a resume
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert table.row_count == 0
    resumed = dispatcher.queue.detail(suspended)
    assert resumed.state is CaseState.in_progress
    assert resumed.due_at is not None
    assert [event.action for event in resumed.events][-2:] == [Action.suspend, Action.resume]


async def test_a_decision_on_a_changed_case_names_who_and_one_already_decided_is_refused(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    returned, extended, _ = one_request_of_each_kind(db, dispatcher, clock)
    recorder = Recorder()
    app = lead_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        app.screen.query_one("#decision-reason", Input).value = "同意退单"
        # meanwhile a dispatcher urges the department: the case's version moves
        dispatcher.cases.urge(returned, dispatcher.queue.detail(returned).version, note="催")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = form(app)
        assert "王调度" in modal.shown_problems["form"]  # who changed the case
        assert app.screen.query_one("#decision-reason", Input).value == "同意退单"
        await pilot.press("ctrl+s")  # told, the lead decides against the new version
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert f"事件 {returned}：已批准退单（已退单）" in recorder.texts

        await pilot.press("n")  # the extension, which another lead decides first
        await settle(pilot)
        app.screen.query_one("#decision-reason", Input).value = "不同意"
        other = services_for(db, "lead", clock)
        (request,) = [r for r in other.approvals.pending() if r.kind is RequestKind.extension]
        other.approvals.approve(request.id, request.case_version, reason="同意延期")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (
            form(app).shown_problems["form"]
            == f"事件 {extended} 不能驳回延期：该申请已处理（已批准）"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert f"延期 {extended}" not in requests_shown(app)
    assert dispatcher.queue.detail(returned).state is CaseState.returned
    assert dispatcher.queue.detail(extended).due_at == FRIDAY_1730


async def test_the_approvals_are_not_offered_to_a_dispatcher(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    one_request_of_each_kind(db, dispatcher, clock)
    app = GridConsoleApp(services_for(db, "disp", clock), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("show_approvals_pane", ()) is False
        # not in the footer (nor the help's active keys)
        assert all(
            active.binding.action != "show_approvals_pane"
            for active in screen.active_bindings.values()
        )
        await pilot.press("5")
        await pilot.press("f9")
        await settle(pilot)
        assert not screen.query(ApprovalsPane)
        # even built by hand, the pane offers a dispatcher no decision
        await screen.query_one("#panes").add_content(  # type: ignore[attr-defined]
            ApprovalsPane(app.services, id="approvals-by-hand"),  # type: ignore[arg-type]
            set_current=True,
        )
        await settle(pilot)
        pane = screen.query_one(ApprovalsPane)
        assert len(requests_shown(app)) == 3
        assert pane.check_action("approve_request", ()) is False
        assert pane.check_action("refuse_request", ()) is False
