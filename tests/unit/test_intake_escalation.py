"""Intake and the escalation board (Art. 30): the people involved in a new case, a case raised
with its report, and a category's rule proposing escalation — for one case and for an import,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    Action,
    AlertKind,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    ReportDue,
    Severity,
)
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.domain.validators import PEOPLE_MAX, validate_case_draft
from gridconsole.services.bundle import Services
from gridconsole.services.import_formats import ImportFormat
from gridconsole.services.imports import import_cases
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent, Escalation, EscalationAlert
from tests.factories import T0, new_case_fields, services_for

# the reference street has no wage-arrears category: water leaks stand in for it here
PROPOSING = Settings.model_validate(
    {
        "escalation": {
            "proposals": {
                "11-water": {"min_people": 10, "kind": "mass_incident", "severity": "larger"}
            }
        }
    }
)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
def desk(db: Database, clock: FrozenClock) -> Services:
    return services_for(db, "disp", clock, PROPOSING)


def _count(db: Database, table: type) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def _escalations(db: Database, code: str) -> list[Escalation]:
    with db.read() as session:
        case_id = session.execute(select(col(Case.id)).where(col(Case.code) == code)).scalar_one()
        rows = list(
            session.execute(select(Escalation).where(col(Escalation.case_id) == case_id)).scalars()
        )
        session.expunge_all()
        return rows


def _actions(db: Database, code: str) -> list[tuple[Action, int | None, dict[str, object]]]:
    with db.read() as session:
        case_id = session.execute(select(col(Case.id)).where(col(Case.code) == code)).scalar_one()
        return [
            (row[0], row[1], row[2])
            for row in session.execute(
                select(col(CaseEvent.action), col(CaseEvent.operator_id), col(CaseEvent.detail))
                .where(col(CaseEvent.case_id) == case_id)
                .order_by(col(CaseEvent.id))
            ).all()
        ]


# -- the people involved ------------------------------------------------------------------------


def test_people_involved_is_stored_and_nothing_is_escalated_below_the_rule(
    db: Database, desk: Services
) -> None:
    detail = desk.cases.report(new_case_fields(category="11-water", people_involved="9"))
    with db.read() as session:
        case = session.execute(select(Case).where(col(Case.code) == detail.code)).scalar_one()
        assert case.people_involved == 9
    assert _escalations(db, detail.code) == []
    assert [action for action, _, _ in _actions(db, detail.code)] == [Action.report]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "应在 0 到 100000 之间"),
        ("100001", "应在 0 到 100000 之间"),
        ("十二", "不是整数"),
        ("12.5", "不是整数"),
        ("1e3", "不是整数"),
        (True, "不是整数"),
        ("9" * 5000, "应在 0 到 100000 之间"),  # refused without reading it as a number
    ],
)
def test_a_bad_people_count_is_refused_and_nothing_written(
    db: Database, desk: Services, value: object, message: str
) -> None:
    before = _count(db, Case), _count(db, Escalation), _count(db, CaseEvent)
    with pytest.raises(ValidationFailed) as refused:
        desk.cases.report(new_case_fields(category="11-water", people_involved=value))
    (problem,) = refused.value.problems
    assert problem.field == "people_involved"
    assert message in problem.message
    assert (_count(db, Case), _count(db, Escalation), _count(db, CaseEvent)) == before


def test_people_counts_the_validator_takes() -> None:
    now = T0
    for raw, expected in [("", None), (" 12 ", 12), (0, 0), (30.0, 30), (PEOPLE_MAX, PEOPLE_MAX)]:
        draft = validate_case_draft(new_case_fields(people_involved=raw), now=now)
        assert draft.people_involved == expected


# -- raised at intake -----------------------------------------------------------------------------


def test_a_case_raised_at_intake_is_on_the_board_in_the_same_transaction(
    db: Database, desk: Services
) -> None:
    detail = desk.cases.report(
        new_case_fields(
            title="燃气管道破裂",
            escalation_kind="emergency",
            severity="major",
            people_involved="40",
        )
    )
    (escalation,) = _escalations(db, detail.code)
    assert (escalation.kind, escalation.severity, escalation.stage, escalation.source) == (
        EscalationKind.emergency,
        Severity.major,
        EscalationStage.pending,
        EscalationSource.intake,
    )
    assert escalation.reason == "燃气管道破裂"  # the reason defaults to the title
    assert escalation.raised_by_id is not None
    # 重大: the phone report within 15 minutes of the intake
    assert (escalation.next_report_due, escalation.next_report_at) == (
        ReportDue.initial_quick,
        T0 + timedelta(minutes=15),
    )
    actions = _actions(db, detail.code)
    assert [action for action, _, _ in actions] == [Action.report, Action.escalate]
    assert actions[1][2]["source"] == "intake"
    # the detail the form gets back already shows it
    assert [event.action for event in detail.events][-1] is Action.escalate
    (card,) = desk.escalations.for_case(detail.code)
    assert card.open_alerts == 1
    assert desk.escalations.open_alerts()[0].kind is AlertKind.raised


def test_an_explicit_escalation_wins_over_the_proposal(db: Database, desk: Services) -> None:
    detail = desk.cases.report(
        new_case_fields(
            category="11-water",
            people_involved=60,
            escalation_kind="major_dispute",
            severity="general",
            escalation_reason="六十户停水，情绪激动",
        )
    )
    (escalation,) = _escalations(db, detail.code)
    assert (escalation.kind, escalation.source, escalation.reason) == (
        EscalationKind.major_dispute,
        EscalationSource.intake,
        "六十户停水，情绪激动",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"escalation_kind": "emergency"}, "severity"),
        ({"severity": "major"}, "escalation_kind"),
        ({"escalation_kind": "riot", "severity": "major"}, "escalation_kind"),
        ({"escalation_kind": "emergency", "severity": "Ⅴ"}, "severity"),
    ],
)
def test_half_an_escalation_is_refused(
    db: Database, desk: Services, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk.cases.report(new_case_fields(**fields))
    assert [problem.field for problem in refused.value.problems] == [field]
    assert _count(db, Case) == 0


def test_a_liaison_reports_but_cannot_raise(db: Database, clock: FrozenClock) -> None:
    liaison = services_for(db, "liaison", clock, PROPOSING)
    with pytest.raises(PermissionDenied):
        liaison.cases.report(new_case_fields(escalation_kind="emergency", severity="major"))
    assert _count(db, Case) == 0
    # a liaison's report may still be proposed by the rule: the shift lead decides
    detail = liaison.cases.report(new_case_fields(category="11-water", people_involved=12))
    assert [e.source for e in _escalations(db, detail.code)] == [EscalationSource.proposal]


# -- proposed by the category's rule ------------------------------------------------------------


def test_the_rule_proposes_escalation_when_enough_people_are_involved(
    db: Database, desk: Services
) -> None:
    detail = desk.cases.report(
        new_case_fields(title="小区停水", category="11-water", people_involved="10")
    )
    (escalation,) = _escalations(db, detail.code)
    assert (escalation.kind, escalation.severity, escalation.stage, escalation.source) == (
        EscalationKind.mass_incident,
        Severity.larger,
        EscalationStage.pending,
        EscalationSource.proposal,
    )
    assert "小区停水" in escalation.reason
    assert "10" in escalation.reason
    # the rule's, not the operator's
    assert escalation.raised_by_id is None
    _report, escalate = _actions(db, detail.code)
    assert escalate[0] is Action.escalate
    assert escalate[1] is None
    assert escalate[2]["source"] == "proposal"
    # 较大: 30 minutes for the first report
    assert escalation.next_report_at == T0 + timedelta(minutes=30)


def test_no_rule_no_proposal(db: Database, clock: FrozenClock) -> None:
    # the default settings propose for wage arrears only
    desk = services_for(db, "disp", clock)
    detail = desk.cases.report(new_case_fields(category="11-water", people_involved=500))
    assert _escalations(db, detail.code) == []


def test_an_import_proposes_for_the_matching_rows_only(
    db: Database, desk: Services, tmp_path: Path
) -> None:
    lines = [
        new_case_fields(title="停水一", category="11-water", people_involved=25),
        new_case_fields(title="噪音", people_involved=80),
        new_case_fields(title="停水二", category="11-water", people_involved=3),
        new_case_fields(title="停水三", category="11-water"),
        new_case_fields(title="塌方", escalation_kind="emergency", severity="extraordinary"),
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    report = import_cases(desk.context, path, file_format=ImportFormat.auto, dry_run=False)
    assert report.accepted, report.problems
    codes = [case.code for case in report.imported]
    sources = {code: [e.source for e in _escalations(db, code)] for code in codes}
    assert sources == {
        codes[0]: [EscalationSource.proposal],
        codes[1]: [],
        codes[2]: [],
        codes[3]: [],
        codes[4]: [EscalationSource.intake],
    }
    assert _count(db, EscalationAlert) == 2
    with db.read() as session:
        people = dict(
            session.execute(
                select(col(Case.code), col(Case.people_involved)).where(col(Case.code).in_(codes))
            ).all()
        )
    assert [people[code] for code in codes] == [25, 80, 3, None, None]


def test_an_import_with_a_bad_people_count_writes_nothing(
    db: Database, desk: Services, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "title,description,category,people_involved\n"
        "停水,整栋楼停水,11-water,30\n"
        "噪音,很吵,11-noise,很多\n",
        encoding="utf-8",
    )
    report = import_cases(desk.context, path, file_format=ImportFormat.auto, dry_run=False)
    assert not report.accepted
    assert [(problem.line, problem.field) for problem in report.problems] == [
        (3, "people_involved")
    ]
    assert (_count(db, Case), _count(db, Escalation)) == (0, 0)
