"""The escalation board (F7 / 6): cards in their stage columns with live countdowns, the keys
that move between them, confirm (shift lead), report, raise the level, de-escalate and
acknowledge; raising from the queue; the 80×24 list; a missed window in red; and a shift lead's
mass incident run from raising to 终报 by keyboard alone.

The clock stands at T0 (Sunday 2026-11-29 09:30 in Nanjing). 重大 windows: a phone 初报 within
15 minutes, written within 30, 续报 every 2 hours; the warning 5 minutes before a window closes.
"""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import Input, Select

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    Action,
    CaseState,
    EscalationKind,
    EscalationStage,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.escalate_modal import EscalateModal
from gridconsole.views.escalation_board import CardView, EscalationList
from gridconsole.views.escalation_form_modal import EscalationFormModal
from gridconsole.views.escalation_pane import EscalationPane
from gridconsole.views.escalation_wall import EscalationWall
from gridconsole.views.main_screen import MainScreen
from tests.factories import T0, new_case_fields, services_for
from tests.ui.console import Recorder, settle

S = EscalationStage


def console(db: Database, clock: FrozenClock, username: str = "lead") -> GridConsoleApp:
    settings = Settings.model_validate({"escalation": {"bell": False}})
    return GridConsoleApp(services_for(db, username, clock, settings), settings)


def raised(
    services: Services,
    title: str,
    *,
    severity: Severity = Severity.major,
    kind: EscalationKind = EscalationKind.mass_incident,
    reason: str = "二十余名工人在工地门口聚集讨薪",
) -> tuple[str, int]:
    """A new case put on the board; its code and escalation id."""
    case = services.cases.report(new_case_fields(title=title))
    card = services.escalations.raise_(case.code, kind=kind, severity=severity, reason=reason)
    return case.code, card.id


def pane(app: GridConsoleApp) -> EscalationPane:
    return app.screen.query_one(EscalationPane)


def column_ids(app: GridConsoleApp, stage: EscalationStage) -> list[int]:
    view = pane(app).board_view.column_view(stage)
    return [card.card.id for card in view.card_views()]


def form(app: GridConsoleApp) -> EscalationFormModal[object]:
    screen = app.screen
    assert isinstance(screen, EscalationFormModal), screen
    return screen


async def show_board(pilot: Pilot[None]) -> EscalationPane:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    return pane(pilot.app)  # type: ignore[arg-type]


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).value = text
    await pilot.pause()


def choose(app: GridConsoleApp, selector: str, value: str) -> None:
    app.screen.query_one(selector, Select).value = value


ALERT_TOASTS = ("新升级", "报告即将逾时", "报告逾时")


def failures(recorder: Recorder) -> list[str]:
    """Error notifications other than the escalation alerts every console shows."""
    return [text for text in recorder.errors if not any(kind in text for kind in ALERT_TOASTS)]


async def save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_cards_stand_in_their_stage_columns_with_totals_and_countdowns(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    pending, pending_id = raised(dispatcher, "工地聚集讨薪")
    _, street_id = raised(dispatcher, "燃气管道泄漏", severity=Severity.larger)
    lead.escalations.confirm(street_id, 1)
    app = console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await show_board(pilot)
        assert column_ids(app, S.pending) == [pending_id]
        assert column_ids(app, S.reported_street) == [street_id]
        assert column_ids(app, S.handling) == []
        title = board.board_view.column_view(S.pending).query_one(".escalation-column-title")
        assert str(title.render()) == "待确认 1"
        card = app.screen.query_one(f"#escalation-card-{pending_id}", CardView)
        body = str(card.query_one(".card-body").render())
        assert pending in body
        assert "重大(Ⅱ) 群体性事件" in body
        assert "待报街道区级部门" in body
        assert "初报(电话) 09:45前" in body
        assert "告警1" in body
        assert str(card.query_one(".card-countdown").render()) == "剩余 0:15:00"
        assert board.selected_card is not None
        assert board.selected_card.id == pending_id
        assert "二十余名工人" in str(app.screen.query_one("#escalation-selected").render())
        # the countdown is drawn from the clock each second, without reading the database
        loaded = board.board
        clock.advance(timedelta(minutes=11))
        board.tick()
        assert board.board is loaded
        assert str(card.query_one(".card-countdown").render()) == "剩余 0:04:00"
        assert card.has_class("-warning")


async def test_keys_move_between_cards_and_columns(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, first = raised(dispatcher, "工地聚集讨薪")
    clock.advance(timedelta(minutes=1))
    _, second = raised(dispatcher, "小区业主聚集", severity=Severity.larger)
    _, third = raised(dispatcher, "燃气管道泄漏", severity=Severity.general)
    lead.escalations.confirm(third, 1)
    app = console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await show_board(pilot)
        assert column_ids(app, S.pending) == [first, second]  # the window closing first
        assert board.selected_id == first
        await pilot.press("down")
        assert board.selected_id == second
        await pilot.press("j")  # the last card of its column: stays
        assert board.selected_id == second
        await pilot.press("right")  # to the next column with cards
        assert board.selected_id == third
        assert board.board_view.column_view(S.reported_street).has_class("-current")
        await pilot.press("h")  # back, at the same height
        assert board.selected_id == first
        await pilot.press("j")
        assert board.selected_id == second
        await pilot.press("k")
        assert board.selected_id == first
        selected = app.screen.query_one(f"#escalation-card-{first}", CardView)
        assert selected.has_class("-selected")


async def test_the_shift_lead_confirms_and_a_dispatcher_is_not_offered_it(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code, escalation_id = raised(dispatcher, "工地聚集讨薪")
    app = console(db, clock, "disp")
    async with app.run_test(size=(120, 40)) as pilot:
        board = await show_board(pilot)
        assert board.check_action("confirm_escalation", ()) is False  # hidden
        assert board.check_action("acknowledge_alerts", ()) is False
        assert board.check_action("raise_level", ()) is False
        assert board.check_action("record_report", ()) is True
        await pilot.press("c")
        await settle(pilot)
        assert column_ids(app, S.pending) == [escalation_id]
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        board = await show_board(pilot)
        assert board.check_action("confirm_escalation", ()) is True
        await pilot.press("c")
        await settle(pilot)
        assert column_ids(app, S.reported_street) == [escalation_id]
        assert column_ids(app, S.pending) == []
        assert board.selected_id == escalation_id  # the selection followed the card
        assert f"事件 {code}：确认升级（已报街道）" in recorder.texts
        assert board.check_action("confirm_escalation", ()) is None  # no longer pending
        assert failures(recorder) == []


async def test_a_report_recorded_in_the_form_moves_the_card(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    code, escalation_id = raised(dispatcher, "工地聚集讨薪")
    lead.escalations.confirm(escalation_id, 1)
    clock.advance(timedelta(minutes=20))
    app = console(db, clock, "disp")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_board(pilot)
        await pilot.press("r")
        await settle(pilot)
        modal = form(app)
        # proposed from what the card owes: the phone 初报 to the first level not yet told
        assert app.screen.query_one("#report-kind", Select).value == "initial"
        assert app.screen.query_one("#report-channel", Select).value == "phone"
        assert app.screen.query_one("#report-level", Select).value == "street_leader"
        await save(pilot)
        assert modal.shown_problems == {"content": "必填"}
        choose(app, "#report-channel", "written")
        choose(app, "#report-level", "district_centre")
        await type_into(pilot, "#report-recipient", "区中心值班室 李某")
        await type_into(pilot, "#report-content", "[bold]书面初报[/bold]：约二十名工人聚集")
        await type_into(pilot, "#report-at", "25:99")
        await save(pilot)
        assert "HH:MM" in modal.shown_problems["reported_at"]
        assert app.screen.query_one("#report-content", Input).value.startswith("[bold]")
        await type_into(pilot, "#report-at", "09:20")  # before the raising (09:30)
        await save(pilot)
        assert set(modal.shown_problems) == {"reported_at"}
        assert app.screen is modal  # nothing lost
        await type_into(pilot, "#report-at", "09:40")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert column_ids(app, S.reported_district) == [escalation_id]
    detail = dispatcher.escalations.detail(escalation_id)
    (report,) = detail.reports
    assert report.content == "[bold]书面初报[/bold]：约二十名工人聚集"
    assert report.channel is ReportChannel.written
    assert report.recipient == "区中心值班室 李某"
    assert report.reported_at == T0 + timedelta(minutes=10)
    assert not report.late  # the quick window closed at 09:45, the written one at 10:00
    assert code == detail.card.case_code


async def test_raise_the_level_and_de_escalate_with_a_reason(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, escalation_id = raised(dispatcher, "工地聚集讨薪", severity=Severity.larger)
    lead.escalations.confirm(escalation_id, 1)
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await show_board(pilot)
        await pilot.press("L")
        await settle(pilot)
        modal = form(app)
        severities = app.screen.query_one("#reason-severity", Select)
        assert [value for _, value in severities._options if isinstance(value, str)] == [
            "major",
            "extraordinary",
        ]
        await save(pilot)
        assert modal.shown_problems == {"reason": "必填"}
        choose(app, "#reason-severity", "major")
        await type_into(pilot, "#escalation-reason", "人数增至五十余人")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert column_ids(app, S.reported_district) == [escalation_id]
        card = lead.escalations.detail(escalation_id).card
        assert card.severity is Severity.major
        await pilot.press("D")
        await settle(pilot)
        await type_into(pilot, "#escalation-reason", "经核实系劳资双方已和解")
        await save(pilot)
        assert column_ids(app, S.reported_district) == []
        assert pane(app).selected_card is None
        assert str(app.screen.query_one("#escalation-selected").render()) == "看板上没有升级事项"
        assert failures(recorder) == []
    assert lead.escalations.detail(escalation_id).card.stage is S.withdrawn


async def test_the_shift_lead_acknowledges_a_cards_alerts(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code, _escalation_id = raised(dispatcher, "工地聚集讨薪")
    recorder = Recorder()
    app = console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        board = await show_board(pilot)
        assert board.check_action("acknowledge_alerts", ()) is True
        await pilot.press("a")
        await settle(pilot)
        assert f"事件 {code}：已确认告警 1 条" in recorder.texts
        assert board.selected_card is not None
        assert board.selected_card.open_alerts == 0
        assert board.check_action("acknowledge_alerts", ()) is None
    assert dispatcher.escalations.open_alerts() == ()


async def test_a_stale_card_is_refused_in_the_form_and_sent_again(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, escalation_id = raised(dispatcher, "工地聚集讨薪")
    lead.escalations.confirm(escalation_id, 1)
    app = console(db, clock, "disp")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_board(pilot)
        await pilot.press("r")
        await settle(pilot)
        modal = form(app)
        await type_into(pilot, "#report-content", "电话初报中心主任")
        # meanwhile another console records a report
        lead.escalations.record_report(
            escalation_id,
            2,
            kind=ReportKind.initial,
            channel=ReportChannel.phone,
            level=ReportLevel.street_leader,
            content="电话报告",
        )
        await save(pilot)
        assert (
            "演示值班长" in modal.shown_problems["form"] or "已被" in modal.shown_problems["form"]
        )
        assert app.screen is modal
        await save(pilot)  # sent again against the version re-read
        assert isinstance(app.screen, MainScreen)
    assert len(lead.escalations.detail(escalation_id).reports) == 2


async def test_E_raises_the_selected_case_from_the_queue(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields(title="工地聚集讨薪"))
    recorder = Recorder()
    app = console(db, clock, "disp")
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EscalateModal)
        assert app.screen.query_one("#escalate-code", Input).value == case.code
        choose(app, "#escalate-kind", "mass_incident")
        choose(app, "#escalate-severity", "major")
        await save(pilot)
        assert modal.shown_problems == {"reason": "必填"}
        await type_into(pilot, "#escalate-reason", "二十余名工人聚集")
        await save(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any(case.code in text and "已升级上报" in text for text in recorder.texts)
        # raised again: refused in the form, at the code, with what was typed kept
        await pilot.press("E")
        await settle(pilot)
        await type_into(pilot, "#escalate-reason", "再次升级")
        await save(pilot)
        modal = app.screen
        assert isinstance(modal, EscalateModal)
        assert "已在升级看板上" in modal.shown_problems["case_code"]
        await pilot.press("escape")
        await settle(pilot)
        assert failures(recorder) == []
    (card,) = dispatcher.escalations.for_case(case.code)
    assert (card.kind, card.severity, card.stage) == (
        EscalationKind.mass_incident,
        Severity.major,
        S.pending,
    )


async def test_the_80x24_board_is_a_list_grouped_by_stage(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, first = raised(dispatcher, "工地聚集讨薪")
    _, second = raised(dispatcher, "燃气管道泄漏", severity=Severity.larger)
    lead.escalations.confirm(second, 1)
    app = console(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await show_board(pilot)
        listing = app.screen.query_one(EscalationList)
        assert listing.display
        assert listing.region.width > 0
        assert board.board_view.region.width == 0  # the columns are not drawn
        keys = [str(key) for key in listing.row_keys]
        assert keys == [
            "stage-pending",
            f"card-{first}",
            "stage-reported_street",
            f"card-{second}",
            "stage-reported_district",
            "stage-handling",
            "stage-final_reported",
        ]
        assert listing.get_row_at(0)[0].plain == "待确认 1"
        assert listing.cursor_row == 1
        await pilot.press("down")  # through the whole list, over the stage headers
        assert board.selected_id == second
        assert listing.cursor_row == 3
        await pilot.press("c")  # not pending: nothing happens
        await pilot.press("up")
        await pilot.press("c")
        await settle(pilot)
        assert [str(key) for key in listing.row_keys][:4] == [
            "stage-pending",
            "stage-reported_street",
            f"card-{first}",
            f"card-{second}",
        ]
        assert board.selected_id == first  # the selection followed the card
        assert listing.cursor_row == 2


async def test_a_missed_window_turns_the_card_red(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    _, escalation_id = raised(dispatcher, "工地聚集讨薪")
    app = console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await show_board(pilot)
        card = app.screen.query_one(f"#escalation-card-{escalation_id}", CardView)
        assert not card.has_class("-overdue")
        clock.advance(timedelta(minutes=16))
        assert dispatcher.watch.fire_due().count >= 1  # the miss is an event
        main = app.screen
        assert isinstance(main, MainScreen)
        main.poll_changes()
        await settle(pilot)
        board.tick()
        card = app.screen.query_one(f"#escalation-card-{escalation_id}", CardView)
        assert card.has_class("-overdue")
        assert card.query_one(".card-countdown").has_class("-overdue")
        assert str(card.query_one(".card-countdown").render()) == "超期 0:01:00 逾时1次"


async def test_wall_mode_shows_stage_counts_and_the_most_pressing_countdowns(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    raised(dispatcher, "工地聚集讨薪")
    _, larger = raised(dispatcher, "燃气管道泄漏", severity=Severity.larger)
    lead.escalations.confirm(larger, 1)
    app = console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await show_board(pilot)
        await pilot.press("w")
        await settle(pilot)
        wall = app.screen.query_one(EscalationWall)
        assert wall.display
        assert wall.region.height > 0
        assert board.board_view.region.height == 0
        counts = {
            stage: wall.query_one(f"#escalation-wall-{stage.value}").value  # type: ignore[attr-defined]
            for stage in (S.pending, S.reported_street, S.handling)
        }
        assert counts == {S.pending: "1", S.reported_street: "1", S.handling: "0"}
        assert wall.countdowns() == ["15:00", "30:00"]
        clock.advance(timedelta(minutes=16))
        board.tick()
        assert wall.countdowns() == ["-1:00", "14:00"]
        assert board.check_action("confirm_escalation", ()) is None  # not on the wall
        await pilot.press("w")
        await settle(pilot)
        assert not wall.display or wall.region.height == 0


async def test_liaisons_are_not_offered_the_board(db: Database, clock: FrozenClock) -> None:
    app = console(db, clock, "liaison")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.check_action("show_escalation_pane", ()) is False
        await pilot.press("6")
        await settle(pilot)
        assert not app.screen.query(EscalationPane)


async def test_a_shift_lead_runs_a_mass_incident_from_raising_to_final_report_by_keyboard(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    """Raised from the queue, confirmed, the phone and written 初报, a 续报, the case closed and
    the 终报 — each key and field typed; every report on the case's timeline."""
    case = dispatcher.cases.report(new_case_fields(title="工地门口工人聚集讨薪"))
    code = case.code
    recorder = Recorder()
    app = console(db, clock)
    lead = services_for(db, "lead", clock)

    async def report(kind: str, channel: str, level: str, content: str) -> None:
        await pilot.press("r")
        await settle(pilot)
        choose(app, "#report-kind", kind)
        choose(app, "#report-channel", channel)
        choose(app, "#report-level", level)
        await pilot.press(*content)  # the content field has the focus
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), getattr(app.screen, "shown_problems", None)

    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        # raise it from the queue: E, the kind, the severity, the reason
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("enter", "up", "up", "enter")  # 其他重大紧急情况 → 群体性事件
        await pilot.press("tab", "enter", "down", "down", "enter")  # 重大(Ⅱ)
        await pilot.press("tab", *"约二十名工人聚集讨薪")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # the board: confirm, then report
        board = await show_board(pilot)
        card = board.selected_card
        assert card is not None
        assert card.case_code == code
        assert (card.kind, card.severity) == (EscalationKind.mass_incident, Severity.major)
        await pilot.press("c")
        await settle(pilot)
        clock.advance(timedelta(minutes=5))
        await report("initial", "phone", "street_leader", "电话报告中心主任")
        clock.advance(timedelta(minutes=10))
        await report("initial", "written", "district_centre", "书面初报区中心")
        assert column_ids(app, S.reported_district) == [card.id]
        clock.advance(timedelta(minutes=60))
        await report("update", "platform", "departments", "续报：已疏导，人员散去")
        assert column_ids(app, S.handling) == [card.id]
        # the case is closed in the meantime: the 终报 is owed
        lead.cases.resolve_in_grid(code, lead.queue.detail(code).version, note="已协调发放工资")
        lead.closure.verify(code, lead.queue.detail(code).version, passed=True, note="现场已散")
        board.reload()
        await settle(pilot)
        assert board.selected_card is not None
        assert board.selected_card.next_report_due is not None
        assert board.selected_card.next_report_due.value == "final"
        clock.advance(timedelta(minutes=10))
        await report("final", "written", "district_centre", "终报：事件已处置完毕")
        assert column_ids(app, S.final_reported) == [card.id]
        assert failures(recorder) == []
        # every report on the case's timeline, in the detail
        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen.query_one("#detail-timeline")
        actions = [
            timeline.get_row_at(row)[2].plain  # type: ignore[attr-defined]
            for row in range(timeline.row_count)  # type: ignore[attr-defined]
        ]
        assert actions.count("升级报告") == 4
        assert "升级上报" in actions
        assert "确认升级" in actions
    detail = lead.escalations.detail(card.id)
    assert [(r.kind, r.channel) for r in detail.reports] == [
        (ReportKind.initial, ReportChannel.phone),
        (ReportKind.initial, ReportChannel.written),
        (ReportKind.update, ReportChannel.platform),
        (ReportKind.final, ReportChannel.written),
    ]
    assert not any(report.late for report in detail.reports)
    assert detail.card.stage is S.final_reported
    assert lead.queue.detail(code).state is CaseState.closed
    assert Action.escalation_report in [event.action for event in lead.queue.detail(code).events]
