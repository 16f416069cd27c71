"""The audit log as the services use it: record an action, read the log, verify and anchor it.

Every operation that changes something calls :func:`record_audit` inside its own transaction,
once; the entry is chained into the log when (and only if) that transaction commits
(``store/audit_log.py``). Reading the log is for auditors and admins; verifying it needs only the
key and is open to the CLI of whoever holds the key file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.errors import PermissionDenied
from gridconsole.domain.permissions import AUDIT_READERS
from gridconsole.services.audit_records import AuditFilter, AuditPage, AuditRow
from gridconsole.services.context import ServiceContext
from gridconsole.services.records import Actor
from gridconsole.store.audit_log import AuditIntent, add_intent
from gridconsole.store.audit_verify import Anchor, ChainVerdict, parse_anchors, verify_chain
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry, Case, Operator

__all__ = [
    "Anchor",
    "AuditFilter",
    "AuditRow",
    "AuditService",
    "ChainVerdict",
    "record_audit",
    "record_audit_as",
    "verify_database",
]


def record_audit(
    session: Session,
    context: ServiceContext,
    action: str,
    *,
    case_id: int | None = None,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """One entry for ``action`` by the context's operator, now, in ``session``'s transaction."""
    record_audit_as(
        session,
        context.actor,
        context.now(),
        action,
        case_id=case_id,
        subject=subject,
        detail=detail,
    )


def record_audit_as(
    session: Session,
    actor: Actor | str,
    at: datetime,
    action: str,
    *,
    case_id: int | None = None,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """As :func:`record_audit` for an actor outside a context; a bare string is a name typed at
    a login prompt (a failed login names whom it tried, not who it was)."""
    if isinstance(actor, Actor):
        operator_id: int | None = actor.id or None
        username, role = actor.username, actor.role.value
    else:
        operator_id, username, role = None, actor[:64], ""
    add_intent(
        session,
        AuditIntent(
            at=at,
            operator_id=operator_id,
            username=username,
            role=role,
            action=action,
            case_id=case_id,
            subject=subject,
            detail=dict(detail or {}),
        ),
    )


def audit_timer_events(session: Session, events: Iterable[Mapping[str, Any]]) -> None:
    """One entry per event the deadline timers wrote (rows bound for ``case_events``): the
    system acted, at the instant the deadline fell."""
    for event in events:
        action = event["action"]
        record_audit_as(
            session,
            "system",
            event["at"],
            f"timer.{getattr(action, 'value', action)}",
            case_id=event["case_id"],
            detail=event.get("detail") or {},
        )


def verify_database(db: Database, anchors: Iterable[Anchor] = ()) -> ChainVerdict:
    """Verify the whole chain of ``db`` with its configured key."""
    key = db.audit.keyring.key()
    with db.read() as session:
        return verify_chain(session, key, anchors)


def read_anchor_file(path: Path) -> list[Anchor]:
    """Anchors written by ``audit anchor`` (ValueError naming the line that is not one)."""
    return parse_anchors(path.read_text(encoding="utf-8").splitlines())


class AuditService:
    """The auditor's view of the log (read-only: nothing here writes)."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def _require_reader(self) -> None:
        actor = self.context.actor
        if actor.role not in AUDIT_READERS:
            raise PermissionDenied(
                operator=actor.username, role=actor.role.value, action="read_audit"
            )

    def page(self, where: AuditFilter, *, before: int | None = None, limit: int = 50) -> AuditPage:
        """Entries newest first, ``limit`` at a time below ``before`` (keyset on ``seq``)."""
        self._require_reader()
        entry = AuditEntry
        statement = (
            select(entry, col(Operator.display_name), col(Case.code))
            .outerjoin(Operator, col(Operator.id) == col(entry.operator_id))
            .outerjoin(Case, col(Case.id) == col(entry.case_id))
        )
        if before is not None:
            statement = statement.where(col(entry.seq) < before)
        if where.username:
            statement = statement.where(col(entry.username) == where.username)
        if where.case_code:
            statement = statement.where(col(Case.code) == where.case_code)
        if where.action_prefix:
            statement = statement.where(col(entry.action).startswith(where.action_prefix))
        if where.since is not None:
            statement = statement.where(col(entry.at) >= where.since)
        if where.until is not None:
            statement = statement.where(col(entry.at) < where.until)
        statement = statement.order_by(col(entry.seq).desc()).limit(limit + 1)
        with self.context.db.read() as session:
            found = session.execute(statement).all()
        rows = tuple(
            AuditRow(
                seq=row.seq,
                at=row.at,
                username=row.username,
                display_name=display or "",
                role=row.role,
                action=row.action,
                case_code=code or "",
                subject=row.subject,
                detail=row.detail,
            )
            for row, display, code in found[:limit]
        )
        more = len(found) > limit
        return AuditPage(rows, rows[-1].seq if more and rows else None)

    def head(self) -> Anchor | None:
        """The newest entry, to anchor outside the database."""
        self._require_reader()
        with self.context.db.read() as session:
            row = session.execute(
                select(col(AuditEntry.seq), col(AuditEntry.hash))
                .order_by(col(AuditEntry.seq).desc())
                .limit(1)
            ).first()
        return None if row is None else Anchor(int(row[0]), str(row[1]))

    def verify(self, anchors: Iterable[Anchor] = ()) -> ChainVerdict:
        self._require_reader()
        return verify_database(self.context.db, anchors)
