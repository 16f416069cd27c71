"""Plain frozen data the services return: no ORM object ever leaves a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import (
    Action,
    CaseSource,
    CaseState,
    DatabasePurpose,
    DeadlineStep,
    DispatchRole,
    Priority,
    RejectReason,
    Role,
    Satisfaction,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """The operator on whose behalf a service acts."""

    id: int
    username: str
    display_name: str
    role: Role
    department_id: int | None = None


@dataclass(frozen=True)
class QueueCursor:
    """Keyset position: the sort key of the last row of the previous page."""

    priority: int
    reported_at: datetime
    id: int


@dataclass(frozen=True)
class QueueFilter:
    states: tuple[CaseState, ...] = ()
    category_code: str | None = None
    grid_code: str | None = None
    community_code: str | None = None
    source: CaseSource | None = None
    priority: Priority | None = None
    search: str = ""


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list."""

    id: int
    code: str
    version: int
    state: CaseState
    priority: Priority
    source: CaseSource
    title: str
    category_name: str
    grid_name: str
    community_name: str
    reported_at: datetime
    due_at: datetime | None
    warn_at: datetime | None = None  # when the running deadline starts warning (预警)
    # who holds the case and until when, as stored (the list shows it only while it runs)
    claimed_by_id: int | None = None
    claimed_by_name: str = ""
    claimed_until: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    total: int
    next_cursor: QueueCursor | None  # None: this is the last page


@dataclass(frozen=True)
class CaseEventView:
    id: int
    at: datetime
    operator_name: str
    action: Action
    from_state: CaseState | None
    to_state: CaseState | None
    reason: str
    on_behalf: bool
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DispatchView:
    """One dispatch of a case (current or past), for the detail screen."""

    department_code: str
    department_name: str
    role: DispatchRole
    dispatched_at: datetime
    sign_due_at: datetime | None
    signed_at: datetime | None
    handle_due_at: datetime | None
    returned_at: datetime | None
    feedback_at: datetime | None
    feedback: str
    active: bool


@dataclass(frozen=True)
class CaseDetail:
    id: int
    code: str
    version: int
    state: CaseState
    priority: Priority
    source: CaseSource
    title: str
    description: str
    address: str
    reporter_name: str
    reporter_phone_masked: str
    category_code: str
    category_name: str
    category_resolvable_in_grid: bool
    grid_code: str | None
    grid_name: str
    community_name: str
    street_name: str
    reported_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    due_at: datetime | None
    step: DeadlineStep | None  # the step whose clock runs
    warn_at: datetime | None
    deadline_provisional: bool  # a day the deadline crosses has no holiday notice yet
    deadline_status: DeadlineStatus | None  # at the time the detail was read
    reject_reason: RejectReason | None
    merged_into_code: str | None
    external_id: str | None
    updated_at: datetime
    updated_by_name: str
    events: tuple[CaseEventView, ...]
    allowed_actions: tuple[Action, ...]
    dispatches: tuple[DispatchView, ...] = ()
    original_due_at: datetime | None = None  # before the first approved extension
    satisfaction: Satisfaction | None = None
    # the running claim (认领) when the detail was read: nobody's once it expired
    claimed_by_id: int | None = None
    claimed_by_name: str = ""
    claimed_until: datetime | None = None
    claim_actions: tuple[Action, ...] = ()  # claim / release / break, as the actor may now


@dataclass(frozen=True)
class ClaimView:
    """Who holds a case after a claim, release or break (nobody: ``claimed_by_id`` None)."""

    code: str
    claimed_by_id: int | None
    claimed_by_name: str
    claimed_until: datetime | None


@dataclass(frozen=True)
class DuplicateCandidate:
    code: str
    title: str
    state: CaseState
    reported_at: datetime
    similarity: float


@dataclass(frozen=True)
class Choice:
    """An option of a filter or form field: the stored code and the label shown."""

    code: str
    label: str


@dataclass(frozen=True)
class FilterOptions:
    categories: tuple[Choice, ...]
    communities: tuple[Choice, ...]
    grids: tuple[Choice, ...]


@dataclass(frozen=True)
class HeaderCounts:
    """The live counts in the console header."""

    waiting: int  # 待受理
    working: int  # 处置中
    warning: int  # 预警
    overdue: int  # 超期
    escalated: int  # 升级


@dataclass(frozen=True)
class DatabaseFacts:
    purpose: DatabasePurpose
    url: str
