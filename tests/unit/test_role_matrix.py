"""The role × action matrix through the real services, on SQLite and PostgreSQL.

For every role and every action of ``domain/permissions.py`` — case actions, administrative
actions, the reader sets, claims, operators, backups, the audit log — a case or object is put
(through the services, by the centre's own operators) in the state where the action is possible,
then the service is called as the role. The roles that were not refused with
:class:`PermissionDenied` must be exactly the matrix's; each allowed change writes exactly one
(labelled) audit entry and each refusal none.

A target a refused role left untouched is handed to the next role; one a role changed is made
again. That keeps the whole matrix at a few hundred service calls on one database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain import permissions
from gridconsole.domain.enums import (
    Action,
    AdminAction,
    ComplaintOutcome,
    ComplaintSource,
    ContactChannel,
    DepartmentKind,
    EscalationKind,
    Priority,
    RejectReason,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Role,
    Satisfaction,
    Severity,
)
from gridconsole.domain.errors import DomainError, PermissionDenied
from gridconsole.domain.periods import PeriodKind
from gridconsole.domain.work_calendar import DayKind
from gridconsole.services.audit import AuditFilter
from gridconsole.services.backup import backup_database
from gridconsole.services.bundle import Services
from gridconsole.services.calendar import CalendarService
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.lookups import case_by_code
from gridconsole.services.records import QueueFilter
from gridconsole.services.roster_records import RosterQuery
from gridconsole.services.statistics_records import Dimension
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry
from tests.factories import OPERATORS, new_case_fields, services_for

NANJING = ZoneInfo("Asia/Shanghai")
# one operator of each role; the liaison is 城管执法中队's (CG), where the cases are dispatched
ACTORS: dict[Role, str] = {
    Role.dispatcher: "disp",
    Role.shift_lead: "lead",
    Role.liaison: "liaison",
    Role.admin: "admin",
    Role.auditor: "audit",
}
assert {OPERATORS[name][1] for name in ACTORS.values()} == set(Role)

Target = object
Call = Callable[[Services, Target], object]


@dataclass
class World:
    """The centre's own operators, who put each target in its state."""

    db: Database
    clock: FrozenClock
    disp: Services
    lead: Services
    admin: Services
    tmp: Path
    serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def version(self, code: str) -> int:
        return self.lead.queue.detail(code).version

    def reported(self, title: str = "夜间施工噪音扰民") -> str:
        return self.disp.cases.report(new_case_fields(title=title)).code

    def registered(self) -> str:
        code = self.reported()
        self.disp.cases.accept(code, self.version(code))
        return code

    def dispatched(self) -> str:
        code = self.registered()
        self.disp.dispatch.dispatch(code, self.version(code), lead="CG")
        return code

    def in_progress(self) -> str:
        code = self.dispatched()
        self.disp.desk.sign(code, self.version(code))
        return code

    def fed_back(self) -> str:
        code = self.in_progress()
        self.disp.desk.feedback(code, self.version(code), text="已现场处理完毕")
        return code

    def closed(self) -> str:
        code = self.fed_back()
        self.disp.closure.verify(code, self.version(code), passed=True, note="网格员现场核查")
        return code

    def unsatisfied(self) -> str:
        code = self.closed()
        self.disp.closure.follow_up(code, self.version(code), satisfaction=Satisfaction.unsatisfied)
        return code

    def returned(self) -> str:
        code = self.pending_return()
        request = self.lead.approvals.for_case(code)[-1]
        self.lead.approvals.approve(request.id, request.case_version, reason="同意退单")
        return code

    def pending_return(self) -> str:
        code = self.dispatched()
        self.disp.desk.request_return(
            code, self.version(code), reason="不属于本部门职责", basis="三定方案第三条"
        )
        return code

    def pending_extension(self) -> str:
        code = self.in_progress()
        self.disp.desk.request_extension(
            code, self.version(code), new_due=LATER, reason="需更换主管道"
        )
        return code

    def pending_suspension(self) -> str:
        code = self.in_progress()
        self.disp.desk.request_suspension(
            code, self.version(code), resume_planned=RESUME_DAY, reason="待业主返回"
        )
        return code

    def suspended(self) -> str:
        code = self.in_progress()
        self.lead.cases.suspend(
            code, self.version(code), resume_planned=RESUME_DAY, reason="待业主返回"
        )
        return code

    def escalation(self) -> tuple[str, int]:
        code = self.reported("工地聚集讨薪")
        card = self.disp.escalations.raise_(
            code,
            kind=EscalationKind.mass_incident,
            severity=Severity.major,
            reason="二十余名工人在工地门口聚集讨薪",
        )
        return code, card.id

    def confirmed_escalation(self) -> tuple[str, int]:
        code, escalation_id = self.escalation()
        self.lead.escalations.confirm(escalation_id, escalation_version(self, escalation_id))
        return code, escalation_id

    def claimed_by_disp(self) -> str:
        code = self.reported()
        self.disp.claims.claim(code)
        return code

    def worker(self) -> int:
        return self.admin.roster.add_worker(self.volunteer()).row.id

    def complaint(self) -> int:
        return self.disp.roster.record_complaint(
            self.worker(), source=ComplaintSource.phone, content="上门态度蛮横"
        ).id

    def volunteer(self) -> dict[str, object]:
        return {
            "name": "曾小明",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": f"137{next(self.serial):08d}",
            "grids": "320102002001001",
        }

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.serial)}"


LATER = datetime(2026, 12, 11, 17, 30, tzinfo=NANJING).astimezone(UTC)
RESUME_DAY = date(2026, 12, 10)


def escalation_version(world: World, escalation_id: int) -> int:
    return world.lead.escalations.detail(escalation_id).card.version


def request_of(world: World, code: str) -> tuple[int, int]:
    request = world.lead.approvals.for_case(code)[-1]
    return request.id, world.version(code)


@dataclass(frozen=True)
class Probe:
    """One action: who the matrix allows, how to make its target, how to call it."""

    name: str
    allowed: frozenset[Role]
    prepare: Callable[[World, Services], Target]
    call: Call
    # a read changes nothing and writes no audit entry, allowed or not
    writes: bool = True
    # False: the target depends on the role (a claim to release is the caller's own)
    shared: bool = True


def _case(action: Action) -> frozenset[Role]:
    return permissions.CASE_PERMISSIONS[action]


def _admin(action: AdminAction) -> frozenset[Role]:
    return permissions.ADMIN_PERMISSIONS[action]


def _code(target: Target) -> str:
    assert isinstance(target, str)
    return target


def _pair(target: Target) -> tuple[str, int]:
    assert isinstance(target, tuple)
    return target


def _codes(target: Target) -> tuple[str, str]:
    assert isinstance(target, tuple)
    return target


def _fields(target: Target) -> dict[str, object]:
    assert isinstance(target, dict)
    return target


def _path(target: Target) -> Path:
    assert isinstance(target, Path)
    return target


def _int(target: Target) -> int:
    assert isinstance(target, int)
    return target


def through_the_gate(action: Action) -> Call:
    """An action no service offers on its own (the timers', a plain close, the absorbing side
    of a merge): the gate every case service passes, loading and changing the case as the role."""

    def call(services: Services, target: Target) -> object:
        code = _code(target)
        changes = CaseChanges(services.context)
        with services.context.db.write() as session:
            version = case_by_code(session, code).version
            case = changes.load(session, code, version, action)
            changes.apply(session, case, action, version, changes={})
        return None

    return call


def case_probes(world: World) -> list[Probe]:
    w = world
    v = w.version
    A = Action
    probes = [
        Probe(
            "report",
            _case(A.report),
            lambda w, s: None,
            lambda s, t: s.cases.report(new_case_fields()),
        ),
        Probe(
            "accept",
            _case(A.accept),
            lambda w, s: w.reported(),
            lambda s, t: s.cases.accept(_code(t), v(_code(t))),
        ),
        Probe(
            "reject",
            _case(A.reject),
            lambda w, s: w.reported(),
            lambda s, t: s.cases.reject(
                _code(t), v(_code(t)), reason=RejectReason.out_of_scope, note="不属于受理范围"
            ),
        ),
        Probe(
            "merge",
            _case(A.merge),
            lambda w, s: (w.reported(), w.reported()),
            lambda s, t: s.cases.merge(_codes(t)[0], v(_codes(t)[0]), into_code=_codes(t)[1]),
        ),
        Probe(
            "resolve_in_grid",
            _case(A.resolve_in_grid),
            lambda w, s: w.reported(),
            lambda s, t: s.cases.resolve_in_grid(_code(t), v(_code(t)), note="网格员已劝导"),
        ),
        Probe(
            "set_priority",
            _case(A.set_priority),
            lambda w, s: w.reported(),
            lambda s, t: s.cases.set_priority(_code(t), v(_code(t)), priority=Priority.urgent),
        ),
        Probe(
            "dispatch",
            _case(A.dispatch),
            lambda w, s: w.registered(),
            lambda s, t: s.dispatch.dispatch(_code(t), v(_code(t)), lead="CG"),
        ),
        Probe(
            "redispatch",
            _case(A.redispatch),
            lambda w, s: w.returned(),
            lambda s, t: s.dispatch.dispatch(_code(t), v(_code(t)), lead="SC"),
        ),
        Probe(
            "sign",
            _case(A.sign),
            lambda w, s: w.dispatched(),
            lambda s, t: s.desk.sign(_code(t), v(_code(t))),
        ),
        Probe(
            "request_return",
            _case(A.request_return),
            lambda w, s: w.dispatched(),
            lambda s, t: s.desk.request_return(
                _code(t), v(_code(t)), reason="不属于本部门职责", basis="三定方案"
            ),
        ),
        Probe(
            "request_extension",
            _case(A.request_extension),
            lambda w, s: w.in_progress(),
            lambda s, t: s.desk.request_extension(
                _code(t), v(_code(t)), new_due=LATER, reason="需更换主管道"
            ),
        ),
        Probe(
            "request_suspension",
            _case(A.request_suspension),
            lambda w, s: w.in_progress(),
            lambda s, t: s.desk.request_suspension(
                _code(t), v(_code(t)), resume_planned=RESUME_DAY, reason="待返回"
            ),
        ),
        Probe(
            "feedback",
            _case(A.feedback),
            lambda w, s: w.in_progress(),
            lambda s, t: s.desk.feedback(_code(t), v(_code(t)), text="已处理"),
        ),
        Probe(
            "return",
            _case(A.return_),
            lambda w, s: w.pending_return(),
            lambda s, t: s.approvals.approve(*request_of(w, _code(t)), reason="同意退单"),
        ),
        Probe(
            "refuse_return",
            _case(A.refuse_return),
            lambda w, s: w.pending_return(),
            lambda s, t: s.approvals.refuse(*request_of(w, _code(t)), reason="属本部门职责"),
        ),
        Probe(
            "approve_extension",
            _case(A.approve_extension),
            lambda w, s: w.pending_extension(),
            lambda s, t: s.approvals.approve(*request_of(w, _code(t)), reason="同意延期"),
        ),
        Probe(
            "refuse_extension",
            _case(A.refuse_extension),
            lambda w, s: w.pending_extension(),
            lambda s, t: s.approvals.refuse(*request_of(w, _code(t)), reason="时限充足"),
        ),
        Probe(
            "suspend",
            _case(A.suspend),
            lambda w, s: w.pending_suspension(),
            lambda s, t: s.approvals.approve(*request_of(w, _code(t)), reason="同意挂起"),
        ),
        Probe(
            "refuse_suspension",
            _case(A.refuse_suspension),
            lambda w, s: w.pending_suspension(),
            lambda s, t: s.approvals.refuse(*request_of(w, _code(t)), reason="可继续办理"),
        ),
        Probe(
            "resume",
            _case(A.resume),
            lambda w, s: w.suspended(),
            lambda s, t: s.cases.resume(_code(t), v(_code(t))),
        ),
        Probe(
            "verify_pass",
            _case(A.verify_pass),
            lambda w, s: w.fed_back(),
            lambda s, t: s.closure.verify(_code(t), v(_code(t)), passed=True, note="已整改"),
        ),
        Probe(
            "verify_fail",
            _case(A.verify_fail),
            lambda w, s: w.fed_back(),
            lambda s, t: s.closure.verify(_code(t), v(_code(t)), passed=False, note="仍有噪音"),
        ),
        Probe("close", _case(A.close), lambda w, s: w.fed_back(), through_the_gate(A.close)),
        Probe(
            "follow_up",
            _case(A.follow_up),
            lambda w, s: w.closed(),
            lambda s, t: s.closure.follow_up(
                _code(t), v(_code(t)), satisfaction=Satisfaction.satisfied
            ),
        ),
        Probe(
            "reopen",
            _case(A.reopen),
            lambda w, s: w.unsatisfied(),
            lambda s, t: s.closure.reopen(_code(t), v(_code(t)), reason="居民反映仍有噪音"),
        ),
        Probe(
            "urge",
            _case(A.urge),
            lambda w, s: w.dispatched(),
            lambda s, t: s.cases.urge(_code(t), v(_code(t)), channel=ContactChannel.phone),
        ),
        Probe(
            "supervise",
            _case(A.supervise),
            lambda w, s: w.dispatched(),
            lambda s, t: s.cases.supervise(_code(t), v(_code(t)), note="限期办结"),
        ),
        Probe(
            "absorb_duplicate",
            _case(A.absorb_duplicate),
            lambda w, s: w.reported(),
            through_the_gate(A.absorb_duplicate),
        ),
        Probe(
            "escalate",
            _case(A.escalate),
            lambda w, s: w.reported("工地聚集讨薪"),
            lambda s, t: s.escalations.raise_(
                _code(t),
                kind=EscalationKind.mass_incident,
                severity=Severity.major,
                reason="工人聚集",
            ),
        ),
        Probe(
            "confirm_escalation",
            _case(A.confirm_escalation),
            lambda w, s: w.escalation(),
            lambda s, t: s.escalations.confirm(_pair(t)[1], escalation_version(w, _pair(t)[1])),
        ),
        Probe(
            "escalation_report",
            _case(A.escalation_report),
            lambda w, s: w.escalation(),
            lambda s, t: s.escalations.record_report(
                _pair(t)[1],
                escalation_version(w, _pair(t)[1]),
                kind=ReportKind.initial,
                channel=ReportChannel.phone,
                level=ReportLevel.street_leader,
                content="电话报告中心主任",
            ),
        ),
        Probe(
            "raise_escalation",
            _case(A.raise_escalation),
            lambda w, s: w.confirmed_escalation(),
            lambda s, t: s.escalations.raise_level(
                _pair(t)[1],
                escalation_version(w, _pair(t)[1]),
                reason="事态扩大",
                severity=None,
            ),
        ),
        Probe(
            "deescalate",
            _case(A.deescalate),
            lambda w, s: w.escalation(),
            lambda s, t: s.escalations.deescalate(
                _pair(t)[1], escalation_version(w, _pair(t)[1]), reason="已自行散去"
            ),
        ),
        Probe(
            "acknowledge_alert",
            _case(A.acknowledge_alert),
            lambda w, s: w.escalation(),
            lambda s, t: s.escalations.acknowledge(escalation_id=_pair(t)[1]),
        ),
        Probe(
            "claim",
            _case(A.claim),
            lambda w, s: w.reported(),
            lambda s, t: s.claims.claim(_code(t)),
        ),
        Probe(
            "release_claim",
            _case(A.release_claim),
            claimed_by_caller,
            lambda s, t: s.claims.release(_code(t)),
            shared=False,
        ),
        Probe(
            "break_claim",
            _case(A.break_claim),
            lambda w, s: w.claimed_by_disp(),
            lambda s, t: s.claims.break_claim(_code(t), reason="调度员离岗"),
        ),
    ]
    # the timers' own actions: no role may choose them
    for action in permissions.CASE_PERMISSIONS:
        if not permissions.CASE_PERMISSIONS[action]:
            probes.append(
                Probe(
                    action.value, frozenset(), lambda w, s: w.dispatched(), through_the_gate(action)
                )
            )
    return probes


def claimed_by_caller(world: World, services: Services) -> Target:
    code = world.reported()
    if permissions.allowed(services.context.actor.role, Action.claim):
        services.claims.claim(code)
    else:
        world.disp.claims.claim(code)
    return code


def admin_probes(world: World) -> list[Probe]:
    return [
        Probe(
            "manage_calendar",
            _admin(AdminAction.manage_calendar),
            lambda w, s: None,
            lambda s, t: CalendarService(s.context).set_day(
                date(2027, 1, 4), DayKind.holiday, "元旦调休"
            ),
        ),
        Probe(
            "manage_departments",
            _admin(AdminAction.manage_departments),
            lambda w, s: w.unique("D"),
            lambda s, t: s.departments.add(
                code=_code(t), name=f"部门{_code(t)}", kind=DepartmentKind.unit
            ),
        ),
        # 政策咨询 has no department: only an override sends it anywhere
        Probe(
            "override_routing",
            _admin(AdminAction.override_routing),
            lambda w, s: consult_registered(w),
            lambda s, t: s.dispatch.dispatch(
                _code(t),
                world.version(_code(t)),
                lead="SC",
                override_reason="市场监管所代为答复",
            ),
        ),
        Probe(
            "manage_roster",
            _admin(AdminAction.manage_roster),
            lambda w, s: w.volunteer(),
            lambda s, t: s.roster.add_worker(_fields(t)),
        ),
        Probe(
            "record_complaint",
            _admin(AdminAction.record_complaint),
            lambda w, s: w.worker(),
            lambda s, t: s.roster.record_complaint(
                _int(t), source=ComplaintSource.phone, content="上门态度蛮横"
            ),
        ),
        Probe(
            "handle_complaint",
            _admin(AdminAction.handle_complaint),
            lambda w, s: w.complaint(),
            lambda s, t: s.roster.handle_complaint(
                _int(t), outcome=ComplaintOutcome.partly, note="已谈话提醒"
            ),
        ),
        Probe(
            "manage_operators",
            _admin(AdminAction.manage_operators),
            lambda w, s: w.unique("op"),
            lambda s, t: s.operators.add(_code(t), display_name="新调度", role=Role.dispatcher),
        ),
        Probe(
            "manage_backups",
            _admin(AdminAction.manage_backups),
            lambda w, s: w.tmp / f"backup-{next(w.serial)}.db",
            lambda s, t: backup_database(s.context, _path(t)),
        ),
    ]


def consult_registered(world: World) -> str:
    code = world.disp.cases.report(new_case_fields(title="政策咨询", category="06-consult")).code
    world.disp.cases.accept(code, world.version(code))
    return code


def reader_probes() -> list[Probe]:
    def none(w: World, s: Services) -> Target:
        return None

    return [
        Probe(
            "read_cases",
            permissions.CASE_READERS,
            none,
            lambda s, t: s.queue.page(QueueFilter()),
            writes=False,
        ),
        Probe(
            "read_board",
            permissions.BOARD_READERS,
            none,
            lambda s, t: s.escalations.board(),
            writes=False,
        ),
        Probe(
            "read_roster",
            permissions.ROSTER_READERS,
            none,
            lambda s, t: s.roster.page(RosterQuery()),
            writes=False,
        ),
        Probe(
            "read_statistics",
            permissions.STATISTICS_READERS,
            none,
            lambda s, t: s.statistics.table(
                Dimension.department, s.statistics.named_period(PeriodKind.this_month)
            ),
            writes=False,
        ),
        Probe(
            "read_audit",
            permissions.AUDIT_READERS,
            none,
            lambda s, t: s.audit.page(AuditFilter()),
            writes=False,
        ),
    ]


def audit_actions(db: Database, after: int) -> list[str]:
    with db.read() as session:
        return list(
            session.execute(
                select(col(AuditEntry.action))
                .where(col(AuditEntry.seq) > after)
                .order_by(col(AuditEntry.seq))
            ).scalars()
        )


def last_seq(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one())


@dataclass
class Outcome:
    allowed: set[tuple[str, Role]] = field(default_factory=set)
    # allowed by the matrix but refused for another reason, with the reason's type
    other: dict[tuple[str, Role], str] = field(default_factory=dict)
    audit: dict[tuple[str, Role], list[str]] = field(default_factory=dict)


# Allowed by the matrix, refused for a reason of their own (never a permission).
EXPECTED_OTHER_REFUSALS = {
    # a backup is SQLite's online backup API; PostgreSQL is told to use pg_dump
    ("manage_backups", Role.admin, "postgresql"): "NotSqlite",
}


# One action that changes two cases: each case's timeline and audit trail has its entry (the
# duplicate's merge, the other case's absorbing it).
# a merge changes two cases; its one entry names the target ("into")
TWO_CASES: dict[str, list[str]] = {}


def run_matrix(world: World, probes: list[Probe]) -> Outcome:
    outcome = Outcome()
    actors = {role: services_for(world.db, name, world.clock) for role, name in ACTORS.items()}
    for probe in probes:
        target: Target = None
        fresh = False
        for role, services in actors.items():
            if not fresh or not probe.shared:
                target = probe.prepare(world, services)
                fresh = True
            before = last_seq(world.db)
            key = (probe.name, role)
            try:
                probe.call(services, target)
            except PermissionDenied:
                pass
            except DomainError as refused:
                outcome.allowed.add(key)
                outcome.other[key] = type(refused).__name__
            else:
                outcome.allowed.add(key)
                fresh = not probe.writes
            outcome.audit[key] = audit_actions(world.db, before)
    return outcome


def test_every_role_is_allowed_exactly_what_the_matrix_says(
    any_db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    admin = services_for(any_db, "admin", clock)
    # a second department handling noise, for a returned case's 改派 (not to the one returning)
    admin.departments.set_categories("SC", ["03-food", "11-noise"])
    world = World(
        db=any_db,
        clock=clock,
        disp=services_for(any_db, "disp", clock),
        lead=services_for(any_db, "lead", clock),
        admin=admin,
        tmp=tmp_path,
    )
    probes = case_probes(world) + admin_probes(world) + reader_probes()
    names = [probe.name for probe in probes]
    assert len(names) == len(set(names))
    # every action of the matrix is probed
    assert {a.value for a in Action} | {a.value for a in AdminAction} <= set(names)

    outcome = run_matrix(world, probes)

    expected = {(probe.name, role) for probe in probes for role in probe.allowed}
    assert sorted(outcome.allowed - expected) == []  # allowed beyond the matrix
    assert sorted(expected - outcome.allowed) == []  # refused although the matrix allows
    backend = any_db.writer.url.get_backend_name()
    other = {(name, role, backend): why for (name, role), why in outcome.other.items()}
    assert other == {key: why for key, why in EXPECTED_OTHER_REFUSALS.items() if key[2] == backend}
    wrong: list[tuple[str, Role, list[str]]] = []
    for probe in probes:
        for role in Role:
            key = (probe.name, role)
            written = outcome.audit[key]
            succeeded = key in outcome.allowed and key not in outcome.other
            if not (succeeded and probe.writes):
                right = written == []
            elif probe.name in TWO_CASES:
                right = written == TWO_CASES[probe.name]
            else:
                # exactly one entry, naming what was done (not a write nobody labelled)
                right = len(written) == 1 and written[0] != "write.unlabelled"
            if not right:
                wrong.append((probe.name, role, written))
    assert wrong == [], "\n".join(map(str, wrong))
    checked = len(probes) * len(Role)
    print(
        f"\nrole x action matrix ({backend}): {len(Role)} roles x {len(probes)} actions = "
        f"{checked} checked, {len(outcome.allowed)} allowed, "
        f"{len(outcome.allowed) - len(outcome.other)} succeeded"
    )
