"""The escalation board's service (Art. 30): raising, confirming, each report and level,
de-escalation, the report windows per severity, missed windows on a frozen clock, the overdue
ladder's entries arriving once, and the alerts acknowledged by the shift lead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    Action,
    AlertKind,
    CaseState,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    RejectReason,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.domain.errors import (
    PermissionDenied,
    RuleRefused,
    StaleCase,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.services.bundle import Services
from gridconsole.services.escalations import proposal_for
from gridconsole.store.engine import Database
from gridconsole.store.models import CaseEvent, Escalation, EscalationAlert
from tests.factories import T0, new_case_fields, services_for

S = EscalationStage


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def _raise(
    dispatcher: Services,
    *,
    severity: Severity = Severity.major,
    kind: EscalationKind = EscalationKind.mass_incident,
) -> tuple[str, int, int]:
    case = dispatcher.cases.report(new_case_fields(title="工地聚集讨薪"))
    card = dispatcher.escalations.raise_(
        case.code, kind=kind, severity=severity, reason="二十余名工人在工地门口聚集讨薪"
    )
    return case.code, card.id, card.version


def _events(db: Database, code: str) -> list[Action]:
    from sqlalchemy import select
    from sqlmodel import col

    from gridconsole.store.models import Case

    with db.read() as session:
        case_id = session.execute(select(col(Case.id)).where(col(Case.code) == code)).scalar_one()
        return list(
            session.execute(
                select(col(CaseEvent.action))
                .where(col(CaseEvent.case_id) == case_id)
                .order_by(col(CaseEvent.id))
            ).scalars()
        )


def test_raising_puts_the_case_on_the_board_pending_with_its_quick_window(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code, escalation_id, _ = _raise(dispatcher)
    card = dispatcher.escalations.detail(escalation_id).card
    assert card.stage is S.pending
    assert card.source is EscalationSource.manual
    # 重大: phone within 15 minutes of the raising
    assert (card.next_report_due, card.next_report_at) == (
        ReportDue.initial_quick,
        T0 + timedelta(minutes=15),
    )
    assert card.levels_required == (
        ReportLevel.street_leader,
        ReportLevel.district_centre,
        ReportLevel.departments,
    )
    assert card.levels_told == ()
    assert card.open_alerts == 1
    board = dispatcher.escalations.board()
    assert [c.id for c in board.column(S.pending).cards] == [escalation_id]
    assert board.column(S.pending).total == 1
    assert _events(db, code)[-1] is Action.escalate
    # the case is not made stale by its escalation
    assert dispatcher.queue.detail(code).version == 1


def test_a_case_is_on_the_board_once(dispatcher: Services) -> None:
    code, _, _ = _raise(dispatcher)
    with pytest.raises(RuleRefused) as refused:
        dispatcher.escalations.raise_(
            code, kind=EscalationKind.emergency, severity=Severity.general, reason="再次升级"
        )
    assert "已在升级看板上" in str(refused.value)


@pytest.mark.parametrize(
    ("severity", "quick", "written"),
    [
        (Severity.general, 60, 120),
        (Severity.larger, 30, 60),
        (Severity.major, 15, 30),
        (Severity.extraordinary, 15, 30),
    ],
)
def test_report_windows_per_severity(
    dispatcher: Services, severity: Severity, quick: int, written: int
) -> None:
    _, escalation_id, version = _raise(dispatcher, severity=severity)
    card = dispatcher.escalations.detail(escalation_id).card
    assert card.next_report_at == T0 + timedelta(minutes=quick)
    after_phone = dispatcher.escalations.record_report(
        escalation_id,
        version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        content="电话报告中心主任",
    )
    assert (after_phone.next_report_due, after_phone.next_report_at) == (
        ReportDue.initial_written,
        T0 + timedelta(minutes=written),
    )


def test_windows_come_from_configuration(db: Database, clock: FrozenClock) -> None:
    settings = Settings.model_validate(
        {
            "escalation": {
                "windows": {
                    "general": {
                        "quick_minutes": 5,
                        "written_minutes": 10,
                        "update_minutes": 60,
                        "levels": ["street_leader"],
                    }
                }
            }
        }
    )
    dispatcher = services_for(db, "disp", clock, settings=settings)
    _, escalation_id, _ = _raise(dispatcher, severity=Severity.general)
    card = dispatcher.escalations.detail(escalation_id).card
    assert card.next_report_at == T0 + timedelta(minutes=5)
    assert card.levels_required == (ReportLevel.street_leader,)


def test_a_mass_incident_from_raising_to_final_report(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    code, escalation_id, version = _raise(dispatcher)
    with pytest.raises(PermissionDenied):
        dispatcher.escalations.confirm(escalation_id, version)
    clock.advance(timedelta(minutes=2))
    card = lead.escalations.confirm(escalation_id, version)
    assert card.stage is S.reported_street
    assert card.open_alerts == 0  # confirming acknowledges the 'raised' alert
    clock.advance(timedelta(minutes=5))
    card = dispatcher.escalations.record_report(
        escalation_id,
        card.version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        recipient="中心主任 陈某",
        content="工地门口约二十名工人聚集讨薪，情绪平稳，已通知派出所",
    )
    assert card.levels_told == (ReportLevel.street_leader,)
    assert card.next_report_due is ReportDue.initial_written
    clock.advance(timedelta(minutes=10))
    card = dispatcher.escalations.record_report(
        escalation_id,
        card.version,
        kind=ReportKind.initial,
        channel=ReportChannel.written,
        level=ReportLevel.district_centre,
        content="书面初报区网格化服务管理中心",
    )
    assert card.stage is S.reported_district  # the district has been told
    assert card.next_report_due is ReportDue.update
    assert card.next_report_at == clock.now() + timedelta(minutes=120)
    clock.advance(timedelta(minutes=60))
    card = dispatcher.escalations.record_report(
        escalation_id,
        card.version,
        kind=ReportKind.update,
        channel=ReportChannel.platform,
        level=ReportLevel.departments,
        content="人社所到场协调，施工方承诺三日内支付",
    )
    assert card.stage is S.handling
    assert card.levels_owed == ()
    clock.advance(timedelta(minutes=30))
    card = dispatcher.escalations.record_report(
        escalation_id,
        card.version,
        kind=ReportKind.final,
        channel=ReportChannel.written,
        level=ReportLevel.district_centre,
        content="工资已全额支付，人员已散去",
    )
    assert card.stage is S.final_reported
    assert card.next_report_at is None
    assert card.closed_at == clock.now()
    detail = dispatcher.escalations.detail(escalation_id)
    assert [r.kind for r in detail.reports] == [
        ReportKind.initial,
        ReportKind.initial,
        ReportKind.update,
        ReportKind.final,
    ]
    assert not any(r.late for r in detail.reports)
    assert detail.reports[0].recipient == "中心主任 陈某"
    assert detail.reports[0].operator == "王调度"
    # every step is on the case's timeline
    assert _events(db, code)[-6:] == [
        Action.escalate,
        Action.confirm_escalation,
        Action.escalation_report,
        Action.escalation_report,
        Action.escalation_report,
        Action.escalation_report,
    ]
    board = lead.escalations.board()
    assert [c.id for c in board.column(S.final_reported).cards] == [escalation_id]
    # closed for longer than final_days: off the board
    clock.advance(timedelta(days=4))
    assert lead.escalations.board().column(S.final_reported).total == 0


def test_a_final_report_needs_a_confirmed_escalation(dispatcher: Services) -> None:
    _, escalation_id, version = _raise(dispatcher)
    with pytest.raises(RuleRefused):
        dispatcher.escalations.record_report(
            escalation_id,
            version,
            kind=ReportKind.final,
            channel=ReportChannel.written,
            level=ReportLevel.street_leader,
            content="终报",
        )


def test_reports_before_confirmation_keep_the_card_pending(
    dispatcher: Services, lead: Services
) -> None:
    _, escalation_id, version = _raise(dispatcher)
    card = dispatcher.escalations.record_report(
        escalation_id,
        version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.district_centre,
        content="电话报告区中心",
    )
    assert card.stage is S.pending
    # confirming after the district was told puts it in the district column
    assert lead.escalations.confirm(escalation_id, card.version).stage is S.reported_district


def test_a_report_time_is_checked(dispatcher: Services, clock: FrozenClock) -> None:
    _, escalation_id, version = _raise(dispatcher)
    for at in (T0 - timedelta(minutes=1), T0 + timedelta(minutes=1)):
        with pytest.raises(ValidationFailed) as failed:
            dispatcher.escalations.record_report(
                escalation_id,
                version,
                kind=ReportKind.initial,
                channel=ReportChannel.phone,
                level=ReportLevel.street_leader,
                content="电话报告",
                reported_at=at,
            )
        assert failed.value.problems[0].field == "reported_at"
    with pytest.raises(ValidationFailed) as failed:
        dispatcher.escalations.record_report(
            escalation_id,
            version,
            kind=ReportKind.initial,
            channel=ReportChannel.phone,
            level=ReportLevel.street_leader,
            content="  ",
        )
    assert failed.value.problems[0].field == "content"
    # a report made earlier and entered later keeps its true time
    clock.advance(timedelta(minutes=20))
    card = dispatcher.escalations.record_report(
        escalation_id,
        version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        content="09:40 已电话报告",
        reported_at=T0 + timedelta(minutes=10),
    )
    report = dispatcher.escalations.detail(card.id).reports[0]
    assert report.reported_at == T0 + timedelta(minutes=10)
    assert report.recorded_at == T0 + timedelta(minutes=20)
    assert report.late is False


def test_a_stale_edit_names_who_changed_the_escalation(
    dispatcher: Services, lead: Services
) -> None:
    _, escalation_id, version = _raise(dispatcher)
    lead.escalations.confirm(escalation_id, version)
    with pytest.raises(StaleCase) as stale:
        dispatcher.escalations.record_report(
            escalation_id,
            version,
            kind=ReportKind.initial,
            channel=ReportChannel.phone,
            level=ReportLevel.street_leader,
            content="电话报告",
        )
    assert "李值班" in str(stale.value)


def test_raising_the_level_goes_to_the_district_then_needs_a_graver_severity(
    dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, escalation_id, version = _raise(dispatcher, severity=Severity.general)
    with pytest.raises(RuleRefused):  # unconfirmed
        lead.escalations.raise_level(escalation_id, version, reason="升级")
    card = lead.escalations.confirm(escalation_id, version)
    assert card.levels_required == (ReportLevel.street_leader,)
    with pytest.raises(PermissionDenied):
        dispatcher.escalations.raise_level(escalation_id, card.version, reason="升级")
    card = lead.escalations.raise_level(escalation_id, card.version, reason="人数增加，报区级")
    assert card.stage is S.reported_district
    assert ReportLevel.district_centre in card.levels_required
    with pytest.raises(RuleRefused):
        lead.escalations.raise_level(escalation_id, card.version, reason="再升级")
    with pytest.raises(RuleRefused):
        lead.escalations.raise_level(
            escalation_id, card.version, reason="降级", severity=Severity.general
        )
    card = lead.escalations.raise_level(
        escalation_id, card.version, reason="事态扩大", severity=Severity.major
    )
    assert card.severity is Severity.major
    assert card.stage is S.reported_district
    # the graver severity's tighter window, still counted from the raising
    assert card.next_report_at == T0 + timedelta(minutes=15)


def test_deescalation_needs_a_reason_and_acknowledges_the_alerts(
    db: Database, dispatcher: Services, lead: Services
) -> None:
    code, escalation_id, version = _raise(dispatcher)
    with pytest.raises(PermissionDenied):
        dispatcher.escalations.deescalate(escalation_id, version, reason="误报")
    with pytest.raises(ValidationFailed):
        lead.escalations.deescalate(escalation_id, version, reason="")
    card = lead.escalations.deescalate(escalation_id, version, reason="核实为普通纠纷")
    assert card.stage is S.withdrawn
    assert card.next_report_at is None
    assert card.open_alerts == 0
    assert lead.escalations.board().column(S.pending).total == 0
    with pytest.raises(RuleRefused):
        lead.escalations.deescalate(escalation_id, card.version, reason="再次撤销")
    # off the board, it may be raised again
    again = dispatcher.escalations.raise_(
        code, kind=EscalationKind.major_dispute, severity=Severity.general, reason="再次聚集"
    )
    assert again.id != escalation_id


def test_missed_windows_fire_once_and_turn_the_card_red(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    code, escalation_id, version = _raise(dispatcher)  # 重大: quick 15, written 30
    # the warning fires 5 minutes before the window closes
    assert dispatcher.watch.next_instant(T0) == T0 + timedelta(minutes=10)
    clock.advance(timedelta(minutes=11))
    fired = dispatcher.watch.fire_due()
    assert [f.case_code for f in fired.report_due] == [code]
    assert fired.report_due[0].at == T0 + timedelta(minutes=10)
    assert fired.report_missed == ()
    assert dispatcher.watch.fire_due().count == 0  # once
    clock.advance(timedelta(minutes=10))
    fired = lead.watch.fire_due()  # another console: the miss fires once, at its true instant
    assert [(f.case_code, f.at) for f in fired.report_missed] == [
        (code, T0 + timedelta(minutes=15))
    ]
    assert dispatcher.watch.fire_due().count == 0
    card = dispatcher.escalations.detail(escalation_id).card
    assert card.overdue(clock.now())
    assert card.missed_count == 1
    kinds = [a.kind for a in dispatcher.escalations.open_alerts()]
    assert kinds == [AlertKind.raised, AlertKind.report_due, AlertKind.report_missed]
    assert _events(db, code)[-2:] == [Action.report_window_due, Action.report_window_missed]
    # the late phone report is marked late; the written window is next
    card = dispatcher.escalations.record_report(
        escalation_id,
        version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        content="迟报",
    )
    assert dispatcher.escalations.detail(escalation_id).reports[0].late is True
    assert card.next_report_due is ReportDue.initial_written
    # a tick after downtime: the written window's warning is past its window, so only the miss
    clock.advance(timedelta(minutes=10))
    fired = dispatcher.watch.fire_due()
    assert fired.report_due == ()
    assert [f.at for f in fired.report_missed] == [T0 + timedelta(minutes=30)]
    assert dispatcher.escalations.detail(escalation_id).card.missed_count == 2


def test_alerts_wait_for_a_shift_lead(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    _, escalation_id, _ = _raise(dispatcher)
    alerts = dispatcher.escalations.open_alerts()
    assert [(a.kind, a.escalation_id) for a in alerts] == [(AlertKind.raised, escalation_id)]
    with pytest.raises(PermissionDenied):
        dispatcher.escalations.acknowledge(alert_ids=[alerts[0].id])
    clock.advance(timedelta(minutes=1))
    assert lead.escalations.acknowledge(alert_ids=[alerts[0].id]) == 1
    assert dispatcher.escalations.open_alerts() == ()
    assert lead.escalations.acknowledge(alert_ids=[alerts[0].id]) == 0  # once
    (acknowledged,) = lead.escalations.detail(escalation_id).alerts
    assert acknowledged.acknowledged_by == "李值班"
    assert acknowledged.acknowledged_at == T0 + timedelta(minutes=1)


def test_the_overdue_ladder_puts_a_case_on_the_board_once(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    from tests.overdue_cases import dispatch_directly

    case = dispatcher.cases.report(new_case_fields())
    dispatch_directly(db, case.code, "CG", T0)
    # far past the breach: 督办 after 1 working day, 通报 after 5
    clock.advance(timedelta(days=30))
    dispatcher.watch.fire_due()
    lead.watch.fire_due()
    board = lead.escalations.board()
    cards = [c for c in board.cards if c.case_code == case.code]
    assert len(cards) == 1
    assert cards[0].source is EscalationSource.overdue
    assert cards[0].stage is S.pending
    with db.read() as session:
        from sqlalchemy import func, select

        assert session.execute(select(func.count()).select_from(Escalation)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(EscalationAlert)).scalar_one() >= 1


def test_a_closed_case_owes_the_final_report(
    db: Database, dispatcher: Services, lead: Services, clock: FrozenClock
) -> None:
    code, escalation_id, version = _raise(dispatcher)
    card = lead.escalations.confirm(escalation_id, version)
    for channel in (ReportChannel.phone, ReportChannel.written):
        card = dispatcher.escalations.record_report(
            escalation_id,
            card.version,
            kind=ReportKind.initial,
            channel=channel,
            level=ReportLevel.street_leader,
            content="初报",
        )
    assert card.next_report_due is ReportDue.update
    # the case is rejected (the simplest way over): the escalation owes its 终报
    detail = dispatcher.queue.detail(code)
    dispatcher.cases.reject(
        detail.code, detail.version, reason=RejectReason.out_of_scope, note="不属于受理范围"
    )
    card = dispatcher.escalations.detail(escalation_id).card
    assert card.case_state is CaseState.rejected
    assert (card.next_report_due, card.next_report_at) == (
        ReportDue.final,
        clock.now() + timedelta(minutes=30),
    )


def test_escalation_roles(db: Database, clock: FrozenClock) -> None:
    dispatcher = services_for(db, "disp", clock)
    liaison = services_for(db, "liaison", clock)
    auditor = services_for(db, "audit", clock)
    _raise(dispatcher)
    with pytest.raises(PermissionDenied):
        liaison.escalations.board()
    assert liaison.escalations.open_alerts() == ()
    assert auditor.escalations.board().column(S.pending).total == 1
    case = dispatcher.cases.report(new_case_fields())
    for services in (liaison, auditor):
        with pytest.raises(PermissionDenied):
            services.escalations.raise_(
                case.code,
                kind=EscalationKind.emergency,
                severity=Severity.general,
                reason="升级",
            )


def test_only_open_cases_are_raised(dispatcher: Services) -> None:
    case = dispatcher.cases.report(new_case_fields())
    dispatcher.cases.reject(
        case.code, case.version, reason=RejectReason.out_of_scope, note="不属于受理范围"
    )
    with pytest.raises(TransitionRefused):
        dispatcher.escalations.raise_(
            case.code, kind=EscalationKind.emergency, severity=Severity.general, reason="升级"
        )


def test_proposals_follow_the_configured_rule() -> None:
    settings = Settings()
    assert proposal_for(settings, "06-wages", 9) is None
    assert proposal_for(settings, "06-wages", None) is None
    proposal = proposal_for(settings, "06-wages", 10)
    assert proposal is not None
    assert (proposal.kind, proposal.severity) == ("mass_incident", "larger")
    assert proposal_for(settings, "11-noise", 500) is None
