"""The tables (SQLModel). Alembic migrations in ``migrations/`` are generated from these.

Times are ``UTCDateTime``; enums are stored as their values; every case row carries a
``version`` for optimistic locking (compare-and-set in the services).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from gridconsole.domain.enums import (
    Action,
    AdministrativePower,
    AlertKind,
    CaseSource,
    CaseState,
    ComplaintOutcome,
    ComplaintSource,
    DatabasePurpose,
    DeadlineStep,
    DepartmentKind,
    DispatchRole,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    GridChangeKind,
    GridKind,
    Priority,
    RejectReason,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    RequestKind,
    RequestStatus,
    Role,
    Severity,
    TimeUnit,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.work_calendar import DayKind
from gridconsole.store.types import IntEnumType, UTCDateTime, str_enum

metadata = SQLModel.metadata


def row_id(row: SQLModel) -> int:
    """The primary key of a row that has been flushed (SQLModel types ``id`` as optional)."""
    value = getattr(row, "id", None)
    if value is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return int(value)


class DatabaseInfo(SQLModel, table=True):
    """Facts about the database itself (``purpose``: production, demo or training)."""

    __tablename__ = "database_info"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


# -- the hierarchy --------------------------------------------------------------------------


class District(SQLModel, table=True):
    __tablename__ = "districts"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=64)


class Street(SQLModel, table=True):
    __tablename__ = "streets"

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="districts.id", index=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=64)
    case_prefix: str = Field(max_length=6, unique=True)


class Community(SQLModel, table=True):
    __tablename__ = "communities"

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="streets.id", index=True)
    code: str = Field(max_length=12, unique=True)  # administrative division code, 12 digits
    name: str = Field(max_length=64)
    # pinyin search keys of the name (domain/pinyin_keys.py), kept by the roster service
    name_pinyin: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    name_initials: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})


class Grid(SQLModel, table=True):
    __tablename__ = "grids"
    __table_args__ = (
        # the roster's search by pinyin initials and its pinyin order
        Index("ix_grids_initials", "name_initials"),
        Index("ix_grids_pinyin", "name_pinyin", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    kind: GridKind = Field(sa_type=str_enum(GridKind))
    unit_name: str | None = Field(default=None, max_length=128)  # the unit of a 专属 grid
    households: int | None = Field(default=None)  # 综合网格
    units: int | None = Field(default=None)  # 专属网格: units and staff in it
    staff: int | None = Field(default=None)
    area_description: str = Field(default="", max_length=500)
    head_worker_id: int | None = Field(default=None, foreign_key="grid_workers.id")
    resolves_in_grid: bool = Field(default=True)
    name_pinyin: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    name_initials: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="operators.id")


class GridWorker(SQLModel, table=True):
    __tablename__ = "grid_workers"
    __table_args__ = (
        # the roster's order (pinyin of the name, then id: keyset pages) and its search
        Index("ix_grid_workers_pinyin", "name_pinyin", "id"),
        Index("ix_grid_workers_initials", "name_initials"),
        Index("ix_grid_workers_id_number", "id_number"),
        Index("ix_grid_workers_mobile", "mobile"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, index=True)
    role: WorkerRole = Field(sa_type=str_enum(WorkerRole))
    part_time_category: str | None = Field(default=None, max_length=32)
    mobile: str = Field(default="", max_length=20)
    id_number: str = Field(default="", max_length=18)
    status: WorkerStatus = Field(default=WorkerStatus.active, sa_type=str_enum(WorkerStatus))
    # on duty on this day (the centre's local date): "on duty today" resets itself overnight
    on_duty_on: date | None = Field(default=None)
    name_pinyin: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    name_initials: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="operators.id")


class WorkerDeclaration(SQLModel, table=True):
    """What a worker declared for Art. 14, and who recorded it when (append-only: the latest
    counts, the earlier ones are the history)."""

    __tablename__ = "worker_declarations"
    __table_args__ = (Index("ix_worker_declarations_worker", "worker_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="grid_workers.id")
    citizen: bool | None = None
    criminal: bool | None = None
    detention: bool | None = None
    dismissal: bool | None = None
    dishonesty: bool | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="operators.id")


class WorkerComplaint(SQLModel, table=True):
    """A complaint from the public against a grid worker (Art. 19) and how it was handled."""

    __tablename__ = "worker_complaints"
    __table_args__ = (
        Index("ix_worker_complaints_worker", "worker_id", "received_at"),
        Index("ix_worker_complaints_open", "handled_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="grid_workers.id")
    source: ComplaintSource = Field(sa_type=str_enum(ComplaintSource))
    complainant: str = Field(default="", max_length=40)
    complainant_phone: str = Field(default="", max_length=20)
    content: str = Field(sa_type=Text)
    received_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="operators.id")
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by_id: int | None = Field(default=None, foreign_key="operators.id")
    outcome: ComplaintOutcome | None = Field(default=None, sa_type=str_enum(ComplaintOutcome))
    handling_note: str = Field(default="", sa_type=Text)


class GridChange(SQLModel, table=True):
    """A change of the grid division with its reason: the filing list for the city (Art. 7)."""

    __tablename__ = "grid_changes"
    __table_args__ = (Index("ix_grid_changes_at", "changed_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="grids.id", index=True)
    kind: GridChangeKind = Field(sa_type=str_enum(GridChangeKind))
    old_value: str = Field(default="", sa_type=Text)
    new_value: str = Field(default="", sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    changed_at: datetime = Field(sa_type=UTCDateTime)
    changed_by_id: int | None = Field(default=None, foreign_key="operators.id")


class GridWorkerGrid(SQLModel, table=True):
    """Which worker covers which grid (a worker may cover several)."""

    __tablename__ = "grid_worker_grids"

    worker_id: int = Field(foreign_key="grid_workers.id", primary_key=True)
    grid_id: int = Field(foreign_key="grids.id", primary_key=True, index=True)


# -- departments and categories -------------------------------------------------------------


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    kind: DepartmentKind = Field(sa_type=str_enum(DepartmentKind))
    duty_phone: str = Field(default="", max_length=20)
    active: bool = Field(default=True)


class CaseCategory(SQLModel, table=True):
    __tablename__ = "case_categories"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    family: int = Field(ge=1, le=12)  # the matter family of Art. 9, (一)…(十二)
    resolvable_in_grid: bool = Field(default=False)
    # Art. 16: on the published matter list a grid worker may be given; an official power
    # (licence, penalty, coercion) is never a grid worker's work
    on_matter_list: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    administrative_power: AdministrativePower | None = Field(
        default=None, sa_type=str_enum(AdministrativePower)
    )
    default_department_id: int | None = Field(default=None, foreign_key="departments.id")
    active: bool = Field(default=True)


class DepartmentCategory(SQLModel, table=True):
    """The categories a department handles: dispatching it anything else needs an override."""

    __tablename__ = "department_categories"

    department_id: int = Field(foreign_key="departments.id", primary_key=True)
    category_id: int = Field(foreign_key="case_categories.id", primary_key=True, index=True)


class RoutingRule(SQLModel, table=True):
    """Who handles a category in one community or one grid, before the category's default
    (a 专属 grid's own unit handles its cases, Art. 42). The most specific rule wins."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_id", "community_id", "grid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="case_categories.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    grid_id: int | None = Field(default=None, foreign_key="grids.id")
    department_id: int = Field(foreign_key="departments.id")


class CategoryTimeLimit(SQLModel, table=True):
    """How long one step may take for one category and priority."""

    __tablename__ = "category_time_limits"

    category_id: int = Field(foreign_key="case_categories.id", primary_key=True)
    step: DeadlineStep = Field(sa_type=str_enum(DeadlineStep), primary_key=True)
    priority: Priority = Field(sa_type=IntEnumType(Priority), primary_key=True)
    amount: int = Field(ge=1)
    unit: TimeUnit = Field(sa_type=str_enum(TimeUnit))


# -- operators --------------------------------------------------------------------------------


class Operator(SQLModel, table=True):
    __tablename__ = "operators"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)  # operating-system account
    display_name: str = Field(max_length=40)
    role: Role = Field(sa_type=str_enum(Role))
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # the local password (argon2id), where one is set: required to log in where the centre asks
    # for a second factor, and always to unlock an idle-locked console
    password_hash: str | None = Field(default=None, max_length=200)
    password_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # failed logins in a row (reset by a good one) and the lock-out they caused
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -- the work calendar ----------------------------------------------------------------------


class CalendarDay(SQLModel, table=True):
    """A day an admin declared a holiday or a working day by hand (a holiday notice the
    ``chinesecalendar`` package does not know yet); it takes precedence over the package."""

    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    kind: DayKind = Field(sa_type=str_enum(DayKind))
    note: str = Field(max_length=200)
    entered_by_id: int = Field(foreign_key="operators.id")
    entered_at: datetime = Field(sa_type=UTCDateTime)


# -- cases ------------------------------------------------------------------------------------


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # the queue: WHERE state IN (...) ORDER BY priority, reported_at, id
        Index("ix_cases_queue", "state", "priority", "reported_at", "id"),
        # the same order over every state (a list without a state filter)
        Index("ix_cases_order", "priority", "reported_at", "id"),
        # duplicate candidates: same grid and category, recent
        Index("ix_cases_duplicates", "grid_id", "category_id", "reported_at"),
        Index("ix_cases_external", "source", "external_id"),
        # the deadline timers: the next unfired warning / breach, answered from the index alone
        Index("ix_cases_warn_timer", "warn_at", "warning_fired_for", "due_at"),
        Index("ix_cases_due_timer", "due_at", "breach_fired_for"),
        # a grid worker's reports this month (the roster): source, phone, time
        Index("ix_cases_reporter", "reporter_phone", "reported_at"),
        # statistics: the cases reported in a period
        Index("ix_cases_reported", "reported_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    street_id: int = Field(foreign_key="streets.id")
    community_id: int | None = Field(default=None, foreign_key="communities.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grids.id")
    category_id: int = Field(foreign_key="case_categories.id", index=True)
    source: CaseSource = Field(sa_type=str_enum(CaseSource))
    priority: Priority = Field(sa_type=IntEnumType(Priority))
    state: CaseState = Field(sa_type=str_enum(CaseState))
    title: str = Field(max_length=60)
    description: str = Field(sa_type=Text)
    address: str = Field(default="", max_length=200)
    reporter_name: str = Field(default="", max_length=40)
    reporter_phone: str = Field(default="", max_length=20)
    external_id: str | None = Field(default=None, max_length=64)
    lat: float | None = None
    lon: float | None = None
    # how many people the matter involves, where known (escalation proposals, Art. 30)
    people_involved: int | None = None
    reported_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the step whose clock is running, when it started, and its deadline and warning instant;
    # provisional where the work calendar had to assume a day (no notice for that year)
    step: DeadlineStep | None = Field(default=None, sa_type=str_enum(DeadlineStep))
    step_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline_provisional: bool = Field(default=False)
    # while suspended (挂起) the clock stops: what was left of the allowance, in seconds of the
    # step's kind of time, and the planned resume day
    suspended_remaining_s: int | None = None
    suspended_warn_remaining_s: int | None = None
    suspended_working_time: bool | None = None
    resume_planned_on: date | None = None
    # the deadline before the first approved extension (延期): performance scoring uses it
    original_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # what the deadline timers have fired, so each firing happens once across processes: the
    # due_at a warning / breach was fired for, the overdue ladder's rung for the breached
    # deadline (0 none, 1 urged, 2 supervision prompted, 3 reported) and when its next rung falls
    warning_fired_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    breach_fired_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ladder_rung: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    ladder_next_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    reject_reason: RejectReason | None = Field(default=None, sa_type=str_enum(RejectReason))
    merged_into_id: int | None = Field(default=None, foreign_key="cases.id")
    urge_count: int = Field(default=0)
    supervised: bool = Field(default=False)
    satisfaction: str | None = Field(default=None, max_length=16)
    version: int = Field(default=1)
    created_by_id: int | None = Field(default=None, foreign_key="operators.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="operators.id")
    # a dispatcher working on the case holds it until the claim expires (a shift lead may break
    # it); claiming does not bump the version: it is not an edit of the case
    claimed_by_id: int | None = Field(default=None, foreign_key="operators.id")
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the import that brought the case in, if any: a batch is whole or absent
    import_batch_id: int | None = Field(default=None, foreign_key="import_batches.id", index=True)


class CaseEvent(SQLModel, table=True):
    """The append-only timeline of a case: who did what, when, from which state to which."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case", "case_id", "id"),
        # statistics: the events of some actions in a period (returns, urges, follow-ups …),
        # with the department each judges: a department's counts come from the index alone
        Index("ix_case_events_action_at", "action", "at", "department_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    at: datetime = Field(sa_type=UTCDateTime)
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    action: Action = Field(sa_type=str_enum(Action))
    from_state: CaseState | None = Field(default=None, sa_type=str_enum(CaseState))
    to_state: CaseState | None = Field(default=None, sa_type=str_enum(CaseState))
    reason: str = Field(default="", sa_type=Text)
    on_behalf: bool = Field(default=False)  # recorded by the centre for a department
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # the department the event judges (statistics): the one its detail names, else the case's
    # latest lead dispatch made at or before it; None before any. Written with the event
    # (store/event_departments.py) so a month's ranking does not look it up per event. No
    # foreign key: a derived copy, and adding one makes SQLite copy the whole table.
    department_id: int | None = Field(default=None)


class CaseCodeCounter(SQLModel, table=True):
    """The last sequence number handed out per street prefix and local day."""

    __tablename__ = "case_code_counters"

    prefix: str = Field(primary_key=True, max_length=6)
    day: str = Field(primary_key=True, max_length=8)  # YYYYMMDD, the centre's local date
    last_sequence: int = Field(default=0)


class Dispatch(SQLModel, table=True):
    __tablename__ = "dispatches"
    __table_args__ = (
        UniqueConstraint("case_id", "department_id", "dispatched_at"),
        # a department's work list: its active dispatches, oldest first
        Index("ix_dispatches_department_active", "department_id", "active", "dispatched_at"),
        # statistics: lead dispatches made, fed back and falling due in a period
        Index("ix_dispatches_role_dispatched", "role", "dispatched_at"),
        Index("ix_dispatches_role_feedback", "role", "feedback_at"),
        Index("ix_dispatches_role_scored_due", "role", "scored_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    department_id: int = Field(foreign_key="departments.id", index=True)
    role: DispatchRole = Field(sa_type=str_enum(DispatchRole))
    instruction: str = Field(default="", sa_type=Text)
    dispatched_at: datetime = Field(sa_type=UTCDateTime)
    dispatched_by_id: int | None = Field(default=None, foreign_key="operators.id")
    sign_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handle_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    feedback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    feedback: str = Field(default="", sa_type=Text)
    active: bool = Field(default=True)
    # performance evaluation (statistics): the handling deadline the dispatch is scored against
    # (the one set at dispatch, moved by suspensions, never by extensions); the working seconds
    # the case stood suspended while this dispatch held it; and the working seconds from
    # dispatch to feedback less those suspended (set at feedback)
    scored_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    suspended_working_s: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    handling_working_s: int | None = None


class CaseRequest(SQLModel, table=True):
    """A department's request to the shift lead (退单 / 延期 / 挂起) and its decision."""

    __tablename__ = "case_requests"
    __table_args__ = (Index("ix_case_requests_pending", "status", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    dispatch_id: int | None = Field(default=None, foreign_key="dispatches.id")
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    kind: RequestKind = Field(sa_type=str_enum(RequestKind))
    status: RequestStatus = Field(sa_type=str_enum(RequestStatus))
    requested_at: datetime = Field(sa_type=UTCDateTime)
    requested_by_id: int | None = Field(default=None, foreign_key="operators.id")
    on_behalf: bool = Field(default=False)
    reason: str = Field(sa_type=Text)
    basis: str = Field(default="", sa_type=Text)  # a return's duty basis (职责依据)
    new_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # extension
    resume_planned_on: date | None = None  # suspension
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="operators.id")
    decision_reason: str = Field(default="", sa_type=Text)


class Escalation(SQLModel, table=True):
    """A case on the escalation board (Art. 30): its stage, severity, and the report it owes.

    ``next_report_*`` is derived by the service from the reports made (see
    :func:`gridconsole.domain.escalation.next_report`) so the timers find the next window from an
    index; ``due_fired_for`` / ``missed_fired_for`` hold the window instant an alert was fired
    for, so each fires once across processes (as the case deadline columns do).
    """

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_board", "stage", "raised_at"),
        Index("ix_escalations_next_report", "next_report_at", "missed_fired_for"),
        Index("ix_escalations_report_warn", "report_warn_at", "due_fired_for"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: EscalationKind = Field(sa_type=str_enum(EscalationKind))
    severity: Severity = Field(sa_type=str_enum(Severity))
    stage: EscalationStage = Field(sa_type=str_enum(EscalationStage), index=True)
    source: EscalationSource = Field(
        default=EscalationSource.manual,
        sa_type=str_enum(EscalationSource),
        sa_column_kwargs={"server_default": EscalationSource.manual.value},
    )
    raised_at: datetime = Field(sa_type=UTCDateTime)
    raised_by_id: int | None = Field(default=None, foreign_key="operators.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="operators.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", sa_type=Text)
    # the levels raised beyond the severity's configured chain (e.g. the district centre)
    raised_to_district: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    next_report_due: ReportDue | None = Field(default=None, sa_type=str_enum(ReportDue))
    next_report_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    report_warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_fired_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    missed_fired_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    missed_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="operators.id")


class EscalationReport(SQLModel, table=True):
    """One report made about an escalation: 初报 / 续报 / 终报, to whom, how, when, by whom."""

    __tablename__ = "escalation_reports"
    __table_args__ = (Index("ix_escalation_reports_escalation", "escalation_id", "reported_at"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalations.id")
    kind: ReportKind = Field(sa_type=str_enum(ReportKind))
    channel: ReportChannel = Field(sa_type=str_enum(ReportChannel))
    level: ReportLevel = Field(sa_type=str_enum(ReportLevel))
    recipient: str = Field(default="", max_length=80)  # the person or office told
    content: str = Field(sa_type=Text)
    reported_at: datetime = Field(sa_type=UTCDateTime)  # when it was made (may precede entry)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    # the window it answered and whether it was late for it
    due: ReportDue | None = Field(default=None, sa_type=str_enum(ReportDue))
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late: bool = Field(default=False)


class EscalationAlert(SQLModel, table=True):
    """An alert every console shows (and rings for) until a shift lead acknowledges it."""

    __tablename__ = "escalation_alerts"
    __table_args__ = (
        Index("ix_escalation_alerts_open", "acknowledged_at", "id"),
        Index("ix_escalation_alerts_escalation", "escalation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalations.id")
    kind: AlertKind = Field(sa_type=str_enum(AlertKind))
    at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the window concerned
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="operators.id")


__all__ = [
    "CalendarDay",
    "Case",
    "CaseCategory",
    "CaseCodeCounter",
    "CaseEvent",
    "CaseRequest",
    "CategoryTimeLimit",
    "Community",
    "DatabaseInfo",
    "DatabasePurpose",
    "Department",
    "DepartmentCategory",
    "Dispatch",
    "District",
    "Escalation",
    "EscalationAlert",
    "EscalationReport",
    "Grid",
    "GridChange",
    "GridWorker",
    "GridWorkerGrid",
    "Operator",
    "RoutingRule",
    "Street",
    "WorkerComplaint",
    "WorkerDeclaration",
    "metadata",
]


# -- imports and the audit log --------------------------------------------------------------


class ImportBatch(SQLModel, table=True):
    """One imported file: its content digest makes a re-run of the same file a no-op."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)  # SHA-256 of the file's bytes
    filename: str = Field(max_length=255)
    format: str = Field(max_length=16)
    records: int
    imported_at: datetime = Field(sa_type=UTCDateTime)
    operator_id: int | None = Field(default=None, foreign_key="operators.id")


class AuditEntry(SQLModel, table=True):
    """The tamper-evident log: one entry per action, chained by keyed hashes (HMAC-SHA256).

    ``seq`` is the position in the chain (no gaps); ``hash`` covers every other column and the
    previous entry's hash. The database refuses UPDATE and DELETE on this table (triggers), and
    no column refers to another table, so the log outlives anything it mentions.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_username_at", "username", "at"),
        Index("ix_audit_entries_case", "case_id", "seq"),
        Index("ix_audit_entries_action_at", "action", "at"),
    )

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime)
    operator_id: int | None = None
    username: str = Field(max_length=64)
    role: str = Field(max_length=16)
    action: str = Field(max_length=48)
    case_id: int | None = None
    subject: str = Field(default="", max_length=120)
    detail: str = Field(default="{}", sa_type=Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
