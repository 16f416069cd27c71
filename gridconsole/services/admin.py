"""Administration from the command line: schema status and upgrade, demo databases, operators.

Each function takes a database URL, opens the database, does one thing and closes it, so the CLI
never touches the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.enums import DatabasePurpose, Role
from gridconsole.domain.errors import DomainError, ValidationFailed
from gridconsole.i18n import t
from gridconsole.services import database
from gridconsole.services.context import ServiceContext
from gridconsole.services.database import SchemaNotCurrent
from gridconsole.services.database_files import require_existing, sqlite_path
from gridconsole.services.operators import (
    NotAnOperator,
    OperatorService,
    OperatorView,
    add_first_admin,
    operator_problems,
    operator_view,
    resolve_actor,
)
from gridconsole.store import schema
from gridconsole.store.engine import Database
from gridconsole.store.models import Department, Operator


class OperatorAddRefused(DomainError):
    key = "cli.operator_add_refused"


class FirstOperatorMustBeAdmin(DomainError):
    key = "cli.first_operator_admin"


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
            return tuple(operator_view(operator, code) for operator, code in rows)
    finally:
        db.dispose()


def _operator_service(
    db: Database, clock: Clock, settings: Settings, caller: str
) -> OperatorService:
    """The operator service acting as ``caller``, who must be an active admin."""
    try:
        actor = resolve_actor(db, caller)
    except NotAnOperator:
        raise OperatorAddRefused(caller=caller) from None
    if actor.role is not Role.admin:
        raise OperatorAddRefused(caller=caller)
    return OperatorService(ServiceContext(db=db, clock=clock, settings=settings, actor=actor))


def add_operator(
    url: str,
    clock: Clock,
    *,
    caller: str,
    username: str,
    display_name: str,
    role: Role,
    department: str | None = None,
    settings: Settings | None = None,
) -> OperatorView:
    """Add an operator: the first one (an admin) on an empty table, later ones by an admin."""
    problems = operator_problems(
        username=username, display_name=display_name, role=role, department=department
    )
    if problems:
        raise ValidationFailed(problems)
    require_existing(url)
    db = database.connect(url)
    try:
        with db.read() as session:
            count = session.execute(select(func.count()).select_from(Operator)).scalar_one()
        if count == 0:
            if role is not Role.admin:
                raise FirstOperatorMustBeAdmin(username=username)
            return add_first_admin(db, clock, username=username, display_name=display_name)
        service = _operator_service(db, clock, settings or Settings(), caller)
        return service.add(username, display_name=display_name, role=role, department=department)
    finally:
        db.dispose()


def disable_operator(
    url: str, clock: Clock, settings: Settings, *, caller: str, username: str
) -> OperatorView:
    require_existing(url)
    db = database.connect(url)
    try:
        return _operator_service(db, clock, settings, caller).disable(username)
    finally:
        db.dispose()


def set_operator_role(
    url: str,
    clock: Clock,
    settings: Settings,
    *,
    caller: str,
    username: str,
    role: Role,
    department: str | None = None,
) -> OperatorView:
    require_existing(url)
    db = database.connect(url)
    try:
        service = _operator_service(db, clock, settings, caller)
        return service.set_role(username, role, department=department)
    finally:
        db.dispose()


def set_operator_password(
    url: str, clock: Clock, settings: Settings, *, caller: str, username: str, password: str
) -> OperatorView:
    require_existing(url)
    db = database.connect(url)
    try:
        return _operator_service(db, clock, settings, caller).set_password(username, password)
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
