"""Administration from the command line: schema status and upgrade, demo databases, operators.

Each function takes a database URL, opens the database, does one thing and closes it, so the CLI
never touches the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.enums import DatabasePurpose, Role
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t
from gridconsole.services import database
from gridconsole.services.database import SchemaNotCurrent
from gridconsole.services.database_files import require_existing, sqlite_path
from gridconsole.services.operators import ensure_operator
from gridconsole.store import schema
from gridconsole.store.engine import Database
from gridconsole.store.models import Department, Operator

_USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")


class OperatorAddRefused(DomainError):
    key = "cli.operator_add_refused"


class FirstOperatorMustBeAdmin(DomainError):
    key = "cli.first_operator_admin"


class OperatorExists(DomainError):
    key = "cli.operator_exists"


class NotADemoDatabase(DomainError):
    key = "cli.not_demo_database"


class FreshNeedsSqliteFile(DomainError):
    key = "cli.fresh_sqlite_only"


@dataclass(frozen=True)
class SchemaReport:
    url: str
    state: str  # "current", "empty", "behind", "unknown"
    revision: str | None
    head: str
    purpose: DatabasePurpose | None  # None where the schema is not current
    message: str  # the translated sentence saying where the schema stands


@dataclass(frozen=True)
class OperatorView:
    username: str
    display_name: str
    role: Role
    active: bool
    department_code: str = ""  # a liaison's department


@dataclass(frozen=True)
class DemoOutcome:
    url: str
    created: bool  # a new database was made and seeded


def _open_any(url: str) -> tuple[Database, SchemaReport]:
    """Connect whatever the schema's state, and say where it stands."""
    db = database.connect(url, require_current=False)
    try:
        status = schema.schema_status(db.reader)
        if status.state is schema.SchemaState.current:
            message = t("error.schema_current", head=status.head)
            current_purpose: DatabasePurpose | None = database.purpose(db)
        else:
            message = str(SchemaNotCurrent(status, db.url))
            current_purpose = None
    except BaseException:
        db.dispose()
        raise
    return db, SchemaReport(
        db.url, status.state.value, status.revision, status.head, current_purpose, message
    )


def schema_report(url: str) -> SchemaReport:
    require_existing(url)
    db, report = _open_any(url)
    db.dispose()
    return report


def upgrade_database(url: str, settings: Settings) -> tuple[SchemaReport, SchemaReport]:
    """Bring the database at ``url`` to head (a new SQLite file is created)."""
    db, before = _open_any(url)
    try:
        database.upgrade(db, settings)
    finally:
        db.dispose()
    db, after = _open_any(url)
    db.dispose()
    return before, after


# -- operators ----------------------------------------------------------------------------------


def list_operators(url: str) -> tuple[OperatorView, ...]:
    require_existing(url)
    db = database.connect(url)
    try:
        with db.read() as session:
            rows = session.execute(
                select(Operator, col(Department.code))
                .outerjoin(Department, col(Department.id) == col(Operator.department_id))
                .order_by(col(Operator.username))
            ).all()
            return tuple(
                OperatorView(
                    operator.username,
                    operator.display_name,
                    operator.role,
                    operator.active,
                    department_code or "",
                )
                for operator, department_code in rows
            )
    finally:
        db.dispose()


def add_operator(
    url: str,
    clock: Clock,
    *,
    caller: str,
    username: str,
    display_name: str,
    role: Role,
    department: str | None = None,
) -> OperatorView:
    """Add an operator: the first one (an admin) on an empty table, later ones by an admin.
    A department liaison belongs to exactly one department (it scopes all they see and do);
    no other role belongs to one."""
    problems: list[FieldProblem] = []
    if not _USERNAME.match(username):
        problems.append(FieldProblem("username", t("cli.username_invalid", value=username)))
    if not clean_text(display_name):
        problems.append(FieldProblem("name", t("rule.required")))
    if role is Role.liaison and not department:
        problems.append(FieldProblem("department", t("rule.liaison_needs_department")))
    if role is not Role.liaison and department:
        problems.append(FieldProblem("department", t("rule.only_liaisons_have_department")))
    if problems:
        raise ValidationFailed(problems)
    require_existing(url)
    db = database.connect(url)
    try:
        with db.read() as session:
            count = session.execute(select(func.count()).select_from(Operator)).scalar_one()
            existing = session.execute(
                select(Operator).where(Operator.username == username)  # type: ignore[arg-type]
            ).scalar_one_or_none()
            caller_row = session.execute(
                select(Operator).where(Operator.username == caller)  # type: ignore[arg-type]
            ).scalar_one_or_none()
        if count == 0:
            if role is not Role.admin:
                raise FirstOperatorMustBeAdmin(username=username)
        elif caller_row is None or not caller_row.active or caller_row.role is not Role.admin:
            raise OperatorAddRefused(caller=caller)
        if existing is not None:
            raise OperatorExists(username=username)
        department_id = None
        if department:
            with db.read() as session:
                department_id = session.execute(
                    select(col(Department.id)).where(col(Department.code) == department)
                ).scalar_one_or_none()
            if department_id is None:
                raise ValidationFailed(
                    [FieldProblem("department", t("rule.unknown_code", value=department))]
                )
        actor = ensure_operator(
            db,
            clock,
            username=username,
            display_name=display_name,
            role=role,
            department_id=department_id,
        )
        return OperatorView(actor.username, actor.display_name, actor.role, True, department or "")
    finally:
        db.dispose()


# -- demo databases -----------------------------------------------------------------------------


def _seed_function() -> Callable[..., object]:
    from gridconsole.services.demo import seed_demo  # written alongside; imported when needed

    return seed_demo


def prepare_demo(
    url: str,
    clock: Clock,
    *,
    cases: int,
    username: str,
    settings: Settings,
    fresh: bool = False,
    reuse: bool = True,
) -> DemoOutcome:
    """Make sure ``url`` holds a seeded demo database.

    A new or empty database is migrated and seeded. An existing demo database is kept as it is
    (``reuse``) or seeded again (``reuse=False``, ``db seed-demo``); ``fresh`` deletes a demo SQLite
    file first. Anything that is not a demo database is refused untouched: seeding would put
    made-up cases among real ones.
    """
    path = sqlite_path(url)
    if fresh:
        if path is None:
            raise FreshNeedsSqliteFile(url=url)
        if path.exists():
            _require_demo_or_empty(url, settings)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    empty = _require_demo_or_empty(url, settings)
    if not empty and reuse:
        return DemoOutcome(url=url, created=False)
    seed_demo = _seed_function()
    db = database.connect(url, require_current=False)
    try:
        database.upgrade(db, settings)
        seed_demo(db, clock, cases=cases, username=username, settings=settings)
    finally:
        db.dispose()
    return DemoOutcome(url=url, created=True)


def _require_demo_or_empty(url: str, settings: Settings) -> bool:
    """True for an empty database; raise unless it is a demo database (brought to head)."""
    db, report = _open_any(url)
    try:
        if report.state == "empty":
            return True
        if report.state == "unknown":
            raise SchemaNotCurrent(schema.schema_status(db.reader), db.url)
        if database.purpose(db) is not DatabasePurpose.demo:
            raise NotADemoDatabase(url=db.url)
        if report.state == "behind":
            database.upgrade(db, settings)
        return False
    finally:
        db.dispose()


def allow_simulated_clock(url: str) -> None:
    """Refuse a simulated clock (``--now``) unless ``url`` is a demo or training database."""
    require_existing(url)
    db = database.connect(url)
    try:
        database.allow_clock_override(db)
    finally:
        db.dispose()
