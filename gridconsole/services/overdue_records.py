"""Plain frozen data of the overdue pane (预警/超期/即将到期): what the view may hold and import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridconsole.domain.countdown import DeadlineCountdown
from gridconsole.domain.enums import CaseState, DeadlineStep, Priority
from gridconsole.services.records import Choice


@dataclass(frozen=True)
class OverdueFilter:
    step: DeadlineStep | None = None
    department_code: str | None = None  # the department leading the case (主办)
    community_code: str | None = None


@dataclass(frozen=True)
class OverdueCursor:
    """Keyset position: the sort key of the last row of the previous page."""

    due_at: datetime
    id: int


@dataclass(frozen=True)
class OverdueRow:
    """One running deadline in warning, overdue or falling due soon."""

    id: int
    code: str
    version: int
    title: str
    state: CaseState
    priority: Priority
    step: DeadlineStep
    department_name: str  # the lead department (主办) of a dispatched case, else ""
    grid_name: str
    community_name: str
    due_at: datetime
    warn_at: datetime
    working_time: bool  # the step's limit runs in working time (else plain elapsed time)
    provisional: bool  # the deadline crosses a day without a holiday notice
    urge_count: int
    supervised: bool
    # the claim (认领) as stored when the page was read; the table shows it while it runs
    claimed_by_id: int | None = None
    claimed_by_name: str = ""
    claimed_until: datetime | None = None

    @property
    def place(self) -> str:
        """Who the case waits on: the lead department, else the grid."""
        return self.department_name or self.grid_name


@dataclass(frozen=True)
class OverdueCounts:
    warning: int = 0  # 预警
    overdue: int = 0  # 超期
    upcoming: int = 0  # 即将到期

    @property
    def total(self) -> int:
        return self.warning + self.overdue + self.upcoming


@dataclass(frozen=True)
class DepartmentOverdueCounts:
    """The counts of one lead department; ``name`` is "" for cases not yet dispatched."""

    name: str
    counts: OverdueCounts


@dataclass(frozen=True)
class OverdueBoard:
    """One page of the overdue pane and what it needs to count down without the database.

    ``horizon``: deadlines due by then were included as falling due soon. The pane reloads when
    its clock reaches ``next_warn_at`` (a case not listed starts warning) or when its horizon
    passes ``next_due_after_horizon`` (a case not listed falls within the horizon).
    """

    rows: tuple[OverdueRow, ...]
    total: int
    next_cursor: OverdueCursor | None
    counts: OverdueCounts
    departments: tuple[DepartmentOverdueCounts, ...]
    read_at: datetime
    horizon: datetime
    upcoming_working_hours: int
    next_warn_at: datetime | None
    next_due_after_horizon: datetime | None
    countdown: DeadlineCountdown


@dataclass(frozen=True)
class OverdueFilterOptions:
    departments: tuple[Choice, ...]
    communities: tuple[Choice, ...]
