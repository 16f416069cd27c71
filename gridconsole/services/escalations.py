"""The escalation board (Art. 30): raise, confirm, report up the chain, raise the level,
de-escalate, and the alerts every console shows until a shift lead acknowledges them.

Each operation is one transaction: the escalation row is locked and compare-and-set on its
``version`` (a stale edit names who changed it and when), its derived next-report columns are
recomputed from the reports made (:func:`gridconsole.domain.escalation.next_report`), and one
event goes on the case's timeline, so every console's change poll sees it within its interval.
An escalation does not bump the case's ``version``: reporting up the chain must not make a
dispatcher's open form on the case stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from gridconsole.config import EscalationProposal, Settings
from gridconsole.domain import escalation as rules
from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import (
    Action,
    AlertKind,
    CaseState,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.domain.errors import (
    FieldProblem,
    NotFound,
    PermissionDenied,
    RuleRefused,
    StaleCase,
    ValidationFailed,
)
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.case_notes import note_case_event
from gridconsole.services.context import ServiceContext
from gridconsole.services.escalation_records import (
    AlertRow,
    BoardColumn,
    EscalationBoard,
    EscalationCard,
    EscalationDetail,
    ReportRow,
)
from gridconsole.services.lookups import case_by_code
from gridconsole.store.event_departments import judged_department
from gridconsole.store.models import (
    Case,
    CaseEvent,
    Escalation,
    EscalationAlert,
    EscalationReport,
    Grid,
    Operator,
    row_id,
)

BOARD_LIMIT = 50  # cards per column: the board never loads the whole table
CONTENT_MAX = 2000
RECIPIENT_MAX = 80
# what a report answers: the window of its own kind
_ANSWERS: dict[ReportDue, ReportKind] = {
    ReportDue.initial_quick: ReportKind.initial,
    ReportDue.initial_written: ReportKind.initial,
    ReportDue.update: ReportKind.update,
    ReportDue.final: ReportKind.final,
}
# case states after which the 终报 is owed (the matter is over)
_CASE_OVER = (CaseState.closed, CaseState.followed_up, CaseState.rejected)


# -- configuration --------------------------------------------------------------------------


def report_windows(
    settings: Settings, severity: Severity, *, raised_to_district: bool = False
) -> rules.ReportWindows:
    """The configured windows and reporting chain of ``severity`` (the district is added to the
    chain once the level was raised to it)."""
    configured = getattr(settings.escalation.windows, severity.value)
    levels = tuple(ReportLevel(level) for level in configured.levels)
    if raised_to_district and ReportLevel.district_centre not in levels:
        levels = (*levels, ReportLevel.district_centre)
    return rules.ReportWindows(
        quick=timedelta(minutes=configured.quick_minutes),
        written=timedelta(minutes=configured.written_minutes),
        update_every=timedelta(minutes=configured.update_minutes),
        levels=levels,
    )


def proposal_for(
    settings: Settings, category_code: str, people_involved: int | None
) -> EscalationProposal | None:
    """The configured rule that proposes escalating a case of this category, if it applies."""
    proposal = settings.escalation.proposals.get(category_code)
    if proposal is None or people_involved is None or people_involved < proposal.min_people:
        return None
    return proposal


# -- writing, shared with intake, the timers and the case lifecycle ----------------------


def open_escalation_id(session: Session, case_id: int) -> int | None:
    return session.execute(
        select(col(Escalation.id)).where(
            col(Escalation.case_id) == case_id,
            col(Escalation.stage).in_([stage.value for stage in rules.OPEN_STAGES]),
        )
    ).scalar_one_or_none()


def open_escalation(
    session: Session,
    settings: Settings,
    *,
    case: Case,
    kind: EscalationKind,
    severity: Severity,
    reason: str,
    source: EscalationSource,
    at: datetime,
    operator_id: int | None,
) -> Escalation:
    """Put ``case`` on the board (待确认) with its first report window and a 'raised' alert.

    The caller has checked that the case has no open escalation and writes the case event."""
    escalation = Escalation(
        case_id=row_id(case),
        kind=kind,
        severity=severity,
        stage=EscalationStage.pending,
        source=source,
        raised_at=at,
        raised_by_id=operator_id,
        reason=reason,
        updated_at=at,
        updated_by_id=operator_id,
    )
    session.add(escalation)
    session.flush()
    _set_next_report(session, settings, escalation, case_closed_at=None)
    session.add(EscalationAlert(escalation_id=row_id(escalation), kind=AlertKind.raised, at=at))
    session.flush()
    return escalation


def raise_on_board(
    session: Session,
    settings: Settings,
    *,
    case: Case,
    kind: EscalationKind,
    severity: Severity,
    reason: str,
    source: EscalationSource,
    at: datetime,
    operator_id: int | None,
) -> Escalation:
    """:func:`open_escalation` and its ``escalate`` event on the case's timeline: what an
    operator's raising, an escalation at intake and a category's proposal all write."""
    escalation = open_escalation(
        session,
        settings,
        case=case,
        kind=kind,
        severity=severity,
        reason=reason,
        source=source,
        at=at,
        operator_id=operator_id,
    )
    detail = {
        "escalation_id": escalation.id,
        "kind": kind.value,
        "severity": severity.value,
        "source": source.value,
    }
    session.add(
        CaseEvent(
            case_id=row_id(case),
            at=at,
            operator_id=operator_id,
            action=Action.escalate,
            reason=reason,
            detail=detail,
            department_id=judged_department(session, row_id(case), at, detail),
        )
    )
    session.flush()
    return escalation


def follow_case(session: Session, settings: Settings, case: Case, now: datetime) -> None:
    """The case moved: once it is over its open escalation owes the 终报 (the next window is
    re-derived). Called by :class:`gridconsole.services.case_changes.CaseChanges`."""
    if case.state not in _CASE_OVER:
        return
    escalation = session.execute(
        select(Escalation)
        .where(
            col(Escalation.case_id) == case.id,
            col(Escalation.stage).in_([stage.value for stage in rules.OPEN_STAGES]),
        )
        .with_for_update()
    ).scalar_one_or_none()
    if escalation is not None:
        _set_next_report(session, settings, escalation, case_closed_at=case.closed_at or now)


def _reports_made(session: Session, escalation_id: int) -> list[rules.ReportMade]:
    rows = session.execute(
        select(
            col(EscalationReport.kind),
            col(EscalationReport.channel),
            col(EscalationReport.level),
            col(EscalationReport.reported_at),
        ).where(col(EscalationReport.escalation_id) == escalation_id)
    ).all()
    return [rules.ReportMade(row[0], row[1], row[2], row[3]) for row in rows]


@dataclass(frozen=True)
class NextReportColumns:
    """An escalation's derived next-report columns, as the board and the timers read them."""

    next_report_due: ReportDue | None
    next_report_at: datetime | None
    report_warn_at: datetime | None


def next_report_columns(
    settings: Settings,
    *,
    severity: Severity,
    raised_to_district: bool,
    raised_at: datetime,
    stage: EscalationStage,
    reports: Sequence[rules.ReportMade],
    case_closed_at: datetime | None,
) -> NextReportColumns:
    """The report owed next, its deadline and when its warning falls, from the reports made
    (public for whoever writes escalation rows in bulk: the demo)."""
    windows = report_windows(settings, severity, raised_to_district=raised_to_district)
    owed = rules.next_report(
        raised_at, windows, reports, stage=stage, case_closed_at=case_closed_at
    )
    if owed is None:
        return NextReportColumns(None, None, None)
    before = timedelta(minutes=settings.escalation.alert_before_minutes)
    return NextReportColumns(owed.due, owed.at, max(raised_at, owed.at - before))


def _set_next_report(
    session: Session,
    settings: Settings,
    escalation: Escalation,
    *,
    case_closed_at: datetime | None,
    reports: Sequence[rules.ReportMade] | None = None,
) -> None:
    """Write the derived next-report columns from the reports made (read unless given)."""
    made = _reports_made(session, row_id(escalation)) if reports is None else reports
    columns = next_report_columns(
        settings,
        severity=escalation.severity,
        raised_to_district=escalation.raised_to_district,
        raised_at=escalation.raised_at,
        stage=escalation.stage,
        reports=made,
        case_closed_at=case_closed_at,
    )
    escalation.next_report_due = columns.next_report_due
    escalation.next_report_at = columns.next_report_at
    escalation.report_warn_at = columns.report_warn_at
    session.add(escalation)


# -- the service ----------------------------------------------------------------------------


class EscalationService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @property
    def settings(self) -> Settings:
        return self.context.settings

    def windows(
        self, severity: Severity, *, raised_to_district: bool = False
    ) -> rules.ReportWindows:
        return report_windows(self.settings, severity, raised_to_district=raised_to_district)

    # -- reading ------------------------------------------------------------------------------

    def _require_reader(self) -> None:
        actor = self.context.actor
        if actor.role not in permissions.BOARD_READERS:
            raise PermissionDenied(
                operator=actor.display_name, role=actor.role.value, action="escalation_board"
            )

    def board(self, *, limit: int = BOARD_LIMIT) -> EscalationBoard:
        """Each stage's cards, the most pressing first (the next report due soonest), and the
        final reports of the last ``final_days`` days."""
        self._require_reader()
        now = self.context.now()
        since = now - timedelta(days=self.settings.escalation.final_days)
        with self.context.db.read() as session:
            totals = dict(
                session.execute(
                    select(col(Escalation.stage), func.count())
                    .where(
                        or_(
                            col(Escalation.stage).in_([s.value for s in rules.OPEN_STAGES]),
                            and_(
                                col(Escalation.stage) == EscalationStage.final_reported.value,
                                col(Escalation.closed_at) >= since,
                            ),
                        )
                    )
                    .group_by(col(Escalation.stage))
                ).all()
            )
            columns: list[tuple[EscalationStage, list[Any]]] = []
            for stage in rules.BOARD_STAGES:
                if not totals.get(stage):
                    columns.append((stage, []))
                    continue
                conditions: list[Any] = [col(Escalation.stage) == stage.value]
                if stage is EscalationStage.final_reported:
                    conditions.append(col(Escalation.closed_at) >= since)
                    order: list[Any] = [col(Escalation.closed_at).desc(), col(Escalation.id)]
                else:
                    order = [
                        col(Escalation.next_report_at).is_(None),
                        col(Escalation.next_report_at),
                        col(Escalation.raised_at),
                        col(Escalation.id),
                    ]
                rows = session.execute(
                    self._card_select().where(*conditions).order_by(*order).limit(limit)
                ).all()
                columns.append((stage, list(rows)))
            every = [row for _, rows in columns for row in rows]
            told, alerts = self._card_extras(session, [row[0].id for row in every])
            return EscalationBoard(
                columns=tuple(
                    BoardColumn(
                        stage,
                        tuple(self._card(row, told, alerts) for row in rows),
                        int(totals.get(stage, 0)),
                    )
                    for stage, rows in columns
                ),
                at=now,
            )

    def detail(self, escalation_id: int) -> EscalationDetail:
        self._require_reader()
        with self.context.db.read() as session:
            card = self._load_card(session, escalation_id)
            operator = aliased(Operator)
            reports = tuple(
                ReportRow(
                    id=row_id(report),
                    kind=report.kind,
                    channel=report.channel,
                    level=report.level,
                    recipient=report.recipient,
                    content=report.content,
                    reported_at=report.reported_at,
                    recorded_at=report.recorded_at,
                    operator=name or t("entity.system"),
                    due=report.due,
                    due_at=report.due_at,
                    late=report.late,
                )
                for report, name in session.execute(
                    select(EscalationReport, col(operator.display_name))
                    .outerjoin(operator, col(operator.id) == col(EscalationReport.operator_id))
                    .where(col(EscalationReport.escalation_id) == escalation_id)
                    .order_by(col(EscalationReport.reported_at), col(EscalationReport.id))
                ).all()
            )
            alerts = self._alert_rows(
                session, [col(EscalationAlert.escalation_id) == escalation_id], limit=200
            )
        return EscalationDetail(card, reports, alerts)

    def for_case(self, code: str) -> tuple[EscalationCard, ...]:
        """Every escalation of a case, newest first (the case detail lists them)."""
        self._require_reader()
        with self.context.db.read() as session:
            case = case_by_code(session, code)
            rows = session.execute(
                self._card_select()
                .where(col(Escalation.case_id) == case.id)
                .order_by(col(Escalation.raised_at).desc(), col(Escalation.id).desc())
            ).all()
            told, alerts = self._card_extras(session, [row[0].id for row in rows])
            return tuple(self._card(row, told, alerts) for row in rows)

    def open_alerts(self, *, limit: int = 20, newest_first: bool = False) -> tuple[AlertRow, ...]:
        """Alerts no shift lead has acknowledged yet, oldest first (or newest first: what a
        console announces, however long the backlog)."""
        if self.context.actor.role not in permissions.BOARD_READERS:
            return ()
        with self.context.db.read() as session:
            return self._alert_rows(
                session,
                [col(EscalationAlert.acknowledged_at).is_(None)],
                limit=limit,
                newest_first=newest_first,
            )

    def open_alert_count(self) -> int:
        if self.context.actor.role not in permissions.BOARD_READERS:
            return 0
        with self.context.db.read() as session:
            return int(
                session.execute(
                    select(func.count())
                    .select_from(EscalationAlert)
                    .where(col(EscalationAlert.acknowledged_at).is_(None))
                ).scalar_one()
            )

    # -- writing ------------------------------------------------------------------------------

    def raise_(
        self,
        code: str,
        *,
        kind: EscalationKind,
        severity: Severity,
        reason: str,
        source: EscalationSource = EscalationSource.manual,
    ) -> EscalationCard:
        """Put a case on the board, 待确认 until a shift lead confirms it."""
        actor = self.context.actor
        permissions.require(actor.role, Action.escalate, operator=actor.display_name)
        cleaned = validate_reason(reason)
        now = self.context.now()
        with self.context.db.write() as session:
            case = case_by_code(session, code, lock=True)
            lifecycle.next_state(Action.escalate, case.state, case_code=case.code)
            existing = open_escalation_id(session, row_id(case))
            if existing is not None:
                stage = session.get_one(Escalation, existing).stage
                raise RuleRefused(
                    case_code=case.code,
                    action=Action.escalate.value,
                    rule="escalation_open",
                    stage=t(f"escalation_stage.{stage.value}"),
                )
            escalation = raise_on_board(
                session,
                self.settings,
                case=case,
                kind=kind,
                severity=severity,
                reason=cleaned,
                source=source,
                at=now,
                operator_id=actor.id,
            )
            record_audit(
                session,
                self.context,
                "escalation.escalate",
                case_id=row_id(case),
                subject=f"case:{case.code}",
                detail={
                    "escalation_id": escalation.id,
                    "kind": kind.value,
                    "severity": severity.value,
                    "source": source.value,
                    "reason": cleaned,
                },
            )
            return self._load_card(session, row_id(escalation))

    def confirm(self, escalation_id: int, version: int) -> EscalationCard:
        """The shift lead confirms: the matter stands at the street level (or the district's, if
        it was already told); the 'raised' alert is acknowledged by the same act."""
        now = self.context.now()
        with self.context.db.write() as session:
            escalation, case = self._load(
                session, escalation_id, version, Action.confirm_escalation
            )
            told = rules.levels_told(_reports_made(session, escalation_id))
            stage = rules.stage_after_confirm(escalation.stage, told, case_code=case.code)
            escalation.stage = stage
            escalation.confirmed_at = now
            escalation.confirmed_by_id = self.context.actor.id
            self._bump(session, escalation, now)
            acknowledged = self._acknowledge(
                session, [col(EscalationAlert.escalation_id) == escalation_id], now
            )
            self._event(
                session,
                case,
                Action.confirm_escalation,
                now,
                detail={
                    "escalation_id": escalation_id,
                    "stage": stage.value,
                    "acknowledged": acknowledged,
                },
            )
            return self._load_card(session, escalation_id)

    def record_report(
        self,
        escalation_id: int,
        version: int,
        *,
        kind: ReportKind,
        channel: ReportChannel,
        level: ReportLevel,
        content: str,
        recipient: str = "",
        reported_at: datetime | None = None,
    ) -> EscalationCard:
        """Record a report made (by phone, in writing or on the platform) to one level: when,
        to whom, what. It answers the window owed if it is of that kind, late or not."""
        now = self.context.now()
        problems: list[FieldProblem] = []
        try:
            cleaned = validate_reason(content, field="content", maximum=CONTENT_MAX)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            cleaned = ""
        try:
            to_whom = validate_reason(
                recipient, field="recipient", required=False, maximum=RECIPIENT_MAX
            )
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            to_whom = ""
        at = reported_at or now
        if at > now:
            problems.append(
                FieldProblem("reported_at", t("rule.in_future", value=self.context.local_text(at)))
            )
        if problems:
            raise ValidationFailed(problems)
        with self.context.db.write() as session:
            escalation, case = self._load(session, escalation_id, version, Action.escalation_report)
            if at < escalation.raised_at:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "reported_at",
                            t("rule.reported_before_raised", at=self.context.local_text(at)),
                        )
                    ]
                )
            stage = rules.stage_after_report(escalation.stage, kind, level, case_code=case.code)
            owed_due, owed_at = escalation.next_report_due, escalation.next_report_at
            answers = owed_due is not None and _ANSWERS[owed_due] is kind
            late = bool(answers and owed_at is not None and at > owed_at)
            report = EscalationReport(
                escalation_id=escalation_id,
                kind=kind,
                channel=channel,
                level=level,
                recipient=to_whom,
                content=cleaned,
                reported_at=at,
                recorded_at=now,
                operator_id=self.context.actor.id,
                due=owed_due if answers else None,
                due_at=owed_at if answers else None,
                late=late,
            )
            session.add(report)
            session.flush()
            escalation.stage = stage
            if stage is EscalationStage.final_reported:
                escalation.closed_at = now
            self._bump(session, escalation, now)
            _set_next_report(
                session,
                self.settings,
                escalation,
                case_closed_at=case.closed_at if case.state in _CASE_OVER else None,
            )
            self._event(
                session,
                case,
                Action.escalation_report,
                now,
                reason=cleaned,
                detail={
                    "escalation_id": escalation_id,
                    "report_id": report.id,
                    "kind": kind.value,
                    "channel": channel.value,
                    "level": level.value,
                    "recipient": to_whom,
                    "reported_at": at.isoformat(),
                    "late": late,
                },
            )
            return self._load_card(session, escalation_id)

    def raise_level(
        self,
        escalation_id: int,
        version: int,
        *,
        reason: str,
        severity: Severity | None = None,
    ) -> EscalationCard:
        """Up the chain to the district centre (from the street column), and/or to a graver
        severity (tighter windows, a longer chain)."""
        cleaned = validate_reason(reason)
        now = self.context.now()
        with self.context.db.write() as session:
            escalation, case = self._load(session, escalation_id, version, Action.raise_escalation)
            before_stage, before_severity = escalation.stage, escalation.severity
            stage = rules.stage_after_raise(
                escalation.stage, escalation.severity, severity, case_code=case.code
            )
            if stage is EscalationStage.reported_district:
                escalation.raised_to_district = True
            if severity is not None and rules.graver(severity, escalation.severity):
                escalation.severity = severity
            escalation.stage = stage
            self._bump(session, escalation, now)
            _set_next_report(
                session,
                self.settings,
                escalation,
                case_closed_at=case.closed_at if case.state in _CASE_OVER else None,
            )
            self._event(
                session,
                case,
                Action.raise_escalation,
                now,
                reason=cleaned,
                detail={
                    "escalation_id": escalation_id,
                    "from_stage": before_stage.value,
                    "stage": stage.value,
                    "from_severity": before_severity.value,
                    "severity": escalation.severity.value,
                },
            )
            return self._load_card(session, escalation_id)

    def deescalate(self, escalation_id: int, version: int, *, reason: str) -> EscalationCard:
        """Take the matter off the board, with the reason; its alerts are acknowledged."""
        cleaned = validate_reason(reason)
        now = self.context.now()
        with self.context.db.write() as session:
            escalation, case = self._load(session, escalation_id, version, Action.deescalate)
            rules.require_open(escalation.stage, case_code=case.code, action=Action.deescalate)
            before = escalation.stage
            escalation.stage = EscalationStage.withdrawn
            escalation.closed_at = now
            self._bump(session, escalation, now)
            _set_next_report(session, self.settings, escalation, case_closed_at=None, reports=())
            acknowledged = self._acknowledge(
                session, [col(EscalationAlert.escalation_id) == escalation_id], now
            )
            self._event(
                session,
                case,
                Action.deescalate,
                now,
                reason=cleaned,
                detail={
                    "escalation_id": escalation_id,
                    "from_stage": before.value,
                    "acknowledged": acknowledged,
                },
            )
            return self._load_card(session, escalation_id)

    def acknowledge(
        self, *, alert_ids: Iterable[int] = (), escalation_id: int | None = None
    ) -> int:
        """The shift lead has seen these alerts (or every open alert of one escalation): each
        records who and when; the consoles stop showing and ringing for them."""
        actor = self.context.actor
        permissions.require(actor.role, Action.acknowledge_alert, operator=actor.display_name)
        ids = sorted(set(alert_ids))
        if not ids and escalation_id is None:
            return 0
        now = self.context.now()
        condition: Any = (
            col(EscalationAlert.id).in_(ids)
            if ids
            else col(EscalationAlert.escalation_id) == escalation_id
        )
        with self.context.db.write() as session:
            rows = session.execute(
                select(
                    col(EscalationAlert.id),
                    col(EscalationAlert.escalation_id),
                    col(EscalationAlert.kind),
                )
                .where(condition, col(EscalationAlert.acknowledged_at).is_(None))
                .order_by(col(EscalationAlert.id))
                .with_for_update()
            ).all()
            if not rows:
                return 0
            done = self._acknowledge(
                session, [col(EscalationAlert.id).in_([row[0] for row in rows])], now
            )
            by_escalation: dict[int, list[Any]] = {}
            for row in rows:
                by_escalation.setdefault(row[1], []).append(row)
            for owner, alerts in by_escalation.items():
                escalation = session.get_one(Escalation, owner)
                case = session.get_one(Case, escalation.case_id)
                self._event(
                    session,
                    case,
                    Action.acknowledge_alert,
                    now,
                    detail={
                        "escalation_id": owner,
                        "alerts": [row[0] for row in alerts],
                        "kinds": sorted({AlertKind(row[2]).value for row in alerts}),
                    },
                )
            return done

    # -- helpers ------------------------------------------------------------------------------

    def _load(
        self, session: Session, escalation_id: int, version: int, action: Action
    ) -> tuple[Escalation, Case]:
        actor = self.context.actor
        permissions.require(actor.role, action, operator=actor.display_name)
        escalation = session.execute(
            select(Escalation).where(col(Escalation.id) == escalation_id).with_for_update()
        ).scalar_one_or_none()
        if escalation is None:
            raise NotFound("escalation", escalation_id)
        case = session.get_one(Case, escalation.case_id)
        if escalation.version != version:
            operator = (
                session.get(Operator, escalation.updated_by_id)
                if escalation.updated_by_id
                else None
            )
            raise StaleCase(
                case_code=case.code,
                changed_by=operator.display_name if operator else t("entity.system"),
                changed_at=self.context.local_text(escalation.updated_at or escalation.raised_at),
            )
        return escalation, case

    def _bump(self, session: Session, escalation: Escalation, now: datetime) -> None:
        escalation.version += 1
        escalation.updated_at = now
        escalation.updated_by_id = self.context.actor.id
        session.add(escalation)
        session.flush()

    def _acknowledge(self, session: Session, conditions: list[Any], now: datetime) -> int:
        result = session.execute(
            update(EscalationAlert)
            .where(*conditions, col(EscalationAlert.acknowledged_at).is_(None))
            .values(acknowledged_at=now, acknowledged_by_id=self.context.actor.id)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _event(
        self,
        session: Session,
        case: Case,
        action: Action,
        now: datetime,
        *,
        reason: str = "",
        detail: Mapping[str, Any],
    ) -> None:
        note_case_event(
            session,
            self.context,
            case,
            action,
            now,
            audit_prefix="escalation",
            reason=reason,
            detail=detail,
        )

    @staticmethod
    def _card_select() -> Any:
        return (
            select(
                Escalation,
                col(Case.code),
                col(Case.title),
                col(Case.state),
                col(Grid.name),
            )
            .join(Case, col(Case.id) == col(Escalation.case_id))
            .outerjoin(Grid, col(Grid.id) == col(Case.grid_id))
        )

    def _load_card(self, session: Session, escalation_id: int) -> EscalationCard:
        row = session.execute(
            self._card_select().where(col(Escalation.id) == escalation_id)
        ).one_or_none()
        if row is None:
            raise NotFound("escalation", escalation_id)
        told, alerts = self._card_extras(session, [escalation_id])
        return self._card(row, told, alerts)

    @staticmethod
    def _card_extras(
        session: Session, ids: Sequence[int]
    ) -> tuple[dict[int, set[ReportLevel]], dict[int, int]]:
        """Who has been told, and how many alerts wait, for each of ``ids`` (two queries)."""
        told: dict[int, set[ReportLevel]] = {}
        alerts: dict[int, int] = {}
        if not ids:
            return told, alerts
        for owner, level in session.execute(
            select(col(EscalationReport.escalation_id), col(EscalationReport.level))
            .where(col(EscalationReport.escalation_id).in_(ids))
            .distinct()
        ).all():
            told.setdefault(owner, set()).add(ReportLevel(level))
        alerts = {
            owner: int(count)
            for owner, count in session.execute(
                select(col(EscalationAlert.escalation_id), func.count())
                .where(
                    col(EscalationAlert.escalation_id).in_(ids),
                    col(EscalationAlert.acknowledged_at).is_(None),
                )
                .group_by(col(EscalationAlert.escalation_id))
            ).all()
        }
        return told, alerts

    def _card(
        self, row: Any, told: Mapping[int, set[ReportLevel]], alerts: Mapping[int, int]
    ) -> EscalationCard:
        escalation: Escalation = row[0]
        escalation_id = row_id(escalation)
        windows = self.windows(
            escalation.severity, raised_to_district=escalation.raised_to_district
        )
        levels_told = told.get(escalation_id, set())
        return EscalationCard(
            id=escalation_id,
            version=escalation.version,
            case_code=row[1],
            case_title=row[2],
            case_state=CaseState(row[3]),
            kind=escalation.kind,
            severity=escalation.severity,
            stage=escalation.stage,
            source=escalation.source,
            grid_name=row[4],
            raised_at=escalation.raised_at,
            confirmed_at=escalation.confirmed_at,
            closed_at=escalation.closed_at,
            next_report_due=escalation.next_report_due,
            next_report_at=escalation.next_report_at,
            missed_count=escalation.missed_count,
            levels_required=windows.levels,
            levels_told=tuple(level for level in ReportLevel if level in levels_told),
            open_alerts=alerts.get(escalation_id, 0),
            reason=escalation.reason,
        )

    @staticmethod
    def _alert_rows(
        session: Session, conditions: list[Any], *, limit: int, newest_first: bool = False
    ) -> tuple[AlertRow, ...]:
        operator = aliased(Operator)
        rows = session.execute(
            select(
                EscalationAlert,
                col(Case.code),
                col(Escalation.kind),
                col(Escalation.severity),
                col(operator.display_name),
            )
            .join(Escalation, col(Escalation.id) == col(EscalationAlert.escalation_id))
            .join(Case, col(Case.id) == col(Escalation.case_id))
            .outerjoin(operator, col(operator.id) == col(EscalationAlert.acknowledged_by_id))
            .where(*conditions)
            .order_by(col(EscalationAlert.id).desc() if newest_first else col(EscalationAlert.id))
            .limit(limit)
        ).all()
        return tuple(
            AlertRow(
                id=row_id(alert),
                escalation_id=alert.escalation_id,
                case_code=code,
                kind=alert.kind,
                escalation_kind=EscalationKind(kind),
                severity=Severity(severity),
                at=alert.at,
                due_at=alert.due_at,
                acknowledged_at=alert.acknowledged_at,
                acknowledged_by=name,
            )
            for alert, code, kind, severity, name in rows
        )
