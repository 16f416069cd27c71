"""Who is at the keyboard: the operating system account, mapped to an operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.domain import permissions
from gridconsole.domain.enums import AdminAction, Role
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.passwords import password_problem
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit, record_audit_as
from gridconsole.services.context import ServiceContext
from gridconsole.services.identity import USERNAME
from gridconsole.services.identity import os_username as os_username  # its callers look here
from gridconsole.services.passwords import hash_password
from gridconsole.services.records import Actor
from gridconsole.store.engine import Database
from gridconsole.store.models import Department, Operator, row_id


class NotAnOperator(DomainError):
    key = "error.not_an_operator"


def _actor(operator: Operator) -> Actor:
    return Actor(
        id=row_id(operator),
        username=operator.username,
        display_name=operator.display_name,
        role=operator.role,
        department_id=operator.department_id,
    )


def resolve_actor(db: Database, username: str) -> Actor:
    with db.read() as session:
        operator = session.execute(
            select(Operator).where(col(Operator.username) == username, col(Operator.active))
        ).scalar_one_or_none()
    if operator is None:
        raise NotAnOperator(username=username)
    return _actor(operator)


def ensure_operator(
    db: Database,
    clock: Clock,
    *,
    username: str,
    display_name: str,
    role: Role,
    department_id: int | None = None,
) -> Actor:
    """Add the operator if missing (demo set-up and first admin); an existing one is kept."""
    name = clean_text(display_name)
    if not name:
        raise ValidationFailed([FieldProblem("display_name", t("rule.required"))])
    with db.write() as session:
        operator = session.execute(
            select(Operator).where(col(Operator.username) == username)
        ).scalar_one_or_none()
        if operator is None:
            operator = Operator(
                username=username,
                display_name=name,
                role=role,
                department_id=department_id,
                created_at=clock.now(),
            )
            session.add(operator)
            session.flush()
            record_audit_as(
                session,
                os_username(),
                clock.now(),
                "operator.add",
                subject=f"operator:{username}",
                detail={"role": role.value, "department_id": department_id},
            )
        return _actor(operator)


# -- managing operators (admins) ------------------------------------------------------------------


class OperatorExists(DomainError):
    key = "cli.operator_exists"


class UnknownOperator(DomainError):
    key = "auth.error.unknown_operator"


class LastAdmin(DomainError):
    key = "auth.error.last_admin"


@dataclass(frozen=True)
class OperatorView:
    username: str
    display_name: str
    role: Role
    active: bool
    department_code: str = ""  # a liaison's department
    has_password: bool = False
    locked_until: datetime | None = None


def operator_problems(
    *, username: str | None, display_name: str | None, role: Role, department: str | None
) -> list[FieldProblem]:
    """What is wrong with an operator's fields: a liaison belongs to exactly one department
    (it scopes all they see and do); no other role belongs to one."""
    problems: list[FieldProblem] = []
    if username is not None and not USERNAME.match(username):
        problems.append(FieldProblem("username", t("cli.username_invalid", value=username)))
    if display_name is not None and not clean_text(display_name):
        problems.append(FieldProblem("name", t("rule.required")))
    if role is Role.liaison and not department:
        problems.append(FieldProblem("department", t("rule.liaison_needs_department")))
    if role is not Role.liaison and department:
        problems.append(FieldProblem("department", t("rule.only_liaisons_have_department")))
    return problems


class OperatorService:
    """Who may use the console, as what: admins add, disable, re-role operators and set their
    passwords; each change is one transaction with its audit entry."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def _require_admin(self) -> None:
        actor = self.context.actor
        permissions.require_admin_action(
            actor.role, AdminAction.manage_operators, operator=actor.display_name
        )

    def add(
        self, username: str, *, display_name: str, role: Role, department: str | None = None
    ) -> OperatorView:
        self._require_admin()
        problems = operator_problems(
            username=username, display_name=display_name, role=role, department=department
        )
        if problems:
            raise ValidationFailed(problems)
        with self.context.db.write() as session:
            if _by_username(session, username) is not None:
                raise OperatorExists(username=username)
            department_id = _department_id(session, department)
            operator = Operator(
                username=username,
                display_name=clean_text(display_name),
                role=role,
                department_id=department_id,
                created_at=self.context.now(),
            )
            session.add(operator)
            session.flush()
            _audit(
                session,
                self.context,
                "operator.add",
                subject=f"operator:{username}",
                role=role.value,
                department=department or "",
            )
            return operator_view(operator, department)

    def disable(self, username: str) -> OperatorView:
        """Disable an operator: they can no longer log in; their history stays theirs."""
        self._require_admin()
        with self.context.db.write() as session:
            operator = _existing(session, username)
            if operator.role is Role.admin and operator.active:
                _require_another_admin(session, operator)
            operator.active = False
            _audit(session, self.context, "operator.disable", subject=f"operator:{username}")
            return operator_view(operator, _department_code(session, operator))

    def set_role(self, username: str, role: Role, *, department: str | None = None) -> OperatorView:
        self._require_admin()
        problems = operator_problems(
            username=None, display_name=None, role=role, department=department
        )
        if problems:
            raise ValidationFailed(problems)
        with self.context.db.write() as session:
            operator = _existing(session, username)
            if operator.role is Role.admin and role is not Role.admin and operator.active:
                _require_another_admin(session, operator)
            before = operator.role
            operator.role = role
            operator.department_id = _department_id(session, department)
            _audit(
                session,
                self.context,
                "operator.set_role",
                subject=f"operator:{username}",
                before=before.value,
                after=role.value,
                department=department or "",
            )
            return operator_view(operator, department)

    def set_password(self, username: str, password: str) -> OperatorView:
        """Set an operator's local password (argon2id); a lock-out is lifted with it."""
        self._require_admin()
        problem = password_problem(password)
        if problem is not None:
            raise ValidationFailed([FieldProblem("password", t(problem))])
        password_hash = hash_password(password)  # slow by design: outside the transaction
        with self.context.db.write() as session:
            operator = _existing(session, username)
            operator.password_hash = password_hash
            operator.password_set_at = self.context.now()
            operator.failed_logins = 0
            operator.locked_until = None
            _audit(session, self.context, "operator.password", subject=f"operator:{username}")
            return operator_view(operator, _department_code(session, operator))


def _audit(
    session: Session,
    context: ServiceContext | tuple[str, datetime],
    action: str,
    *,
    subject: str = "",
    **detail: object,
) -> None:
    """One audit entry in ``session``'s transaction: by the context's operator, or by a name at
    an instant (the first admin, whom nobody could add)."""
    if isinstance(context, ServiceContext):
        record_audit(session, context, action, subject=subject, detail=detail)
    else:
        username, at = context
        record_audit_as(session, username, at, action, subject=subject, detail=detail)


def add_first_admin(
    db: Database, clock: Clock, *, username: str, display_name: str
) -> OperatorView:
    """The first operator of a new database, an admin, added by whoever runs the command (there
    is nobody to ask yet); audited under the new admin's name."""
    problems = operator_problems(
        username=username, display_name=display_name, role=Role.admin, department=None
    )
    if problems:
        raise ValidationFailed(problems)
    with db.write() as session:
        if session.execute(select(func.count()).select_from(Operator)).scalar_one():
            raise OperatorExists(username=username)
        operator = Operator(
            username=username,
            display_name=clean_text(display_name),
            role=Role.admin,
            created_at=clock.now(),
        )
        session.add(operator)
        session.flush()
        _audit(
            session,
            (username, clock.now()),
            "operator.add",
            subject=f"operator:{username}",
            role="admin",
        )
        return operator_view(operator)


def operator_view(operator: Operator, department_code: str | None = None) -> OperatorView:
    return OperatorView(
        operator.username,
        operator.display_name,
        operator.role,
        operator.active,
        department_code or "",
        operator.password_hash is not None,
        operator.locked_until,
    )


def _by_username(session: Session, username: str) -> Operator | None:
    return session.execute(
        select(Operator).where(col(Operator.username) == username).with_for_update()
    ).scalar_one_or_none()


def _existing(session: Session, username: str) -> Operator:
    operator = _by_username(session, username)
    if operator is None:
        raise UnknownOperator(username=username)
    return operator


def _department_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    department_id = session.execute(
        select(col(Department.id)).where(col(Department.code) == code)
    ).scalar_one_or_none()
    if department_id is None:
        raise ValidationFailed([FieldProblem("department", t("rule.unknown_code", value=code))])
    return department_id


def _department_code(session: Session, operator: Operator) -> str:
    if operator.department_id is None:
        return ""
    return session.get_one(Department, operator.department_id).code


def _require_another_admin(session: Session, operator: Operator) -> None:
    """The last active admin cannot be disabled or demoted: nobody could add operators then."""
    others = session.execute(
        select(func.count())
        .select_from(Operator)
        .where(
            col(Operator.role) == Role.admin,
            col(Operator.active),
            col(Operator.id) != operator.id,
        )
    ).scalar_one()
    if others == 0:
        raise LastAdmin(username=operator.username)
