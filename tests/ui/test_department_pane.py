"""The department's work list (工作单): a liaison's own dispatches only, and the department's
actions by key — 签收, 退单申请, 延期申请 (a refused date shown at the field), 挂起申请, 反馈 —
and the centre recording them on the department's behalf.

The clock stands at T0 (Sunday 2026-11-29 09:30 in Nanjing). A case dispatched then must be
signed by Monday 09:30 and handled by Wednesday 2026-12-02 17:30.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from textual.widgets import Input, Select

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import QueueSettings, Settings
from gridconsole.domain.enums import Action, CaseState, ContactChannel, RequestKind
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.case_form_modal import CaseFormModal
from gridconsole.views.department_pane import DepartmentPane
from gridconsole.views.department_table import DepartmentTable
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.queue_pane import QueuePane
from tests.factories import new_case_fields, services_for
from tests.ui.console import Recorder, settle

NANJING = ZoneInfo("Asia/Shanghai")


def dispatched(services: Services, title: str, category: str, lead: str) -> str:
    """Report, accept and dispatch a case to ``lead``; its code."""
    detail = services.cases.report(new_case_fields(title=title, category=category))
    detail = services.cases.accept(detail.code, detail.version)
    return services.dispatch.dispatch(detail.code, detail.version, lead=lead).code


def two_cases(dispatcher: Services) -> tuple[str, str]:
    """One case for the city management squad (CG), one for market supervision (SC)."""
    noise = dispatched(dispatcher, "夜间施工噪音扰民", "11-noise", "CG")
    food = dispatched(dispatcher, "早餐店使用过期食材", "03-food", "SC")
    return noise, food


def console(db: Database, username: str, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, username, clock), Settings())


def work_table(app: GridConsoleApp) -> DepartmentTable:
    return app.screen.query_one(DepartmentTable)


def shown(app: GridConsoleApp, column: str = "code") -> list[str]:
    table = work_table(app)
    index = [c.key.value for c in table.ordered_columns].index(column)
    return [table.get_cell_at((row, index)).plain for row in range(table.row_count)]


def form(app: GridConsoleApp) -> CaseFormModal[object]:
    screen = app.screen
    assert isinstance(screen, CaseFormModal), screen
    return screen


def fill(app: GridConsoleApp, **values: str) -> None:
    for widget_id, value in values.items():
        app.screen.query_one(f"#{widget_id.replace('_', '-')}", Input).value = value


async def test_a_liaison_opens_on_their_own_departments_work_and_not_the_queue(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, food = two_cases(dispatcher)
    app = console(db, "liaison", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        pane = app.screen.query_one(DepartmentPane)
        assert pane.display
        assert shown(app) == [noise]  # CG's, not SC's
        assert food not in shown(app)
        assert shown(app, "status") == ["待签收"]
        assert shown(app, "role") == ["主办"]
        assert not app.screen.query(QueuePane)
        assert app.screen.check_action("show_queue_pane", ()) is False
        assert app.screen.check_action("show_approvals_pane", ()) is False
        await pilot.press("1")  # the queue's key does nothing for a liaison
        await settle(pilot)
        assert not app.screen.query(QueuePane)
        # only signing is offered on an unsigned dispatch; no department picker for a liaison
        assert pane.check_action("sign_dispatch", ()) is True
        assert pane.check_action("request_return", ()) is True
        assert pane.check_action("give_feedback", ()) is False
        assert pane.check_action("request_suspension", ()) is False
        assert pane.check_action("focus_desk_department", ()) is False
        assert "城管执法中队" in str(app.screen.query_one("#desk-heading").render())
    liaison2 = services_for(db, "liaison2", clock)
    assert [row.case_code for row in liaison2.desk.work_list().rows] == [food]


async def test_a_liaison_signs_then_asks_to_return_with_reason_and_duty_basis(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    recorder = Recorder()
    app = console(db, "liaison", clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not form(app).query(".on-behalf-line")  # the liaison acts for themselves
        fill(app, sign_note="已安排队员前往")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"事件 {noise}：已签收" in recorder.texts
        assert shown(app, "status") == ["处置中"]
        assert shown(app, "sign") == ["11-29 09:30"]
        pane = app.screen.query_one(DepartmentPane)
        assert pane.check_action("sign_dispatch", ()) is False
        assert pane.check_action("give_feedback", ()) is True

        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+s")  # both fields are required
        await settle(pilot)
        assert form(app).shown_problems == {"reason": "必填", "basis": "必填"}
        fill(app, return_reason="占道经营不属城管噪音职责", return_basis="三定方案第三条")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown(app, "status") == ["退单审批中"]
        assert pane.check_action("request_return", ()) is False
    detail = dispatcher.queue.detail(noise)
    sign_event = next(event for event in detail.events if event.action is Action.sign)
    assert (sign_event.reason, sign_event.on_behalf) == ("已安排队员前往", False)
    (request,) = services_for(db, "lead", clock).approvals.pending()
    assert (request.kind, request.reason, request.basis, request.on_behalf) == (
        RequestKind.return_,
        "占道经营不属城管噪音职责",
        "三定方案第三条",
        False,
    )


async def test_an_extension_refused_by_the_service_says_why_at_the_field_then_a_good_one_goes(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    liaison = services_for(db, "liaison", clock)
    liaison.desk.sign(noise, liaison.queue.detail(noise).version)
    app = console(db, "liaison", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = form(app)
        current = str(modal.query_one("#extension-current").render())
        assert "2026-12-02 17:30" in current
        # not a date: the form says so without asking the service
        fill(app, extension_date="2026-02-30", extension_time="25:00", extension_reason="需协调")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert modal.shown_problems == {
            "new_due": "“2026-02-30”不是日期（YYYY-MM-DD）；“25:00”不是时间（HH:MM）"
        }
        assert modal.refusals == []
        # a Saturday: the service refuses, the reason stands at the field, the text stays
        fill(app, extension_date="2026-12-05", extension_time="10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert modal.shown_problems["new_due"].endswith(
            "新的期限 2026-12-05 10:00:00 不在工作时间内"
        )
        assert app.screen.query_one("#extension-reason", Input).value == "需协调"
        # earlier than the running deadline: refused too
        fill(app, extension_date="2026-12-01", extension_time="10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "须晚于当前时限 2026-12-02 17:30:00" in modal.shown_problems["new_due"]
        # Friday at the end of the day is fine
        fill(app, extension_date="2026-12-04", extension_time="17:30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown(app, "status") == ["延期审批中"]
        assert shown(app, "deadline") == ["12-02 17:30"]  # unchanged until approved
    (request,) = services_for(db, "lead", clock).approvals.pending()
    assert request.kind is RequestKind.extension
    assert request.new_due_at == datetime(2026, 12, 4, 17, 30, tzinfo=NANJING).astimezone(UTC)


async def test_a_liaison_asks_to_suspend_and_gives_feedback(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    liaison = services_for(db, "liaison", clock)
    liaison.desk.sign(noise, liaison.queue.detail(noise).version)
    recorder = Recorder()
    app = console(db, "liaison", clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        fill(app, suspension_resume="2026-11-01", suspension_reason="施工方停工待查")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the service's rule, at the field
        assert form(app).shown_problems == {"resume_planned": "计划恢复日期 2026-11-01 早于今天"}
        fill(app, suspension_resume="2026-12-07")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown(app, "status") == ["挂起审批中"]

        await pilot.press("b")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form(app).shown_problems == {"text": "必填"}
        fill(app, feedback_text="已责令工地夜间停工，居民确认已无噪音")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"事件 {noise}：已反馈" in recorder.texts
        assert recorder.errors == []
    detail = dispatcher.queue.detail(noise)
    assert detail.state is CaseState.feedback_given
    assert [event.action for event in detail.events][-3:] == [
        Action.sign,
        Action.request_suspension,
        Action.feedback,
    ]
    # feedback lapses the request still waiting
    assert services_for(db, "lead", clock).approvals.pending() == ()


async def test_a_dispatcher_records_a_sign_on_the_departments_behalf(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, food = two_cases(dispatcher)
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query(QueuePane)  # the centre opens on the queue
        await pilot.press("4")
        await settle(pilot)
        picker = app.screen.query_one("#desk-department", Select)
        assert picker.value == "CG"  # the first department
        assert shown(app) == [noise]
        picker.value = "SC"
        await settle(pilot)
        assert shown(app) == [food]
        picker.value = "CG"
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        line = form(app).query_one(".on-behalf-line")
        assert str(line.render()) == "代部门登记 — 电话记录"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown(app, "status") == ["处置中"]
    sign_event = next(
        event for event in dispatcher.queue.detail(noise).events if event.action is Action.sign
    )
    assert sign_event.on_behalf is True
    assert sign_event.operator_name == "王调度"


async def test_a_case_changed_meanwhile_names_who_and_keeps_what_was_typed(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    app = console(db, "liaison", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        fill(app, return_reason="不属本队职责", return_basis="职责清单第12项")
        # meanwhile the centre records the sign for the department after a phone call
        dispatcher.desk.sign(noise, dispatcher.queue.detail(noise).version)
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = form(app)
        message = modal.shown_problems["form"]
        assert "王调度" in message
        assert "再按 Ctrl+S 将按最新版本提交" in message
        assert app.screen.query_one("#return-basis", Input).value == "职责清单第12项"
        # told, the liaison sends it again against the new version
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown(app, "status") == ["退单审批中"]


async def test_urging_from_the_overdue_pane_records_the_channel(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=NANJING).astimezone(UTC))  # in warning
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#overdue-channel", Select).value = ContactChannel.platform.value
        fill(app, overdue_note="请尽快签收")
        await pilot.press("ctrl+s")
        await settle(pilot)
    urge = next(
        event for event in dispatcher.queue.detail(noise).events if event.action is Action.urge
    )
    assert urge.detail["channel"] == "platform"
    assert urge.reason == "请尽快签收"


async def test_the_work_list_pages_oldest_first_and_follows_other_consoles(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    codes = [dispatched(dispatcher, f"噪音扰民 {n}", "11-noise", "CG") for n in range(11)]
    settings = Settings(queue=QueueSettings(page_size=10))
    app = GridConsoleApp(services_for(db, "liaison", clock, settings), settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert shown(app) == codes[:10]
        status = app.screen.query_one("#desk-status")
        assert str(status.render()) == "第 1 页 · 10 / 11"
        await pilot.press("f8")
        await settle(pilot)
        assert shown(app) == codes[10:]
        assert str(status.render()) == "第 2 页 · 1 / 11"
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("down", "down")
        assert work_table(app).selected_code == codes[2]
        # another console signs the third case for the department: the poll reloads the list,
        # the cursor stays on its case
        dispatcher.desk.sign(codes[2], dispatcher.queue.detail(codes[2]).version)
        app.screen.poll_changes()  # type: ignore[attr-defined]
        await settle(pilot)
        assert work_table(app).selected_code == codes[2]
        assert shown(app, "status")[2] == "处置中"


async def test_the_centre_urges_and_supervises_from_a_departments_work_list(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    """Issue 4: 催办 and 督办 from any pane that shows a dispatch — here the centre's view of a
    department's work list; a liaison is never offered either."""
    noise, _ = two_cases(dispatcher)
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        pane = app.screen.query_one(DepartmentPane)
        assert pane.check_action("urge_desk_case", ()) is True
        assert pane.check_action("supervise_desk_case", ()) is False  # the shift lead's
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#overdue-channel", Select).value = ContactChannel.phone.value
        fill(app, overdue_note="请今天签收")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    lead_app = console(db, "lead", clock)
    async with lead_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        fill(lead_app, overdue_note="限今日内处置")
        await pilot.press("ctrl+s")
        await settle(pilot)
    events = dispatcher.queue.detail(noise).events
    urge = next(event for event in events if event.action is Action.urge)
    supervise = next(event for event in events if event.action is Action.supervise)
    assert (urge.detail["channel"], urge.reason, urge.operator_name) == (
        "phone",
        "请今天签收",
        "王调度",
    )
    assert (supervise.reason, supervise.operator_name) == ("限今日内处置", "李值班")
    assert urge.detail["department_id"] == supervise.detail["department_id"]
    liaison_app = console(db, "liaison", clock)
    async with liaison_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = liaison_app.screen.query_one(DepartmentPane)
        assert pane.check_action("urge_desk_case", ()) is False
        assert pane.check_action("supervise_desk_case", ()) is False


async def test_an_urge_on_a_work_list_refused_as_stale_keeps_the_note(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    noise, _ = two_cases(dispatcher)
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        fill(app, overdue_note="请今天签收")
        # the shift lead supervises the case in another console meanwhile
        lead.cases.supervise(noise, lead.queue.detail(noise).version, note="限今日内处置")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = form(app)
        assert "李值班" in modal.shown_problems["form"]
        assert app.screen.query_one("#overdue-note", Input).value == "请今天签收"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    urge = next(e for e in dispatcher.queue.detail(noise).events if e.action is Action.urge)
    assert (urge.operator_name, urge.reason) == ("王调度", "请今天签收")
