"""The escalation board's rules (Art. 30): stages, the reports an escalation owes and when.

Pure: the service hands in what happened (raised when, which reports were made, whether the
case is closed) and the configured windows; these functions say which stage follows a move and
which report is due next. Report windows run in calendar time (an emergency does not wait for
office hours), counted from the moment the matter was raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridconsole.domain.enums import (
    Action,
    EscalationStage,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.domain.errors import RuleRefused

S = EscalationStage

# graver last: 一般(Ⅳ) < 较大(Ⅲ) < 重大(Ⅱ) < 特别重大(Ⅰ)
SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.general,
    Severity.larger,
    Severity.major,
    Severity.extraordinary,
)
OPEN_STAGES: tuple[EscalationStage, ...] = (
    S.pending,
    S.reported_street,
    S.reported_district,
    S.handling,
)
CLOSED_STAGES: tuple[EscalationStage, ...] = (S.final_reported, S.withdrawn)
# the board's columns, left to right
BOARD_STAGES: tuple[EscalationStage, ...] = (*OPEN_STAGES, S.final_reported)
# confirmed, not yet closed: where a 终报 or a raise of the level may be made
CONFIRMED_STAGES: tuple[EscalationStage, ...] = (S.reported_street, S.reported_district, S.handling)
WRITTEN_CHANNELS = frozenset({ReportChannel.written, ReportChannel.platform})


def graver(severity: Severity, than: Severity) -> bool:
    return SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(than)


@dataclass(frozen=True)
class ReportWindows:
    """How fast an escalation of one severity must be reported, and to whom.

    ``quick``: the first report by any channel (a phone call); ``written``: the written 初报;
    ``update_every``: 续报 while it is handled; the 终报 is owed ``written`` after the case closes.
    """

    quick: timedelta
    written: timedelta
    update_every: timedelta
    levels: tuple[ReportLevel, ...]


@dataclass(frozen=True)
class ReportMade:
    kind: ReportKind
    channel: ReportChannel
    level: ReportLevel
    at: datetime


@dataclass(frozen=True)
class NextReport:
    due: ReportDue
    at: datetime


def levels_told(reports: Iterable[ReportMade]) -> frozenset[ReportLevel]:
    return frozenset(report.level for report in reports)


def next_report(
    raised_at: datetime,
    windows: ReportWindows,
    reports: Sequence[ReportMade],
    *,
    stage: EscalationStage,
    case_closed_at: datetime | None,
) -> NextReport | None:
    """The report owed next and its deadline; None once the escalation is closed.

    The quick 初报 is kept by any initial report; the written one by an initial report in
    writing or on the platform (a written report made first keeps both). Then a 续报 is owed
    ``update_every`` after the latest report, and once the case is closed a 终报 within the
    written window of the closing.
    """
    if stage in CLOSED_STAGES or any(report.kind is ReportKind.final for report in reports):
        return None
    initial = [report for report in reports if report.kind is ReportKind.initial]
    if not initial:
        return NextReport(ReportDue.initial_quick, raised_at + windows.quick)
    if not any(report.channel in WRITTEN_CHANNELS for report in initial):
        return NextReport(ReportDue.initial_written, raised_at + windows.written)
    if case_closed_at is not None:
        return NextReport(ReportDue.final, case_closed_at + windows.written)
    latest = max(report.at for report in reports)
    return NextReport(ReportDue.update, latest + windows.update_every)


def _refuse(case_code: str, action: Action, rule: str, **params: object) -> RuleRefused:
    return RuleRefused(case_code=case_code, action=action.value, rule=rule, **params)


def require_open(stage: EscalationStage, *, case_code: str, action: Action) -> None:
    if stage not in OPEN_STAGES:
        raise _refuse(case_code, action, "escalation_closed")


def stage_after_confirm(
    stage: EscalationStage, told: frozenset[ReportLevel], *, case_code: str
) -> EscalationStage:
    """The shift lead confirms a raised escalation: it stands at the street level, or at the
    district's when the district centre has already been told."""
    if stage is not S.pending:
        raise _refuse(case_code, Action.confirm_escalation, "escalation_confirmed")
    return S.reported_district if ReportLevel.district_centre in told else S.reported_street


def stage_after_report(
    stage: EscalationStage, kind: ReportKind, level: ReportLevel, *, case_code: str
) -> EscalationStage:
    """A report moves the board: to the district column once the district centre is told, to
    处置中 with the first 续报, to 已终报 with the 终报 (which needs a confirmed escalation).
    Before confirmation reports are recorded (the window runs from the raising) but the card
    stays 待确认."""
    require_open(stage, case_code=case_code, action=Action.escalation_report)
    if kind is ReportKind.final:
        if stage not in CONFIRMED_STAGES:
            raise _refuse(case_code, Action.escalation_report, "final_needs_confirmation")
        return S.final_reported
    if stage is S.pending:
        return stage
    if kind is ReportKind.update:
        return S.handling
    if level is ReportLevel.district_centre and stage is S.reported_street:
        return S.reported_district
    return stage


def stage_after_raise(
    stage: EscalationStage,
    severity: Severity,
    new_severity: Severity | None,
    *,
    case_code: str,
) -> EscalationStage:
    """Raise the level: up the chain to the district (from the street column), and/or to a
    graver severity. Something must go up: a lower or equal severity at the district level is
    refused."""
    require_open(stage, case_code=case_code, action=Action.raise_escalation)
    if stage is S.pending:
        raise _refuse(case_code, Action.raise_escalation, "escalation_unconfirmed")
    if new_severity is not None and not graver(new_severity, severity):
        if new_severity is not severity:
            raise _refuse(case_code, Action.raise_escalation, "severity_not_graver")
        new_severity = None
    if stage is S.reported_street:
        return S.reported_district
    if new_severity is None:
        raise _refuse(case_code, Action.raise_escalation, "already_district")
    return stage
