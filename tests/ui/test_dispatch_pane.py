"""The dispatch pane: 待派遣 with routing suggestions and k9s-style marks, the dispatch form
(one case, several, 改派, the shift lead's override), 待核查 and 待回访, and who gets the pane.

The scene (tests/dispatch_cases.py) at Sunday 2026-11-29 09:30: waiting for dispatch, most
urgent then oldest first, the urgent water leak, a case 城管执法中队 returned (退回), one that
failed verification (返工), then the accepted noise, consult and food cases; two cases fed back
(待核查) and one closed (待回访). 城管执法中队 fed back six of its last seven noise cases in
大行宫社区 on time (86 %).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import QueueSettings, Settings
from gridconsole.domain.enums import Action, CaseState
from gridconsole.i18n import t
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.dispatch_lists import DispatchList
from gridconsole.views.dispatch_modal import DispatchModal
from gridconsole.views.dispatch_pane import DispatchPane
from gridconsole.views.dispatch_table import DispatchTable
from gridconsole.views.dispatch_urge_modal import DispatchUrgeModal
from gridconsole.views.follow_up_modal import FollowUpModal
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.verify_modal import VerifyModal
from tests.dispatch_cases import (
    DispatchScene,
    accept,
    report,
)
from tests.factories import services_for
from tests.ui.console import Recorder, settle

SIZE = (120, 40)


@pytest.fixture
def db(dispatch_scene_url: tuple[str, DispatchScene]) -> Iterator[Database]:
    """The scene's database, a fresh copy for each test."""
    database = Database.connect(dispatch_scene_url[0])
    yield database
    database.dispose()


@pytest.fixture
def scene(dispatch_scene_url: tuple[str, DispatchScene], db: Database) -> DispatchScene:
    return dispatch_scene_url[1]


def console(
    db: Database, clock: FrozenClock, username: str = "disp", settings: Settings | None = None
) -> GridConsoleApp:
    # the poll stays out of the way unless a test calls it (no reload between two key presses)
    settings = settings or Settings(queue=QueueSettings(refresh_seconds=60))
    return GridConsoleApp(services_for(db, username, clock, settings), settings)


def pane(app: GridConsoleApp) -> DispatchPane:
    return app.screen.query_one(DispatchPane)


def table(app: GridConsoleApp) -> DispatchTable:
    return app.screen.query_one(DispatchTable)


def shown(app: GridConsoleApp, column: str = "code") -> list[str]:
    dispatch_table = table(app)
    keys = [c.key.value for c in dispatch_table.ordered_columns]
    index = keys.index(column)
    return [
        dispatch_table.get_cell_at((row, index)).plain for row in range(dispatch_table.row_count)
    ]


async def open_pane(pilot: Pilot[None], key: str = "f4") -> None:
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def move_to(pilot: Pilot[None], app: GridConsoleApp, code: str) -> None:
    """Move the cursor to ``code`` with the arrow keys."""
    codes = shown(app)
    assert code in codes, f"{code} is not listed"
    while table(app).selected_code != code:
        here = codes.index(table(app).selected_code or codes[0])
        await pilot.press("down" if codes.index(code) > here else "up")
    await settle(pilot)


async def save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def state_of(services: Services, code: str) -> CaseState:
    return services.queue.detail(code).state


# -- 待派遣 ----------------------------------------------------------------------------------------


async def test_lists_cases_waiting_for_dispatch_with_suggestions(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert shown(app) == [
            scene.water,
            scene.returned,
            scene.reopened,
            scene.noise,
            scene.consult,
            scene.food,
        ]
        assert shown(app, "state") == ["待派", "退回", "返工", "待派", "待派", "待派"]
        routes = shown(app, "route")
        assert routes[0] == "供水公司"
        assert routes[3] == "城管执法中队 · 历史 城管执法中队 86%"
        assert routes[4] == "无配置部门"
        assert routes[5] == "市场监管所 · 历史 市场监管所 100%"
        assert shown(app, "deadline")[0] == "11-29 09:45"
        tabs = str(pane(app).query_one("#dispatch-tabs").render())
        assert "待派遣 6" in tabs
        assert "待核查 2" in tabs
        assert "待回访 1" in tabs
        await move_to(pilot, app, scene.noise)
        route_line = str(pane(app).query_one("#dispatch-route").render())
        assert "城管执法中队（类别规则）" in route_line
        assert "办结 7 件 按时率 86%" in route_line
        assert app.focused is table(app)


async def test_marks_toggle_mark_the_page_and_clear(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await pilot.press("space", "down", "space", "down", "space")
        await settle(pilot)
        assert table(app).marked == {scene.water, scene.returned, scene.reopened}
        assert shown(app, "mark")[:4] == ["●", "●", "●", ""]
        assert "已标记 3" in str(pane(app).query_one("#dispatch-status").render())
        await pilot.press("up", "space")  # unmark
        assert table(app).marked == {scene.water, scene.reopened}
        await pilot.press("a")
        assert len(table(app).marked) == 6
        await pilot.press("c")
        await settle(pilot)
        assert table(app).marked == set()
        assert "已标记 0" in str(pane(app).query_one("#dispatch-status").render())


async def test_dispatches_one_case_through_the_form(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.noise)
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchModal)
        assert modal.query_one("#dispatch-lead", Select).value == "CG"  # the configured route
        preview = str(modal.query_one("#dispatch-preview").render())
        assert "签收 11-30 09:30" in preview
        assert "办结 12-02 17:30" in preview
        modal.query_one("#dispatch-assists", SelectionList).select("SC")
        modal.query_one("#dispatch-instruction", Input).value = "请今晚22点后现场检查"
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert scene.noise not in shown(app)
        assert "已派遣 1 件至 城管执法中队" in recorder.texts
    detail = dispatcher.queue.detail(scene.noise)
    assert detail.state is CaseState.dispatched
    event = detail.events[-1]
    assert event.action is Action.dispatch
    assert event.reason == "请今晚22点后现场检查"
    assert event.detail["lead"] == "CG"
    assert event.detail["assists"] == ["SC"]


async def test_marked_cases_are_dispatched_together_and_the_refused_stay_marked(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await open_pane(pilot)
        # the food case: 城管执法中队 does not handle 食品安全
        for code in (scene.food, scene.noise, scene.reopened):
            await move_to(pilot, app, code)
            await pilot.press("space")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchModal)
        assert modal.lead == "CG"  # the cursor case's configured department
        assert "共 3 件" in str(modal.query_one("#dispatch-preview").render())
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert scene.noise not in shown(app)
        assert scene.reopened not in shown(app)
        assert scene.food in shown(app)
        assert table(app).marked == {scene.food}
        reason = pane(app).problems[scene.food]
        assert "城管执法中队不承办此类事件" in reason
        assert scene.food in reason
        assert reason in recorder.errors
        assert "已派遣 2 件至 城管执法中队" in recorder.texts
        assert str(pane(app).query_one("#dispatch-problems").render()) == reason
        assert pane(app).query_one("#dispatch-problems").display
        await pilot.press("c")
        assert not pane(app).query_one("#dispatch-problems").display
    assert state_of(dispatcher, scene.noise) is CaseState.dispatched
    assert state_of(dispatcher, scene.reopened) is CaseState.dispatched
    assert state_of(dispatcher, scene.food) is CaseState.registered


async def test_a_case_someone_else_changed_is_refused_naming_who_and_stays(
    db: Database, clock: FrozenClock, dispatcher: Services, lead: Services, scene: DispatchScene
) -> None:
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.consult)
        await pilot.press("space")
        await move_to(pilot, app, scene.noise)
        await pilot.press("space")
        # the shift lead dispatches the noise case from another console meanwhile
        version = lead.queue.detail(scene.noise).version
        lead.dispatch.dispatch(scene.noise, version, lead="CG")
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchModal)
        # 政策咨询 has no department: only the shift lead could override; pick 供水公司
        modal.query_one("#dispatch-lead", Select).value = "GS"
        await settle(pilot)
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        stale = pane(app).problems[scene.noise]
        assert "李值班" in stale
        assert scene.noise in stale
        assert "供水公司不承办此类事件" in pane(app).problems[scene.consult]
        assert len(recorder.errors) == 2
        # the noise case left the list (it was dispatched); the consult case stays marked
        assert scene.noise not in shown(app)
        assert table(app).marked == {scene.consult}
    assert state_of(dispatcher, scene.consult) is CaseState.registered


async def test_form_keeps_field_problems_and_a_refused_department_open(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.returned)
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchModal)
        assert str(modal.query_one(".modal-title").render()).startswith("改派")
        assert modal.lead is None  # not the department that returned it
        modal.query_one("#dispatch-lead", Select).clear()
        await settle(pilot)
        await save(pilot)
        assert modal.shown_problems == {"lead": "必填"}
        # back to the department that returned it: the service refuses; the form stays
        modal.query_one("#dispatch-lead", Select).value = "CG"
        modal.query_one("#dispatch-instruction", Input).value = "再派一次"
        await settle(pilot)
        await save(pilot)
        assert app.screen is modal
        assert "退单部门（城管执法中队）以外" in modal.shown_problems["lead"]
        assert modal.query_one("#dispatch-instruction", Input).value == "再派一次"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert scene.returned in shown(app)
    assert state_of(dispatcher, scene.returned) is CaseState.returned


async def test_the_shift_lead_overrides_the_routing_with_a_reason(
    db: Database, clock: FrozenClock, lead: Services, scene: DispatchScene
) -> None:
    app = console(db, clock, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.consult)
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchModal)
        assert modal.lead is None  # 政策咨询 has no configured department
        modal.query_one("#dispatch-lead", Select).value = "SC"
        await settle(pilot)
        await save(pilot)
        assert app.screen is modal
        assert "市场监管所不承办此类事件" in modal.shown_problems["override"]
        modal.query_one(
            "#dispatch-override", Input
        ).value = "涉及食品经营许可咨询，由市场监管所答复"
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
    detail = lead.queue.detail(scene.consult)
    assert detail.state is CaseState.dispatched
    assert detail.events[-1].detail["override"] == "涉及食品经营许可咨询，由市场监管所答复"


async def test_a_dispatcher_has_no_override_field(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DispatchModal)
        assert not app.screen.query("#dispatch-override")


async def test_reloads_when_the_token_moves_keeping_cursor_and_marks(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.noise)
        await pilot.press("space")
        await move_to(pilot, app, scene.food)
        await pilot.press("space")
        # another console accepts an urgent case: it comes after the older urgent one
        urgent = report(dispatcher, "燃气泄漏", priority="urgent", category="11-water")
        accept(dispatcher, urgent)
        app.screen.poll_changes()  # type: ignore[attr-defined]
        await settle(pilot)
        assert shown(app)[:2] == [scene.water, urgent]
        assert table(app).selected_code == scene.food
        assert table(app).marked == {scene.noise, scene.food}
        assert shown(app, "mark")[shown(app).index(scene.noise)] == "●"


async def test_pages_with_f7_f8_and_marks_stay_with_their_page(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    for number in range(5):
        accept(dispatcher, report(dispatcher, f"占道经营 {number}"))
    settings = Settings(queue=QueueSettings(page_size=10, refresh_seconds=60))
    app = console(db, clock, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert len(shown(app)) == 10
        await pilot.press("space", "f8")
        await settle(pilot)
        assert len(shown(app)) == 1
        assert "第 2 页 · 1 / 11" in str(pane(app).query_one("#dispatch-status").render())
        assert table(app).marked == set()
        await pilot.press("f7")
        await settle(pilot)
        assert shown(app)[0] == scene.water


async def test_enter_opens_the_case_and_escape_returns_to_the_row(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await move_to(pilot, app, scene.reopened)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.detail.code == scene.reopened
        await pilot.press("escape")
        await settle(pilot)
        assert table(app).selected_code == scene.reopened
        assert app.focused is table(app)


async def test_urge_records_the_channel(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert pane(app).check_action("urge_dispatch_case", ()) is None  # an accepted case
        await move_to(pilot, app, scene.reopened)
        assert pane(app).check_action("urge_dispatch_case", ()) is True
        await pilot.press("u")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DispatchUrgeModal)
        modal.query_one("#urge-channel", Select).value = "platform"
        modal.query_one("#urge-note", Input).value = "请尽快重新处理"
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
    event = dispatcher.queue.detail(scene.reopened).events[-1]
    assert event.action is Action.urge
    assert event.detail["channel"] == "platform"
    assert event.reason == "请尽快重新处理"


# -- 待核查 and 待回访 -------------------------------------------------------------------------------


async def test_verification_passes_and_fails(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert pane(app).check_action("verify_pass", ()) is False  # another list's key
        await pilot.press("l")
        await settle(pilot)
        assert pane(app).kind is DispatchList.verify
        assert shown(app) == [scene.verify_noise, scene.verify_food]
        assert pane(app).check_action("dispatch_cases", ()) is False
        await pilot.press("p")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, VerifyModal)
        await save(pilot)
        assert modal.shown_problems == {"note": "必填"}  # the note is required
        modal.query_one("#verify-note", Input).value = "现场已无噪音"
        modal.query_one("#verify-checked-by", Input).value = "陈网格"
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown(app) == [scene.verify_food]
        await pilot.press("x")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, VerifyModal)
        modal.query_one("#verify-note", Input).value = "货架上仍有过期牛奶"
        await save(pilot)
        assert shown(app) == []
        assert "没有待核查的事件" in str(pane(app).query_one("#dispatch-status").render())
        await pilot.press("l", "l")  # round to 待派遣: the failed case is back as 返工
        await settle(pilot)
        assert pane(app).kind is DispatchList.waiting
        assert scene.verify_food in shown(app)
        index = shown(app).index(scene.verify_food)
        assert shown(app, "state")[index] == "返工"
    closed = dispatcher.queue.detail(scene.verify_noise)
    assert closed.state is CaseState.closed
    assert closed.events[-1].action is Action.verify_pass
    assert state_of(dispatcher, scene.verify_food) is CaseState.reopened


async def test_an_unsatisfied_follow_up_reopens_the_case(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await open_pane(pilot)
        await pilot.press("l", "l")
        await settle(pilot)
        assert shown(app) == [scene.follow_up]
        await pilot.press("h")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, FollowUpModal)
        assert not modal.query_one("#follow-up-reopen-row").display
        modal.query_one("#follow-up-satisfaction", Select).value = "unsatisfied"
        await settle(pilot)
        assert modal.query_one("#follow-up-reopen-row").display
        assert not modal.query_one("#follow-up-reason-row").display
        modal.query_one("#follow-up-reopen", Checkbox).value = True
        await settle(pilot)
        assert modal.query_one("#follow-up-reason-row").display
        await save(pilot)
        assert modal.shown_problems == {"reason": "必填"}
        modal.query_one("#follow-up-note", Input).value = "夜间仍有电钻声"
        modal.query_one("#follow-up-reopen-reason", Input).value = "居民反映问题未解决"
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown(app) == []
        assert any("已重新办理" in text for text in recorder.texts)
        await pilot.press("l")
        await settle(pilot)
        index = shown(app).index(scene.follow_up)
        assert shown(app, "state")[index] == "返工"
    detail = dispatcher.queue.detail(scene.follow_up)
    assert detail.state is CaseState.reopened
    assert [event.action for event in detail.events[-2:]] == [Action.follow_up, Action.reopen]


async def test_a_satisfied_follow_up_needs_no_reason(
    db: Database, clock: FrozenClock, dispatcher: Services, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await pilot.press("l", "l", "h")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, FollowUpModal)
        await save(pilot)
        assert modal.shown_problems == {"satisfaction": "必填"}
        modal.query_one("#follow-up-satisfaction", Select).value = "satisfied"
        await settle(pilot)
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
    assert state_of(dispatcher, scene.follow_up) is CaseState.followed_up


# -- who gets the pane -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["liaison", "audit", "admin"])
async def test_only_the_centre_gets_the_pane(
    db: Database, clock: FrozenClock, scene: DispatchScene, username: str
) -> None:
    recorder = Recorder()
    app = console(db, clock, username)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await open_pane(pilot, "f4")
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.check_action("show_dispatch_pane", ()) is False
        assert not screen.query(DispatchPane)
        await screen.action_show_dispatch_pane()  # however it is reached, it refuses
        await settle(pilot)
        assert not screen.query(DispatchPane)
        assert any("不使用派遣面板" in text for text in recorder.texts)


async def test_the_shift_lead_gets_the_pane(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, "3")
        assert len(shown(app)) == 6


async def test_an_urgent_case_shows_in_its_code_at_80_columns(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot)
        keys = [column.key.value for column in table(app).ordered_columns]
        assert keys == ["mark", "code", "state", "title", "deadline", "route"]
        code_cell = table(app).get_cell(scene.water, "code")
        assert code_cell.get_style_at_offset(app.console, 0).bold
        assert table(app).get_cell(scene.water, "route").plain == "供水公司"


async def test_deadlines_passing_are_restyled_from_memory(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert table(app).overdue == set()
        clock.advance(timedelta(minutes=20))  # the urgent case's dispatch deadline passes
        table(app).refresh_deadlines(clock.now())
        assert table(app).overdue == {scene.water}
        deadline = table(app).get_cell(scene.water, "deadline")
        overdue_style = table(app).get_component_rich_style("dispatch-table--overdue", partial=True)
        assert deadline.get_style_at_offset(app.console, 0).color == overdue_style.color


async def palette_prompts(pilot: Pilot[None], app: GridConsoleApp) -> list[str]:
    await pilot.press("ctrl+p")
    await settle(pilot)
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    prompts = [str(option.prompt) for option in palette.query_one(OptionList).options]
    await pilot.press("escape")
    await settle(pilot)
    return prompts


async def test_the_palette_offers_what_the_list_allows(
    db: Database, clock: FrozenClock, scene: DispatchScene
) -> None:
    app = console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot, app)
        assert any(t("dispatch.palette_show_pane") in prompt for prompt in prompts)
        await open_pane(pilot)
        prompts = await palette_prompts(pilot, app)
        assert any(t("dispatch.palette_dispatch") in prompt for prompt in prompts)
        assert not any(t("dispatch.palette_verify_pass") in prompt for prompt in prompts)
        await pilot.press("l")
        await settle(pilot)
        prompts = await palette_prompts(pilot, app)
        assert any(t("dispatch.palette_verify_pass") in prompt for prompt in prompts)
        assert not any(t("dispatch.palette_dispatch") in prompt for prompt in prompts)
    liaison_app = console(db, clock, "liaison")
    async with liaison_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot, liaison_app)
        assert not any(t("dispatch.palette_show_pane") in prompt for prompt in prompts)
