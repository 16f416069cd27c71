"""Opening a database for work: schema check, purpose (production/demo/training), upgrade."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from gridconsole.config import Settings
from gridconsole.domain.enums import DatabasePurpose
from gridconsole.domain.errors import DomainError
from gridconsole.services.audit import record_audit_as
from gridconsole.services.deadlines import start_missing_steps
from gridconsole.services.operators import os_username
from gridconsole.store import schema
from gridconsole.store.engine import Database
from gridconsole.store.models import DatabaseInfo

PURPOSE_KEY = "purpose"


class SchemaNotCurrent(DomainError):
    """The database is not at the code's migration head; the message says what to run."""

    def __init__(self, status: schema.SchemaStatus, url: str) -> None:
        self.key = f"error.schema_{status.state.value}"
        super().__init__(url=url, revision=status.revision or "-", head=status.head)
        self.status = status


class ClockOverrideRefused(DomainError):
    key = "error.clock_override_refused"


def connect(url: str, *, require_current: bool = True) -> Database:
    """Connect; unless the schema is at head, raise :class:`SchemaNotCurrent` (nothing is written)."""
    db = Database.connect(url)
    if require_current:
        status = schema.schema_status(db.reader)
        if status.state is not schema.SchemaState.current:
            db.dispose()
            raise SchemaNotCurrent(status, db.url)
    return db


def upgrade(
    db: Database, settings: Settings | None = None
) -> tuple[schema.SchemaStatus, schema.SchemaStatus]:
    """Bring the database to head; returns the status before and after.

    With ``settings`` (the centre's working hours and default limits), open cases that have no
    running deadline yet — made before deadlines existed — are given theirs.
    """
    before = schema.schema_status(db.reader)
    if before.state is schema.SchemaState.unknown:
        raise SchemaNotCurrent(before, db.url)
    schema.upgrade(db.writer)
    if settings is not None:
        with db.write() as session:
            started = start_missing_steps(session, settings)
            if started:
                record_audit_as(
                    session,
                    os_username(),
                    db.audit.clock.now(),
                    "database.start_missing_steps",
                    detail={"cases": started},
                )
    return before, schema.schema_status(db.reader)


def purpose(db: Database) -> DatabasePurpose:
    with db.read() as session:
        value = session.execute(
            select(col(DatabaseInfo.value)).where(col(DatabaseInfo.key) == PURPOSE_KEY)
        ).scalar_one_or_none()
    return DatabasePurpose(value) if value else DatabasePurpose.production


def set_purpose(db: Database, value: DatabasePurpose) -> None:
    with db.write() as session:
        session.merge(DatabaseInfo(key=PURPOSE_KEY, value=value.value))
        record_audit_as(
            session,
            os_username(),
            db.audit.clock.now(),
            "database.set_purpose",
            detail={"purpose": value.value},
        )


def allow_clock_override(db: Database) -> None:
    """``--now`` is for demo and training databases only: refuse it on production data."""
    if purpose(db) is DatabasePurpose.production:
        raise ClockOverrideRefused(url=db.url)
