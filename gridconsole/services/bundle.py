"""All services of one console session, built once from settings, clock and identity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.enums import DatabasePurpose
from gridconsole.services import database
from gridconsole.services.approvals import ApprovalService
from gridconsole.services.audit import AuditService
from gridconsole.services.authentication import AuthenticationService, record_unknown_login
from gridconsole.services.cases import CaseService
from gridconsole.services.claims import ClaimService
from gridconsole.services.closure import ClosureService
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.services.department_desk import DepartmentDeskService
from gridconsole.services.departments import DepartmentService
from gridconsole.services.dispatching import DispatchService
from gridconsole.services.escalations import EscalationService
from gridconsole.services.identity import Identity
from gridconsole.services.live_changes import LiveChanges
from gridconsole.services.operators import (
    NotAnOperator,
    OperatorService,
    os_username,
    resolve_actor,
)
from gridconsole.services.overdue import OverdueService
from gridconsole.services.privacy import PrivacyService
from gridconsole.services.queue import QueueService
from gridconsole.services.roster import RosterService
from gridconsole.services.routing import RoutingService
from gridconsole.services.statistics import StatisticsService
from gridconsole.store.engine import Database


@dataclass(frozen=True)
class Services:
    context: ServiceContext
    purpose: DatabasePurpose
    cases: CaseService
    queue: QueueService
    overdue: OverdueService
    watch: DeadlineWatch  # breaches other processes fired, for this console's notices
    dispatch: DispatchService
    desk: DepartmentDeskService  # the department's side: sign, requests, feedback
    approvals: ApprovalService  # the shift lead's decisions on the requests
    closure: ClosureService  # verification, follow-up, reopen
    departments: DepartmentService  # the department directory and routing rules (admins)
    routing: RoutingService  # where cases would go: configured routes and history
    roster: RosterService  # grids and grid workers, declarations, complaints (Art. 6–20)
    escalations: EscalationService  # the escalation board (Art. 30) and its alerts
    statistics: StatisticsService  # performance evaluation (Art. 5, 35): measures, ranking
    claims: ClaimService  # who works which case (认领): claim, release, break
    privacy: PrivacyService  # revealing masked personal data: permission, reason, audit
    auth: AuthenticationService  # login, logout, the idle lock and unlock
    operators: OperatorService  # who may use the console, as what (admins)
    audit: AuditService  # the audit log, for auditors and admins (read-only)
    live: LiveChanges  # other consoles' commits as they happen (PostgreSQL LISTEN/NOTIFY)

    @classmethod
    def build(
        cls,
        db: Database,
        settings: Settings,
        clock: Clock,
        username: str,
        identity: Identity | None = None,
    ) -> Services:
        configure_audit(db, settings, clock)
        context = ServiceContext(
            db=db, clock=clock, settings=settings, actor=resolve_actor(db, username)
        )
        identity = identity or Identity(account=username, username=username, shared=False)
        return cls(
            context=context,
            purpose=database.purpose(db),
            cases=CaseService(context),
            queue=QueueService(context),
            overdue=OverdueService(context),
            watch=DeadlineWatch(context),
            dispatch=DispatchService(context),
            desk=DepartmentDeskService(context),
            approvals=ApprovalService(context),
            closure=ClosureService(context),
            departments=DepartmentService(context),
            routing=RoutingService(context),
            roster=RosterService(context),
            escalations=EscalationService(context),
            statistics=StatisticsService(context),
            claims=ClaimService(context),
            privacy=PrivacyService(context),
            auth=AuthenticationService(db, clock, settings, context.actor, identity),
            operators=OperatorService(context),
            audit=AuditService(context),
            live=LiveChanges(db),
        )


def configure_audit(db: Database, settings: Settings, clock: Clock) -> None:
    """The audit key from the settings, and the clock its unlabelled entries are stamped with."""
    if settings.security.audit_key_file:
        db.audit.keyring.configure(Path(settings.security.audit_key_file))
    db.audit.clock = clock


def open_services(
    settings: Settings,
    clock: Clock,
    *,
    url: str | None = None,
    username: str | None = None,
    identity: Identity | None = None,
) -> Services:
    """Connect to the configured database (schema must be current) as the OS user, or as the
    operator ``identity`` names (a login by a name no active operator has is audited)."""
    db = database.connect(url or settings.database.url)
    try:
        if clock.simulated:
            database.allow_clock_override(db)
        if identity is None:
            return Services.build(db, settings, clock, username or os_username())
        try:
            return Services.build(db, settings, clock, identity.username, identity)
        except NotAnOperator:
            record_unknown_login(db, clock, identity)
            raise
    except BaseException:
        db.dispose()
        raise
