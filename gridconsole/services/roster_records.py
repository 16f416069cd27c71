"""What the roster services return: plain frozen data, read before the session closes.

Phone and ID numbers in rows are already masked (Art. 17: minimum necessary); the full values
reach only an admin's worker detail (to edit) and the outputs the law makes public (the notice
of Art. 19 publishes the head's and full-time workers' contact numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gridconsole.domain.enums import (
    ComplaintOutcome,
    ComplaintSource,
    GridChangeKind,
    GridKind,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.errors import DomainError, Term
from gridconsole.domain.roster import CoverageFinding, EligibilityDeclaration


class StaleRosterRecord(DomainError):
    """Someone else changed the grid or worker since the operator loaded it."""

    key = "roster.error.stale"

    def __init__(self, what: str, ident: str, changed_by: str, changed_at: str) -> None:
        super().__init__(
            what=Term(f"entity.{what}"), ident=ident, changed_by=changed_by, changed_at=changed_at
        )


@dataclass(frozen=True)
class RosterQuery:
    """Which workers the roster lists: a search text (characters, pinyin or its initials, a grid
    code, digits of a mobile number), a community or grid picked in the tree, and whether
    workers who have left are included."""

    text: str = ""
    community_code: str | None = None
    grid_code: str | None = None
    include_left: bool = False


@dataclass(frozen=True)
class WorkerCursor:
    """Keyset position: the sort key of the last row of the previous page."""

    name_pinyin: str
    id: int


@dataclass(frozen=True)
class WorkerRow:
    id: int
    name: str
    role: WorkerRole
    part_time_category: str | None
    mobile_masked: str
    id_masked: str
    birth_date: date | None
    age: int | None
    status: WorkerStatus
    on_duty_today: bool
    grid_codes: tuple[str, ...]
    grid_names: tuple[str, ...]
    heads: tuple[str, ...]  # codes of the grids this worker heads
    open_cases: int  # open cases in the worker's grids
    reported_this_month: int  # cases this worker reported since the 1st (centre's time)
    complaints: int
    open_complaints: int
    version: int
    name_pinyin: str


@dataclass(frozen=True)
class WorkerPage:
    rows: tuple[WorkerRow, ...]
    total: int  # every worker the query matches
    next_cursor: WorkerCursor | None  # None: this is the last page


@dataclass(frozen=True)
class ComplaintRecord:
    id: int
    worker_id: int
    worker_name: str
    source: ComplaintSource
    complainant: str
    complainant_phone_masked: str
    content: str
    received_at: datetime
    recorded_by: str
    handled_at: datetime | None
    handled_by: str
    outcome: ComplaintOutcome | None
    handling_note: str


@dataclass(frozen=True)
class WorkerDetail:
    row: WorkerRow
    # masked for every role ("" none stored): the full numbers only by a recorded reveal
    mobile: str
    id_number: str
    declaration: EligibilityDeclaration | None
    declared_at: datetime | None
    complaints: tuple[ComplaintRecord, ...]


@dataclass(frozen=True)
class GridNode:
    code: str
    name: str
    kind: GridKind
    workers: int  # serving workers (not left)
    breaches: int  # coverage findings against the regulation
    warnings: int  # soft warnings (households)


@dataclass(frozen=True)
class CommunityNode:
    code: str
    name: str
    grids: tuple[GridNode, ...]


@dataclass(frozen=True)
class GridChangeRecord:
    grid_code: str
    grid_name: str
    community: str
    kind: GridChangeKind
    old_value: str
    new_value: str
    reason: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class GridDetail:
    code: str
    name: str
    kind: GridKind
    community_code: str
    community_name: str
    unit_name: str | None
    households: int | None
    units: int | None
    staff: int | None
    area_description: str
    head_id: int | None
    head_name: str
    workers: tuple[tuple[int, str, WorkerRole, WorkerStatus], ...]  # id, name, role, status
    findings: tuple[CoverageFinding, ...]
    changes: tuple[GridChangeRecord, ...]
    version: int


@dataclass(frozen=True)
class CoverageReport:
    grids: int
    workers: int
    findings: tuple[CoverageFinding, ...]

    @property
    def breaches(self) -> tuple[CoverageFinding, ...]:
        return tuple(finding for finding in self.findings if not finding.warning)

    @property
    def warnings(self) -> tuple[CoverageFinding, ...]:
        return tuple(finding for finding in self.findings if finding.warning)


@dataclass(frozen=True)
class NoticePerson:
    name: str
    role: WorkerRole
    mobile: str  # published in full (Art. 19)


@dataclass(frozen=True)
class NoticeGrid:
    """One grid on the public notice of Art. 19."""

    community: str
    code: str
    name: str
    area: str
    head: NoticePerson | None
    full_time: tuple[NoticePerson, ...]
