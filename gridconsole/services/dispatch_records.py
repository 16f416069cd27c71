"""Plain data of dispatch work: routing, the departments' work lists and the shift lead's approvals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gridconsole.domain.countdown import DeadlineCountdown
from gridconsole.domain.enums import (
    CaseState,
    DepartmentKind,
    DispatchRole,
    Priority,
    RequestKind,
    RequestStatus,
)
from gridconsole.services.records import CaseDetail


@dataclass(frozen=True)
class DepartmentRef:
    code: str
    name: str


@dataclass(frozen=True)
class DepartmentRecord:
    """One entry of the department directory."""

    code: str
    name: str
    kind: DepartmentKind
    duty_phone: str
    active: bool
    category_codes: tuple[str, ...]
    liaison_names: tuple[str, ...]


@dataclass(frozen=True)
class RoutingSuggestion:
    """Where a case would go: the configured department (the most specific rule: grid, then
    community, then the category's default) and the department that most often completed this
    category in this community in the last 90 days, with its on-time rate."""

    configured: DepartmentRef | None
    configured_by: str | None  # "grid", "community" or "category": which rule gave it
    history: DepartmentRef | None
    history_completed: int
    history_on_time_rate: float | None  # 0..1, None when nothing was completed


@dataclass(frozen=True)
class DispatchPreview:
    """The deadlines a dispatch made now would set (from the work calendar)."""

    sign_due_at: datetime
    handle_due_at: datetime
    provisional: bool


@dataclass(frozen=True)
class DispatchOutcome:
    """One case of a bulk dispatch: dispatched (``detail``) or refused (``error``, translated)."""

    code: str
    detail: CaseDetail | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.detail is not None


@dataclass(frozen=True)
class DepartmentWorkRow:
    """One active dispatch on a department's work list (签收 / 处置 / 反馈)."""

    dispatch_id: int
    case_code: str
    case_version: int
    state: CaseState
    priority: Priority
    title: str
    category_name: str
    grid_name: str
    department: DepartmentRef
    role: DispatchRole
    dispatched_at: datetime
    sign_due_at: datetime | None
    signed_at: datetime | None
    due_at: datetime | None  # the case's running deadline (handling, possibly extended)
    warn_at: datetime | None  # when that deadline starts warning (预警)
    working_time: bool  # the running step's limit counts working time (else elapsed time)
    pending_request: RequestKind | None


@dataclass(frozen=True)
class RequestRow:
    """A department's request to the shift lead, with what the lead needs to decide it."""

    id: int
    kind: RequestKind
    status: RequestStatus
    case_code: str
    case_version: int
    case_title: str
    case_state: CaseState
    department: DepartmentRef | None
    requested_at: datetime
    requested_by_name: str
    on_behalf: bool
    reason: str
    basis: str
    new_due_at: datetime | None
    resume_planned_on: date | None
    current_due_at: datetime | None
    decided_at: datetime | None
    decided_by_name: str
    decision_reason: str


@dataclass(frozen=True)
class WorkListPage:
    """One page of a department's work list, oldest dispatch first, and the countdown over the
    calendar its deadlines were computed with (the pane ticks them from memory)."""

    rows: tuple[DepartmentWorkRow, ...]
    total: int
    next_after: int | None  # the dispatch id to pass as ``after`` for the next page (None: last)
    countdown: DeadlineCountdown = field(compare=False, repr=False)
