"""Backups and restores of a SQLite database, made while consoles write.

A copy is taken with SQLite's online backup API in one step: it reads one consistent snapshot
(in WAL mode a reader does not stop the writers) and every page committed so far, including
those still in the ``-wal`` file, which a file copy would lose. The copy is written to a
private temporary name beside the target (mode 0600: it holds residents' personal data), turned
into a one-file database (rollback journal, no ``-wal``), checked — ``PRAGMA integrity_check``
and the audit chain — synced, and only then renamed over the target: a target name never holds
a partial or unverified copy, whatever fails (a full disk, a kill).

A restore checks the file the same way before touching anything, copies it beside the live
database, and swaps it in with one rename, the old file kept as
``<name>.before-restore-<UTC timestamp>``. It refuses while any other connection has the live
database open (a console, the scheduler): switching the journal mode needs the database to
itself, which is the test, and a console writing to the file being swapped would lose its work.

PostgreSQL is refused with a pointer to ``pg_dump``: its consistent copy is the server's tool
(``pg_dump -Fc``, run by whoever holds the server's credentials, matched to its version), and
the README says how.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain import permissions
from gridconsole.domain.enums import AdminAction
from gridconsole.domain.errors import DomainError
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.database_files import sqlite_path
from gridconsole.services.operators import resolve_actor
from gridconsole.store.audit_log import AuditKeyring, default_key_path
from gridconsole.store.audit_verify import verify_chain
from gridconsole.store.engine import BUSY_TIMEOUT_MS, Database
from gridconsole.store.write_gate import gate_path

# SQLite files begin with this (https://www.sqlite.org/fileformat.html, "Magic Header String")
_SQLITE_HEADER = b"SQLite format 3\x00"
_PRIVATE_FILE = 0o600
_READ_CHUNK = 1 << 20

__all__ = [
    "BackupFailed",
    "BackupReport",
    "CopyCheck",
    "DatabaseInUse",
    "NotSqlite",
    "RestoreRefused",
    "RestoreReport",
    "backup_database",
    "check_copy",
    "restore_database",
]


class NotSqlite(DomainError):
    """Backups here are of SQLite files; PostgreSQL has ``pg_dump``."""

    key = "recovery.not_sqlite"


class BackupFailed(DomainError):
    key = "recovery.backup_failed"


class RestoreRefused(DomainError):
    key = "recovery.restore_refused"


class DatabaseInUse(DomainError):
    key = "recovery.database_in_use"


@dataclass(frozen=True)
class CopyCheck:
    """What was verified of a copy."""

    integrity: str  # "ok"
    audit_entries: int  # entries of the audit chain verified


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    sha256: str
    seconds: float
    check: CopyCheck


@dataclass(frozen=True)
class RestoreReport:
    path: Path  # the live database, now the restored one
    previous: Path  # where the database it replaced was kept
    check: CopyCheck


def _database_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise NotSqlite(url=url)
    return path


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A plain connection (autocommit) that waits for a busy database as the engine does."""
    # as a URI (percent-encoded, so any file name works) to open read-only where asked
    uri = f"{path.absolute().as_uri()}?mode={'ro' if read_only else 'rwc'}"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def _reason(error: BaseException) -> str:
    """What went wrong, in the system's words (not the temporary file's name)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _private_temporary(target: Path, purpose: str) -> Path:
    """A new empty file beside ``target`` only its owner can read (created so, never chmod-ed
    after: a copy of personal data is never readable by others, not even for a moment)."""
    name = f".{target.name}.{purpose}-{os.getpid()}-{time.monotonic_ns()}"
    path = target.with_name(name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    os.close(descriptor)
    return path


def _remove(path: Path) -> None:
    for leftover in (path, *_sidecars(path)):
        with suppress(FileNotFoundError):
            leftover.unlink()


def _sidecars(path: Path) -> tuple[Path, ...]:
    """SQLite's files beside ``path``, and the write gate's (only private copies are removed:
    a live database's gate file stays, or two consoles could lock two different files)."""
    journals = tuple(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))
    return (*journals, gate_path(path))


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_pages(source: Path, target: Path) -> None:
    """Every page of ``source`` as one snapshot into ``target``, made a one-file database."""
    with closing(_connect(source)) as reader, closing(_connect(target)) as writer:
        # one step (pages=-1): the whole copy under one read transaction, so a console committing
        # meanwhile neither restarts it nor makes it inconsistent
        reader.backup(writer, pages=-1)
        mode = writer.execute("PRAGMA journal_mode = DELETE").fetchone()
        if mode is None or str(mode[0]).lower() != "delete":
            raise sqlite3.OperationalError(f"journal mode stayed {mode}")


def check_copy(path: Path, key: bytes | None = None) -> CopyCheck:
    """Integrity and the audit chain of a database file; :class:`RestoreRefused` with the
    reason when either fails. The file is only read. Without ``key`` the chain is only
    counted (a file whose key is not at hand)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise RestoreRefused(path=path, reason=_reason(exc)) from exc
    if header != _SQLITE_HEADER:
        raise RestoreRefused(path=path, reason="not a SQLite database")
    try:
        with closing(_connect(path, read_only=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
    except sqlite3.Error as exc:
        raise RestoreRefused(path=path, reason=_reason(exc)) from exc
    findings = [line for (text,) in rows for line in str(text).splitlines()]
    verdict = "; ".join(findings[:2])
    if len(findings) > 2:
        verdict += f"; … ({len(findings)} problems)"
    if verdict != "ok":
        raise RestoreRefused(path=path, reason=f"PRAGMA integrity_check: {verdict}")
    if "alembic_version" not in tables or "cases" not in tables:
        raise RestoreRefused(path=path, reason="not a gridconsole database")
    return CopyCheck(integrity=verdict, audit_entries=_verify_audit(path, key))


def _verify_audit(path: Path, key: bytes | None) -> int:
    """The audit chain of the database at ``path``: every entry's keyed hash and link checked
    (with ``key``); how many entries there are."""
    if key is not None:
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        try:
            with Session(engine) as session:
                verdict = verify_chain(session, key)
        finally:
            engine.dispose()
        if not verdict.ok:
            raise RestoreRefused(path=path, reason=f"audit chain: {verdict.problem}")
        return verdict.entries
    with closing(_connect(path, read_only=True)) as connection:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "audit_entries" not in tables:
            return 0
        (count,) = connection.execute("SELECT count(*) FROM audit_entries").fetchone()
    return int(count)


def backup_database(
    context: ServiceContext, target: Path, *, overwrite: bool = False
) -> BackupReport:
    """A verified copy of the context's SQLite database at ``target`` (mode 0600)."""
    actor = context.actor
    permissions.require_admin_action(
        actor.role, AdminAction.manage_backups, operator=actor.display_name
    )
    source = _database_file(str(context.db.reader.url))
    target = target.absolute()
    if target.exists() and (not overwrite or target.resolve() == source.resolve()):
        raise BackupFailed(path=target, reason="the file exists (--overwrite replaces it)")
    started = time.perf_counter()
    try:
        partial = _private_temporary(target, "partial")
    except OSError as exc:
        raise BackupFailed(path=target, reason=_reason(exc)) from exc
    try:
        _copy_pages(source, partial)
        try:
            check = check_copy(partial, context.db.audit.keyring.key())
        except RestoreRefused as exc:
            raise BackupFailed(path=target, reason=exc.params["reason"]) from exc
        _sync(partial)
        sha256 = _digest(partial)
        os.replace(partial, target)
        _sync(target.parent)
    except (sqlite3.Error, OSError) as exc:
        raise BackupFailed(path=target, reason=_reason(exc)) from exc
    finally:
        _remove(partial)
    report = BackupReport(
        path=target,
        size=target.stat().st_size,
        sha256=sha256,
        seconds=time.perf_counter() - started,
        check=check,
    )
    with context.db.write() as session:
        _audit(session, context, "backup.made", report)
    return report


def _audit(
    session: Session, context: ServiceContext, action: str, report: BackupReport | RestoreReport
) -> None:
    """The audit entry of a backup or a restore: which file, and what its check found."""
    detail: dict[str, object] = {
        "path": str(report.path),
        "audit_entries": report.check.audit_entries,
    }
    if isinstance(report, BackupReport):
        detail["sha256"] = report.sha256
    else:
        detail["previous"] = str(report.previous)
    record_audit(session, context, action, subject=f"file:{report.path.name}", detail=detail)


def _claim_alone(live: Path) -> None:
    """Refuse unless no other connection has ``live`` open (checked by leaving WAL mode, which
    SQLite allows only to the sole connection); on success the file stands alone, no -wal."""
    try:
        with closing(_connect(live)) as connection:
            connection.execute("PRAGMA busy_timeout = 0")
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseInUse(path=live) from exc
        return  # a damaged database (the reason to restore) is replaced all the same
    except sqlite3.DatabaseError:
        return
    if mode is None or str(mode[0]).lower() != "delete":
        raise DatabaseInUse(path=live)


def restore_database(
    url: str, source: Path, *, settings: Settings, clock: Clock, username: str
) -> RestoreReport:
    """Replace the SQLite database of ``url`` with the verified copy ``source``."""
    live = _database_file(url).absolute()
    # the copy's chain is checked with the live database's key: the key never travels with it
    check = check_copy(source, AuditKeyring(_live_key_path(live, settings)).key())
    if not live.exists():
        raise RestoreRefused(path=live, reason="no database file to replace")
    incoming = _private_temporary(live, "restoring")
    try:
        try:
            _copy_pages(source, incoming)
        except (sqlite3.Error, OSError) as exc:
            raise RestoreRefused(path=source, reason=_reason(exc)) from exc
        # the operator as the restored database knows them: it is the one that will be used
        incoming_db = Database.connect(f"sqlite:///{incoming}")
        try:
            actor = resolve_actor(incoming_db, username)
            permissions.require_admin_action(
                actor.role, AdminAction.manage_backups, operator=actor.display_name
            )
            _claim_alone(live)
            # the restored entry is chained with the live database's key, not one beside the copy
            incoming_db.audit.keyring.configure(_live_key_path(live, settings))
            context = ServiceContext(db=incoming_db, clock=clock, settings=settings, actor=actor)
            previous = live.with_name(f"{live.name}.before-restore-{_stamp(clock.now())}")
            report = RestoreReport(path=live, previous=previous, check=check)
            with incoming_db.write() as session:
                _audit(session, context, "backup.restored", report)
        finally:
            incoming_db.dispose()
        with closing(_connect(incoming)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")  # one file again, no -wal
        _sync(incoming)
        # the old file stays reachable under both names until the new one takes its place
        os.link(live, previous)
        os.replace(incoming, live)
        _sync(live.parent)
    finally:
        _remove(incoming)
    return report


def _live_key_path(live: Path, settings: Settings) -> Path | None:
    configured = settings.security.audit_key_file
    return Path(configured) if configured else default_key_path(f"sqlite:///{live}")


def _stamp(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"
