"""The case detail lists the case's escalations (Art. 30) with their reports, and its timeline
says what each step of the board did; a liaison, who does not read the board, sees neither."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Static

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    Action,
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.services.escalation_text import escalation_event_text
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from tests.factories import T0, new_case_fields, services_for
from tests.ui.console import make_console, settle

ZONE = Settings().centre.zone


def _escalated(db: Database, clock: FrozenClock) -> str:
    dispatcher = services_for(db, "disp", clock)
    lead = services_for(db, "lead", clock)
    code = dispatcher.cases.report(new_case_fields(title="工地聚集讨薪")).code
    card = dispatcher.escalations.raise_(
        code, kind=EscalationKind.mass_incident, severity=Severity.major, reason="三十人聚集"
    )
    clock.advance(timedelta(minutes=20))  # the phone report came late (15 minutes)
    card = dispatcher.escalations.record_report(
        card.id,
        card.version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        recipient="陈主任",
        content="电话报告：三十人聚集，情绪稳定",
    )
    lead.escalations.confirm(card.id, card.version)
    return code


async def test_detail_lists_escalations_and_their_reports(db: Database, clock: FrozenClock) -> None:
    code = _escalated(db, clock)
    detail = services_for(db, "disp", clock).queue.detail(code)
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(CaseDetailScreen(detail, ZONE))
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#detail-escalations-title", Static).display
        lines = str(screen.query_one("#detail-escalations", Static).render()).splitlines()
        assert lines[0].startswith("#1  已报街道  群体性事件  重大(Ⅱ)  人工升级")
        assert "下一报告 初报(书面) 11-29 10:00" in lines[0]
        assert "已超时" not in lines[0]
        assert lines[1].split() == [
            "11-29",
            "09:50",
            "初报",
            "电话",
            "→",
            "街道中心领导（陈主任）",
            "王调度",
            "迟报",
        ]
        timeline = screen.query_one("#detail-timeline", DataTable)
        rows = [[str(c) for c in timeline.get_row_at(index)] for index in range(timeline.row_count)]
        assert [row[2] for row in rows] == ["上报", "升级上报", "升级报告", "确认升级"]
        # the reason column is cut to its width: the board's words come first
        assert rows[1][4].startswith("群体性事件 · 重大(Ⅱ) · 人工升级 — 三十")
        assert rows[2][4].startswith("初报 · 电话 → 街道中心领导（陈主任）")
        report = detail.events[2]
        assert escalation_event_text(report.action, report.detail, ZONE) == (
            "初报 · 电话 → 街道中心领导（陈主任） · 11-29 09:50 报出 · 迟报"
        )
        assert rows[3][4] == "→ 已报街道"


async def test_a_case_without_escalations_shows_no_section(
    db: Database, clock: FrozenClock
) -> None:
    detail = services_for(db, "disp", clock).cases.report(new_case_fields())
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(CaseDetailScreen(detail, ZONE))
        await settle(pilot)
        assert not app.screen.query_one("#detail-escalations-title", Static).display


async def test_a_liaison_does_not_read_the_board(db: Database, clock: FrozenClock) -> None:
    code = _escalated(db, clock)
    detail = services_for(db, "disp", clock).queue.detail(code)
    settings = Settings()
    app = GridConsoleApp(services_for(db, "liaison", clock, settings), settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(CaseDetailScreen(detail, ZONE))
        await settle(pilot)
        assert not app.screen.query_one("#detail-escalations", Static).display


def test_every_board_event_is_said_in_words() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    due = (T0 + timedelta(minutes=30)).isoformat()
    said: dict[Action, dict[str, object]] = {
        Action.escalate: {"kind": "emergency", "severity": "general", "source": "proposal"},
        Action.escalation_report: {
            "kind": "final",
            "channel": "written",
            "level": "district_centre",
            "recipient": "",
            "reported_at": T0.isoformat(),
            "late": False,
        },
        Action.confirm_escalation: {"stage": "reported_district"},
        Action.raise_escalation: {
            "from_stage": "reported_street",
            "stage": "reported_district",
            "from_severity": "larger",
            "severity": "major",
        },
        Action.deescalate: {"from_stage": "handling"},
        Action.report_window_due: {"due": "update", "due_at": due},
        Action.report_window_missed: {"due": "initial_quick", "due_at": due},
        Action.acknowledge_alert: {"kinds": ["raised", "report_missed"]},
    }
    texts = {action: escalation_event_text(action, detail, zone) for action, detail in said.items()}
    assert texts == {
        Action.escalate: "突发性事件 · 一般(Ⅳ) · 规则建议",
        Action.escalation_report: "终报 · 书面 → 区级中心 · 11-29 09:30 报出",
        Action.confirm_escalation: "→ 已报区级",
        Action.raise_escalation: "已报街道 → 已报区级 · 较大(Ⅲ) → 重大(Ⅱ)",
        Action.deescalate: "自“处置中”撤销",
        Action.report_window_due: "续报 · 时限 11-29 10:00",
        Action.report_window_missed: "初报(电话) · 时限 11-29 10:00",
        Action.acknowledge_alert: "新升级 · 报告逾时",
    }
    # an event of a case, or a detail that does not say, adds nothing
    assert escalation_event_text(Action.accept, {"category": "x"}, zone) == ""
    assert escalation_event_text(Action.escalate, {"kind": "riot"}, zone) == ""
