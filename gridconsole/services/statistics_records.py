"""Plain frozen data of performance evaluation (绩效考评): the measures of one department,
community, grid or category over a period, the ranking, the daily trend, the grid workers'
figures and the cases behind a figure. What views, the CLI and the reports hold and import.

The formulas are in the README ("Performance evaluation") and the statistics pane's help; each
property here names the one it computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from gridconsole.domain.enums import CaseState
from gridconsole.domain.periods import Period


class Dimension(StrEnum):
    """What the rows of a table are."""

    department = "department"  # the lead department (主办) of the dispatch
    community = "community"  # the case's community
    grid = "grid"  # the case's grid
    category = "category"  # the case's category


class Measure(StrEnum):
    """A figure that can be drilled into: the cases behind it."""

    received = "received"
    sign_judged = "sign_judged"
    signed_on_time = "signed_on_time"
    completed = "completed"
    completed_on_time = "completed_on_time"
    missed_unfinished = "missed_unfinished"
    overdue_now = "overdue_now"
    overdue_ever = "overdue_ever"
    returns = "returns"
    refused_returns = "refused_returns"
    extensions = "extensions"
    reopenings = "reopenings"
    urges = "urges"
    supervisions = "supervisions"
    follow_ups = "follow_ups"
    satisfied = "satisfied"
    basically = "basically"
    unsatisfied = "unsatisfied"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Measures:
    """The counts of one row; rates are properties (None where nothing is there to judge)."""

    received: int = 0
    sign_judged: int = 0
    signed_on_time: int = 0
    completed: int = 0
    completed_on_time: int = 0
    missed_unfinished: int = 0
    overdue_now: int = 0
    overdue_ever: int = 0
    handling_median_s: int | None = None
    handling_p90_s: int | None = None
    handling_timed: int = 0
    returns: int = 0
    refused_returns: int = 0
    extensions: int = 0
    reopenings: int = 0
    urges: int = 0
    supervisions: int = 0
    follow_ups: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0

    def count(self, measure: Measure) -> int:
        value = getattr(self, measure.value)
        assert isinstance(value, int)
        return value

    @property
    def sign_on_time_rate(self) -> float | None:
        """按时签收率 = signed by the sign deadline / lead dispatches made whose sign is judged."""
        return _rate(self.signed_on_time, self.sign_judged)

    @property
    def on_time_due(self) -> int:
        """应办结 = fed back in the period + scored deadlines in the period missed unfinished."""
        return self.completed + self.missed_unfinished

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 = fed back by the scored deadline / (fed back + missed still unfinished)."""
        return _rate(self.completed_on_time, self.on_time_due)

    @property
    def return_rate(self) -> float | None:
        """退单率 = approved returns / received."""
        return _rate(self.returns, self.received)

    @property
    def rework_rate(self) -> float | None:
        """返工率 = reopenings (核查不通过 + 重新办理) / fed back."""
        return _rate(self.reopenings, self.completed)

    @property
    def satisfied_rate(self) -> float | None:
        return _rate(self.satisfied, self.follow_ups)

    @property
    def basically_rate(self) -> float | None:
        return _rate(self.basically, self.follow_ups)

    @property
    def unsatisfied_rate(self) -> float | None:
        return _rate(self.unsatisfied, self.follow_ups)

    @property
    def handling_median_hours(self) -> float | None:
        return None if self.handling_median_s is None else self.handling_median_s / 3600

    @property
    def handling_p90_hours(self) -> float | None:
        return None if self.handling_p90_s is None else self.handling_p90_s / 3600


@dataclass(frozen=True)
class StatisticsRow:
    """One department, community, grid or category: its measures, score and rank (1 = best)."""

    key: int | None  # its id (None: cases without a community / grid)
    code: str
    name: str
    measures: Measures
    score: float | None
    rank: int | None


@dataclass(frozen=True)
class StatisticsTable:
    """A ranking over a period, best score first, and the centre's totals."""

    dimension: Dimension
    period: Period
    rows: tuple[StatisticsRow, ...]
    totals: Measures
    total_score: float | None
    read_at: datetime


@dataclass(frozen=True)
class TrendDay:
    """One local day: cases received, lead dispatches fed back, scored deadlines missed."""

    day: date
    received: int
    completed: int
    overdue: int


@dataclass(frozen=True)
class WorkerRow:
    """A grid worker's figures: cases they reported, of those resolved in the grid, and the
    verifications (核查) of cases in their grids and how many met the verification deadline."""

    worker_id: int
    name: str
    grids: str
    reported: int
    resolved_in_grid: int
    verifications: int
    verified_on_time: int

    @property
    def verified_on_time_rate(self) -> float | None:
        return _rate(self.verified_on_time, self.verifications)


@dataclass(frozen=True)
class DrillRow:
    """A case behind a figure: what happened at ``at`` (the dispatch, feedback, deadline or
    event the figure counts)."""

    code: str
    title: str
    state: CaseState
    category_name: str
    community_name: str
    at: datetime


@dataclass(frozen=True)
class DrillPage:
    rows: tuple[DrillRow, ...]
    total: int


@dataclass(frozen=True)
class OverdueListRow:
    """A lead dispatch whose scored deadline fell in the period and was missed (the report's
    overdue list)."""

    code: str
    title: str
    category_name: str
    community_name: str
    department_name: str
    dispatched_at: datetime
    scored_due_at: datetime
    feedback_at: datetime | None
    reporter_phone: str  # masked


@dataclass(frozen=True)
class EscalationListRow:
    """An escalation raised in the period (the report's escalation sheet)."""

    code: str
    title: str
    kind: str
    severity: str
    stage: str
    raised_at: datetime
    closed_at: datetime | None
    reports: int
    late_reports: int
