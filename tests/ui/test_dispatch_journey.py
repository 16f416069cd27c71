"""Issue 4's "done when": one case from report to follow-up entirely by keyboard, through a
return and a redispatch, an extension, a failed verification and a reopen — each step taken in
the console of the person whose step it is (dispatcher, department liaisons, shift lead), all on
one database, and every step on the timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import QueueSettings, Settings
from gridconsole.domain.enums import Action, CaseState
from gridconsole.store.engine import Database
from gridconsole.views.main_screen import MainScreen
from tests.factories import services_for
from tests.ui.console import Recorder, settle

SIZE = (120, 40)
NANJING = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=NANJING).astimezone(UTC)


def console(db: Database, username: str, clock: FrozenClock) -> GridConsoleApp:
    settings = Settings(queue=QueueSettings(refresh_seconds=60))
    return GridConsoleApp(services_for(db, username, clock, settings), settings)


def fill(app: GridConsoleApp, **values: str) -> None:
    """Set fields by id (``new_reporter_name`` is ``#new-reporter_name``: the new-case form keeps
    its field names; every other form's ids are hyphenated)."""
    for name, value in values.items():
        widget_id = (
            f"new-{name.removeprefix('new_')}"
            if name.startswith("new_")
            else name.replace("_", "-")
        )
        widget = app.screen.query_one(f"#{widget_id}")
        assert isinstance(widget, Input | Select), widget
        widget.value = value


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def save(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
    await press(pilot, "ctrl+s")
    assert isinstance(app.screen, MainScreen), (app.screen, recorder.texts)
    assert not recorder.errors, recorder.errors


async def test_report_to_follow_up_by_keyboard_through_every_detour(
    db: Database, clock: FrozenClock
) -> None:
    clock.set(MONDAY_9)
    # 市场监管所 takes noise cases too, so a returned noise case has somewhere else to go
    admin = services_for(db, "admin", clock)
    admin.departments.set_categories("SC", ["03-food", "11-noise"])
    dispatcher = services_for(db, "disp", clock)

    async def as_(username: str, *steps: object) -> None:
        recorder = Recorder()
        app = console(db, username, clock)
        async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
            await settle(pilot)
            for step in steps:
                await step(pilot, app, recorder)  # type: ignore[operator]
        clock.advance(timedelta(minutes=5))

    # -- the dispatcher: report, accept, dispatch to 城管执法中队 ---------------------------------
    async def report(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "n")
        fill(
            app,
            new_title="夜间施工噪音扰民",
            new_description="中山东路18号工地每晚十一点后仍在施工。",
            new_category="11-noise",
            new_grid="320102002001001",
            new_address="中山东路18号",
            new_reporter_name="张三",
            new_reporter_phone="13812341234",
        )
        await save(pilot, app, recorder)

    async def accept_and_dispatch(
        pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder
    ) -> None:
        await press(pilot, "a")
        await save(pilot, app, recorder)
        await press(pilot, "f4", "d")
        assert app.screen.query_one("#dispatch-lead", Select).value == "CG"
        fill(app, dispatch_instruction="请今晚到场核实")
        await save(pilot, app, recorder)

    await as_("disp", report, accept_and_dispatch)
    (code,) = [row.case_code for row in dispatcher.desk.work_list().rows]
    assert dispatcher.queue.detail(code).state is CaseState.dispatched

    # -- 城管执法中队's liaison: not ours ---------------------------------------------------------
    async def ask_return(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "r")
        fill(app, return_reason="系商户营业噪音，属市场监管", return_basis="城管执法职责清单第3条")
        await save(pilot, app, recorder)

    await as_("liaison", ask_return)

    # -- the shift lead accepts the return ------------------------------------------------------
    async def approve(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "f9", "y")
        fill(app, decision_reason="同意")
        await save(pilot, app, recorder)

    await as_("lead", approve)
    assert dispatcher.queue.detail(code).state is CaseState.returned

    # -- the dispatcher redispatches to 市场监管所 ----------------------------------------------
    async def redispatch(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "f4", "d")
        fill(app, dispatch_lead="SC")
        await save(pilot, app, recorder)

    await as_("disp", redispatch)

    # -- 市场监管所's liaison: sign, then ask for more time ---------------------------------------
    async def sign_and_extend(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "s")
        await save(pilot, app, recorder)
        await press(pilot, "e")
        fill(
            app,
            extension_date="2026-12-04",
            extension_time="17:30",
            extension_reason="需联系商户负责人",
        )
        await save(pilot, app, recorder)

    await as_("liaison2", sign_and_extend)
    await as_("lead", approve)
    assert dispatcher.queue.detail(code).original_due_at is not None

    async def feed_back(pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder) -> None:
        await press(pilot, "b")
        fill(app, feedback_text="已责令商户夜间停止使用音响")
        await save(pilot, app, recorder)

    await as_("liaison2", feed_back)

    # -- the dispatcher records the grid worker's check: still noisy → back for dispatch -------
    async def fail_and_dispatch_again(
        pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder
    ) -> None:
        await press(pilot, "f4", "l", "x")
        fill(app, verify_note="夜间复查仍有噪音", verify_checked_by="网格员陈明")
        await save(pilot, app, recorder)
        await press(pilot, "l", "l")  # round to 待派遣: the case is back as 返工
        await press(pilot, "d")
        fill(app, dispatch_lead="SC")
        await save(pilot, app, recorder)

    await as_("disp", fail_and_dispatch_again)

    async def sign_and_feed_back(
        pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder
    ) -> None:
        await press(pilot, "s")
        await save(pilot, app, recorder)
        await feed_back(pilot, app, recorder)

    await as_("liaison2", sign_and_feed_back)

    # -- the dispatcher: the check passes; follow-up 不满意 → reopen -------------------------------
    async def pass_follow_up_reopen(
        pilot: Pilot[None], app: GridConsoleApp, recorder: Recorder
    ) -> None:
        await press(pilot, "f4", "l", "p")
        fill(app, verify_note="复查安静")
        await save(pilot, app, recorder)
        await press(pilot, "l", "h")
        fill(app, follow_up_satisfaction="unsatisfied", follow_up_note="嫌处理太慢")
        await settle(pilot)
        app.screen.query_one("#follow-up-reopen", Checkbox).value = True
        await settle(pilot)
        fill(app, follow_up_reopen_reason="反映人要求重新处理")
        await save(pilot, app, recorder)

    await as_("disp", pass_follow_up_reopen)

    detail = dispatcher.queue.detail(code)
    assert detail.state is CaseState.reopened
    assert [event.action for event in detail.events] == [
        Action.report,
        Action.accept,
        Action.dispatch,
        Action.request_return,
        Action.return_,
        Action.redispatch,
        Action.sign,
        Action.request_extension,
        Action.approve_extension,
        Action.feedback,
        Action.verify_fail,
        Action.dispatch,
        Action.sign,
        Action.feedback,
        Action.verify_pass,
        Action.follow_up,
        Action.reopen,
    ]
    operators = {event.operator_name for event in detail.events}
    assert operators == {"王调度", "赵联络", "李值班", "周联络"}
    assert not any(event.on_behalf for event in detail.events)  # each did their own step
    assert [dispatch.department_code for dispatch in detail.dispatches] == ["CG", "SC", "SC"]
