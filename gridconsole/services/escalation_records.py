"""What the escalation board shows, as plain data (no store import: the views read these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridconsole.domain.enums import (
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


@dataclass(frozen=True)
class EscalationCard:
    """One escalation as a card on the board."""

    id: int
    version: int
    case_code: str
    case_title: str
    case_state: CaseState
    kind: EscalationKind
    severity: Severity
    stage: EscalationStage
    source: EscalationSource
    grid_name: str | None
    raised_at: datetime
    confirmed_at: datetime | None
    closed_at: datetime | None
    next_report_due: ReportDue | None
    next_report_at: datetime | None
    missed_count: int
    levels_required: tuple[ReportLevel, ...]
    levels_told: tuple[ReportLevel, ...]
    open_alerts: int
    reason: str

    def overdue(self, now: datetime) -> bool:
        """The next report's window has closed (the card turns red)."""
        return self.next_report_at is not None and self.next_report_at <= now

    @property
    def levels_owed(self) -> tuple[ReportLevel, ...]:
        return tuple(level for level in self.levels_required if level not in self.levels_told)


@dataclass(frozen=True)
class BoardColumn:
    stage: EscalationStage
    cards: tuple[EscalationCard, ...]
    total: int  # the column's size; ``cards`` holds at most the board's limit


@dataclass(frozen=True)
class EscalationBoard:
    columns: tuple[BoardColumn, ...]
    at: datetime  # when it was read (countdowns are drawn from the clock, not from this)

    def column(self, stage: EscalationStage) -> BoardColumn:
        for column in self.columns:
            if column.stage is stage:
                return column
        raise KeyError(stage)

    @property
    def cards(self) -> tuple[EscalationCard, ...]:
        return tuple(card for column in self.columns for card in column.cards)


@dataclass(frozen=True)
class ReportRow:
    id: int
    kind: ReportKind
    channel: ReportChannel
    level: ReportLevel
    recipient: str
    content: str
    reported_at: datetime
    recorded_at: datetime
    operator: str
    due: ReportDue | None
    due_at: datetime | None
    late: bool


@dataclass(frozen=True)
class AlertRow:
    id: int
    escalation_id: int
    case_code: str
    kind: AlertKind
    escalation_kind: EscalationKind
    severity: Severity
    at: datetime
    due_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class EscalationDetail:
    card: EscalationCard
    reports: tuple[ReportRow, ...]
    alerts: tuple[AlertRow, ...]
