"""The tamper-evident audit log: entries chained by keyed hashes, appended at commit.

Services say what happened (:func:`add_intent`) while their transaction runs; the entries are
chained and inserted just before that transaction commits, so a rolled-back action leaves none and
the chain's head is read and extended under the same lock as the commit: SQLite writers already
hold the database's write lock (``BEGIN IMMEDIATE``), PostgreSQL writers take a transaction-level
advisory lock here, held only from this point to the commit. Concurrent writers therefore extend
one chain and never fork it.

Each entry's hash is HMAC-SHA256 over its columns and the previous entry's hash, keyed with a
secret kept outside the database (a file, see :class:`AuditKeyring`): someone who can write the
database but not read the key cannot forge an entry, and editing, removing, reordering or inserting
one breaks the chain at that entry. Removing the newest entries is found by comparing with a head
anchored outside the database (:func:`anchor_line`).

A write transaction that changed rows but said nothing gets one entry naming the tables it wrote
(``write.unlabelled``), so nothing goes unrecorded; tests run strict and refuse such writes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlmodel import col

from gridconsole.clock import Clock, SystemClock
from gridconsole.store.models import AuditEntry

KEY_FILE_ENV = "GRIDCONSOLE_AUDIT_KEY_FILE"
STRICT_ENV = "GRIDCONSOLE_AUDIT_STRICT"
GENESIS = "0" * 64
# pg_advisory_xact_lock key: "gridaudi" as a 64-bit integer
_PG_LOCK_KEY = int.from_bytes(b"gridaudi", "big") & 0x7FFF_FFFF_FFFF_FFFF
_INTENTS = "gridconsole_audit_intents"
_CHANGED = "gridconsole_audit_changed"
_LOG = "gridconsole_audit_log"
_EXEMPT = "gridconsole_audit_exempt"


class AuditKeyError(Exception):
    """The audit key cannot be found or read; the message says where it was looked for."""


class UnauditedWrite(Exception):
    """A write transaction changed rows without saying what it did (strict mode: tests)."""


@dataclass(frozen=True)
class AuditIntent:
    at: datetime
    operator_id: int | None
    username: str
    role: str
    action: str
    case_id: int | None = None
    subject: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


def canonical_detail(detail: Mapping[str, Any]) -> str:
    return json.dumps(
        detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def _instant_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    key: bytes,
    *,
    seq: int,
    at: datetime,
    operator_id: int | None,
    username: str,
    role: str,
    action: str,
    case_id: int | None,
    subject: str,
    detail: str,
    prev_hash: str,
) -> str:
    message = json.dumps(
        [
            seq,
            _instant_text(at),
            operator_id,
            username,
            role,
            action,
            case_id,
            subject,
            detail,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def default_key_path(url: str) -> Path | None:
    """``$GRIDCONSOLE_AUDIT_KEY_FILE``, else ``<database file>.audit-key`` beside a SQLite file."""
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured).expanduser()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database)).with_name(Path(str(parsed.database)).name + ".audit-key")
    return None


class AuditKeyring:
    """Where the HMAC key lives and the key once read. The key never enters the database."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._key: bytes | None = None

    def configure(self, path: Path | None) -> None:
        """Use ``path`` (from ``[security] audit_key_file``) unless the variable names another."""
        if path is not None and not os.environ.get(KEY_FILE_ENV):
            self.path = path.expanduser()
            self._key = None

    def _where(self) -> Path:
        if self.path is None:
            raise AuditKeyError(
                "no audit key file: set [security] audit_key_file in config.toml "
                f"or {KEY_FILE_ENV} (the key is kept outside the database)"
            )
        return self.path

    def key(self, *, create: bool = False) -> bytes:
        """The key; with ``create``, a new random key is written first if the file is missing."""
        if self._key is not None:
            return self._key
        path = self._where()
        if create and not path.exists():
            _create_key_file(path)
        try:
            raw = path.read_text(encoding="ascii").strip()
        except FileNotFoundError as exc:
            raise AuditKeyError(
                f"the audit key file {path} is missing: restore it from where it was kept; "
                "without it the audit log can be neither extended nor verified"
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyError(f"the audit key file {path} cannot be read: {exc}") from exc
        try:
            key = bytes.fromhex(raw)
        except ValueError as exc:
            raise AuditKeyError(f"the audit key file {path} does not hold a hex key") from exc
        if len(key) < 32:
            raise AuditKeyError(f"the audit key in {path} is shorter than 32 bytes")
        self._key = key
        return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first: use theirs
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")


@dataclass
class AuditLog:
    """The audit settings of one :class:`~gridconsole.store.engine.Database`."""

    keyring: AuditKeyring
    clock: Clock = field(default_factory=SystemClock)
    strict: bool = field(default_factory=lambda: os.environ.get(STRICT_ENV, "") == "1")

    def attach(self, session: Session) -> None:
        """Chain this session's audit intents into the log when it commits."""
        session.info[_LOG] = self
        event.listen(session, "after_flush", _note_flush)
        event.listen(session, "do_orm_execute", _note_execute)
        event.listen(session, "before_commit", _append_at_commit)


def add_intent(session: Session, intent: AuditIntent) -> None:
    """Record ``intent``; it becomes an entry if and when the session's transaction commits."""
    session.info.setdefault(_INTENTS, []).append(intent)


def mark_unaudited(session: Session, why: str) -> None:
    """This transaction's writes are not actions (a test's reference data): no entry for them.

    ``why`` is for the reader of the code. Actions recorded in the same transaction still are.
    """
    del why
    session.info[_EXEMPT] = True


def _note_flush(session: Session, _context: UOWTransaction) -> None:
    changed: set[str] = session.info.setdefault(_CHANGED, set())
    if session.info.get(_EXEMPT):
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table and table != AuditEntry.__tablename__ and session.is_modified(row):
            changed.add(str(table))
    for row in (*session.new, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table and table != AuditEntry.__tablename__:
            changed.add(str(table))


def _note_execute(state: ORMExecuteState) -> Any:
    """Note a statement that wrote rows. An UPDATE or DELETE that matched none (a timer's tick
    with nothing due) is not a write; one with RETURNING is left to its caller, which records
    what the returned rows did (the timers)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    if state.session.info.get(_EXEMPT):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if not name or name == AuditEntry.__tablename__:
        return None
    if state.is_insert:
        state.session.info.setdefault(_CHANGED, set()).add(str(name))
        return None
    if getattr(state.statement, "_returning", ()):
        return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", 1) != 0:
        state.session.info.setdefault(_CHANGED, set()).add(str(name))
    return result


def _append_at_commit(session: Session) -> None:
    log: AuditLog | None = session.info.get(_LOG)
    if log is None:
        return
    session.flush()  # what the transaction still holds counts as written
    intents: list[AuditIntent] = session.info.pop(_INTENTS, [])
    changed: set[str] = session.info.pop(_CHANGED, set())
    if session.info.pop(_EXEMPT, False):
        changed.clear()
    if not intents and changed:
        if log.strict:
            raise UnauditedWrite(f"a write to {', '.join(sorted(changed))} recorded no action")
        intents = [
            AuditIntent(
                at=log.clock.now(),
                operator_id=None,
                username="system",
                role="",
                action="write.unlabelled",
                detail={"tables": sorted(changed)},
            )
        ]
    if intents:
        append_entries(session, log.keyring, intents)


def append_entries(session: Session, keyring: AuditKeyring, intents: list[AuditIntent]) -> None:
    """Chain ``intents`` after the current head, inside the session's transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    head = session.execute(
        select(col(AuditEntry.seq), col(AuditEntry.hash))
        .order_by(col(AuditEntry.seq).desc())
        .limit(1)
    ).first()
    seq, prev_hash = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
    key = keyring.key(create=head is None)
    rows: list[dict[str, Any]] = []
    for intent in intents:
        seq += 1
        detail = canonical_detail(intent.detail)
        operator_id = intent.operator_id or None
        subject = intent.subject[:120]
        digest = entry_hash(
            key,
            seq=seq,
            at=intent.at,
            operator_id=operator_id,
            username=intent.username,
            role=intent.role,
            action=intent.action,
            case_id=intent.case_id,
            subject=subject,
            detail=detail,
            prev_hash=prev_hash,
        )
        rows.append(
            {
                "seq": seq,
                "at": intent.at,
                "operator_id": operator_id,
                "username": intent.username,
                "role": intent.role,
                "action": intent.action,
                "case_id": intent.case_id,
                "subject": subject,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    session.execute(insert(AuditEntry), rows)
