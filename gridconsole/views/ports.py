"""What the views need of the services, described structurally.

The views talk to :class:`gridconsole.services.bundle.Services` but must not import it: that
module reaches the store, and the layer contract forbids views any path to SQL. These protocols
name exactly the calls the console makes; ``Services`` satisfies them as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.audit_chain import Anchor, ChainVerdict
from gridconsole.domain.enums import (
    ContactChannel,
    DatabasePurpose,
    EscalationKind,
    EscalationSource,
    PersonalField,
    Priority,
    RejectReason,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Satisfaction,
    Severity,
)
from gridconsole.domain.escalation import ReportWindows
from gridconsole.domain.periods import Period, PeriodKind
from gridconsole.services.audit_records import AuditFilter, AuditPage
from gridconsole.services.deadline_records import FiredDeadlines, Firing
from gridconsole.services.dispatch_records import (
    DepartmentRecord,
    DepartmentRef,
    DispatchOutcome,
    DispatchPreview,
    RequestRow,
    RoutingSuggestion,
    WorkListPage,
)
from gridconsole.services.escalation_records import (
    AlertRow,
    EscalationBoard,
    EscalationCard,
    EscalationDetail,
)
from gridconsole.services.identity import LockReason, LoginFacts
from gridconsole.services.overdue_records import (
    OverdueBoard,
    OverdueCursor,
    OverdueFilter,
    OverdueFilterOptions,
)
from gridconsole.services.privacy_records import Revealed
from gridconsole.services.records import (
    Actor,
    CaseDetail,
    CaseRow,
    ClaimView,
    DuplicateCandidate,
    FilterOptions,
    HeaderCounts,
    Page,
    QueueCursor,
    QueueFilter,
)
from gridconsole.services.roster_records import (
    CommunityNode,
    ComplaintRecord,
    CoverageReport,
    GridDetail,
    RosterQuery,
    WorkerCursor,
    WorkerDetail,
    WorkerPage,
)
from gridconsole.services.statistics_records import (
    Dimension,
    DrillPage,
    Measure,
    StatisticsTable,
    TrendDay,
    WorkerRow,
)


class ContextPort(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def actor(self) -> Actor: ...

    def now(self) -> datetime: ...


class ClaimsPort(Protocol):
    def claim(self, code: str) -> ClaimView: ...

    def release(self, code: str) -> ClaimView: ...

    def break_claim(self, code: str, *, reason: str = "") -> ClaimView: ...


class CasesPort(Protocol):
    def report(self, raw: Mapping[str, object]) -> CaseDetail: ...

    def accept(
        self,
        code: str,
        version: int,
        *,
        category_code: str | None = None,
        grid_code: str | None = None,
    ) -> CaseDetail: ...

    def reject(self, code: str, version: int, *, reason: RejectReason, note: str) -> CaseDetail: ...

    def merge(self, code: str, version: int, *, into_code: str, note: str = "") -> CaseDetail: ...

    def resolve_in_grid(self, code: str, version: int, *, note: str) -> CaseDetail: ...

    def set_priority(
        self, code: str, version: int, *, priority: Priority, reason: str = ""
    ) -> CaseDetail: ...

    def urge(
        self,
        code: str,
        version: int,
        *,
        note: str = "",
        channel: ContactChannel | None = None,
    ) -> CaseDetail: ...

    def supervise(self, code: str, version: int, *, note: str = "") -> CaseDetail: ...

    def resume(self, code: str, version: int, *, reason: str = ...) -> CaseDetail: ...


class QueuePort(Protocol):
    def page(
        self, query: QueueFilter, after: QueueCursor | None = None, limit: int | None = None
    ) -> Page[CaseRow]: ...

    def detail(self, code: str) -> CaseDetail: ...

    def change_token(self) -> int: ...

    def header_counts(self) -> HeaderCounts: ...

    def filter_options(self) -> FilterOptions: ...

    def duplicate_candidates(
        self,
        *,
        grid_code: str | None,
        category_code: str,
        text: str,
        exclude_code: str | None = None,
    ) -> tuple[DuplicateCandidate, ...]: ...


class BreachFeedPort(Protocol):
    def breaches_after(
        self, event_id: int, *, limit: int = ..., up_to: int | None = ...
    ) -> tuple[Firing, ...]: ...


class OverduePort(Protocol):
    def page(
        self, query: OverdueFilter, limit: int = ..., after: OverdueCursor | None = None
    ) -> OverdueBoard: ...

    def filter_options(self) -> OverdueFilterOptions: ...


class DispatchPort(Protocol):
    """派遣 / 改派 (the dispatch pane)."""

    def active_departments(self) -> tuple[DepartmentRef, ...]: ...

    def preview(self, code: str, lead: str) -> DispatchPreview: ...

    def dispatch(
        self,
        code: str,
        version: int,
        *,
        lead: str,
        assists: Sequence[str] = ...,
        instruction: str = ...,
        override_reason: str = ...,
    ) -> CaseDetail: ...

    def dispatch_many(
        self,
        cases: Sequence[tuple[str, int]],
        *,
        lead: str,
        assists: Sequence[str] = ...,
        instruction: str = ...,
        override_reason: str = ...,
    ) -> tuple[DispatchOutcome, ...]: ...


class RoutingPort(Protocol):
    def suggest(self, codes: Sequence[str]) -> dict[str, RoutingSuggestion]: ...


class ClosurePort(Protocol):
    """核查, 回访 and 重新办理 (the dispatch pane)."""

    def verify(
        self, code: str, version: int, *, passed: bool, note: str, checked_by: str = ...
    ) -> CaseDetail: ...

    def follow_up(
        self, code: str, version: int, *, satisfaction: Satisfaction, note: str = ...
    ) -> CaseDetail: ...

    def reopen(self, code: str, version: int, *, reason: str) -> CaseDetail: ...


class DeskPort(Protocol):
    """The department's side of a dispatch (the department pane): a liaison for their own
    department, the centre on a department's behalf."""

    def work_list(
        self, department: str | None = ..., *, after: int | None = ..., limit: int | None = ...
    ) -> WorkListPage: ...

    def sign(self, code: str, version: int, *, note: str = ...) -> CaseDetail: ...

    def request_return(self, code: str, version: int, *, reason: str, basis: str) -> CaseDetail: ...

    def request_extension(
        self, code: str, version: int, *, new_due: datetime, reason: str
    ) -> CaseDetail: ...

    def request_suspension(
        self, code: str, version: int, *, resume_planned: date, reason: str
    ) -> CaseDetail: ...

    def feedback(self, code: str, version: int, *, text: str) -> CaseDetail: ...


class DepartmentsPort(Protocol):
    """The department directory (the work list's department picker)."""

    def list_departments(self, include_inactive: bool = ...) -> tuple[DepartmentRecord, ...]: ...


class PrivacyPort(Protocol):
    """Revealing masked personal data: the permission, a reason, an audit entry."""

    def case_fields(self) -> tuple[PersonalField, ...]: ...

    def worker_fields(self) -> tuple[PersonalField, ...]: ...

    def reveal_case(self, code: str, *, reason: str) -> Revealed: ...

    def reveal_worker(self, worker_id: int, *, reason: str) -> Revealed: ...


class RosterPort(Protocol):
    """The roster of grids and grid workers (the roster pane)."""

    @property
    def may_manage(self) -> bool: ...

    def tree(self) -> tuple[CommunityNode, ...]: ...

    def page(
        self, query: RosterQuery, after: WorkerCursor | None = ..., limit: int | None = ...
    ) -> WorkerPage: ...

    def worker(self, worker_id: int) -> WorkerDetail: ...

    def grid(self, code: str) -> GridDetail: ...

    def coverage(self) -> CoverageReport: ...

    def add_worker(self, raw: Mapping[str, object]) -> WorkerDetail: ...

    def update_worker(
        self, worker_id: int, version: int, raw: Mapping[str, object]
    ) -> WorkerDetail: ...

    def set_on_duty(self, worker_id: int, version: int, on_duty: bool) -> WorkerDetail: ...

    def complaints(
        self, *, open_only: bool = ..., limit: int = ...
    ) -> tuple[ComplaintRecord, ...]: ...

    def write_notice(self, path: Path, community_code: str | None = ...) -> int: ...

    def export_workers(self, path: Path) -> int: ...


class ApprovalsPort(Protocol):
    """The shift lead's decisions on the departments' requests (the approvals pane)."""

    def pending(self, *, limit: int = ...) -> tuple[RequestRow, ...]: ...

    def approve(self, request_id: int, case_version: int, *, reason: str) -> CaseDetail: ...

    def refuse(self, request_id: int, case_version: int, *, reason: str) -> CaseDetail: ...


class EscalationsPort(Protocol):
    """The escalation board (Art. 30) and the alerts every console shows."""

    def board(self, *, limit: int = ...) -> EscalationBoard: ...

    def detail(self, escalation_id: int) -> EscalationDetail: ...

    def for_case(self, code: str) -> tuple[EscalationCard, ...]: ...

    def open_alerts(
        self, *, limit: int = ..., newest_first: bool = ...
    ) -> tuple[AlertRow, ...]: ...

    def open_alert_count(self) -> int: ...

    def windows(self, severity: Severity, *, raised_to_district: bool = ...) -> ReportWindows: ...

    def raise_(
        self,
        code: str,
        *,
        kind: EscalationKind,
        severity: Severity,
        reason: str,
        source: EscalationSource = ...,
    ) -> EscalationCard: ...

    def confirm(self, escalation_id: int, version: int) -> EscalationCard: ...

    def record_report(
        self,
        escalation_id: int,
        version: int,
        *,
        kind: ReportKind,
        channel: ReportChannel,
        level: ReportLevel,
        content: str,
        recipient: str = ...,
        reported_at: datetime | None = ...,
    ) -> EscalationCard: ...

    def raise_level(
        self, escalation_id: int, version: int, *, reason: str, severity: Severity | None = ...
    ) -> EscalationCard: ...

    def deescalate(self, escalation_id: int, version: int, *, reason: str) -> EscalationCard: ...

    def acknowledge(
        self, *, alert_ids: Iterable[int] = ..., escalation_id: int | None = ...
    ) -> int: ...


class AuditPort(Protocol):
    """The audit log, read-only (the auditor's pane)."""

    def page(
        self, where: AuditFilter, *, before: int | None = None, limit: int = 50
    ) -> AuditPage: ...

    def verify(self, anchors: Iterable[Anchor] = ()) -> ChainVerdict: ...


class StatisticsPort(Protocol):
    """Performance evaluation (the statistics pane): tables, trend, drill-down, export."""

    def today(self) -> date: ...

    def named_period(self, kind: PeriodKind) -> Period: ...

    def custom_period(self, first: date, last: date) -> Period: ...

    def table(
        self, dimension: Dimension, period: Period, *, fresh: bool = ...
    ) -> StatisticsTable: ...

    def trend(
        self,
        period: Period,
        dimension: Dimension = ...,
        key: int | None = ...,
        *,
        whole_centre: bool = ...,
    ) -> tuple[TrendDay, ...]: ...

    def drill(
        self,
        period: Period,
        dimension: Dimension | None,
        key: int | None,
        measure: Measure,
        *,
        limit: int = ...,
    ) -> DrillPage: ...

    def workers(self, period: Period) -> tuple[WorkerRow, ...]: ...

    def export(self, period: Period, path: Path) -> tuple[Path, ...]: ...


class AuthPort(Protocol):
    """Login, logout, the idle lock and unlock of the console's operator."""

    @property
    def password_required(self) -> bool: ...

    def facts(self) -> LoginFacts: ...

    def login(self, password: str | None = ...) -> Actor: ...

    def logout(self) -> None: ...

    def lock(self, reason: LockReason) -> None: ...

    def unlock(self, password: str) -> None: ...


class DeadlineTimersPort(Protocol):
    """The console's deadline timers (``gridconsole.scheduling``), started once services open."""

    def start(self) -> None: ...

    def rearm(self) -> None: ...

    def shutdown(self) -> None: ...


# builds the timers for open services; the callback gets what each tick fired in this console
TimersFactory = Callable[["ConsoleServices", Callable[[FiredDeadlines], None]], DeadlineTimersPort]


class LiveChangesPort(Protocol):
    """Other consoles' commits as they happen (PostgreSQL); on SQLite subscribing does nothing."""

    def subscribe(self, callback: Callable[[], object]) -> Callable[[], None]: ...

    def close(self) -> None: ...


class ConsoleServices(Protocol):
    """The slice of ``Services`` the console uses."""

    @property
    def context(self) -> ContextPort: ...

    @property
    def purpose(self) -> DatabasePurpose: ...

    @property
    def cases(self) -> CasesPort: ...

    @property
    def queue(self) -> QueuePort: ...

    @property
    def overdue(self) -> OverduePort: ...

    @property
    def watch(self) -> BreachFeedPort: ...

    @property
    def dispatch(self) -> DispatchPort: ...

    @property
    def routing(self) -> RoutingPort: ...

    @property
    def closure(self) -> ClosurePort: ...

    @property
    def desk(self) -> DeskPort: ...

    @property
    def approvals(self) -> ApprovalsPort: ...

    @property
    def departments(self) -> DepartmentsPort: ...

    @property
    def roster(self) -> RosterPort: ...

    @property
    def escalations(self) -> EscalationsPort: ...

    @property
    def live(self) -> LiveChangesPort: ...

    @property
    def statistics(self) -> StatisticsPort: ...

    @property
    def audit(self) -> AuditPort: ...

    @property
    def auth(self) -> AuthPort: ...

    @property
    def claims(self) -> ClaimsPort: ...

    @property
    def privacy(self) -> PrivacyPort: ...


@dataclass(frozen=True)
class ServicesOpener:
    """How the console comes by its services.

    ``open`` connects and checks the schema; it imports SQLAlchemy, which costs more than drawing
    the console, so the console calls it in a worker after its first frame. ``clock`` is the one
    the services will use: the header shows it while they open.
    """

    open: Callable[[], ConsoleServices]
    clock: Clock
    timers: TimersFactory | None = None  # the deadline timers (None: tests without them)

    @classmethod
    def ready(cls, services: ConsoleServices) -> ServicesOpener:
        """Services that are already open (tests and tools)."""
        return cls(lambda: services, services.context.clock)
