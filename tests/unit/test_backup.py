"""``gridconsole backup`` and ``restore``: verified copies, atomic swaps, refusals with reasons."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.domain.errors import PermissionDenied
from gridconsole.services.backup import (
    BackupFailed,
    NotSqlite,
    RestoreRefused,
    backup_database,
    check_copy,
)
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from gridconsole.store.models import Case
from tests.factories import build_reference_database, new_case_fields, services_for, sqlite_url
from tests.postgres import fresh_schema_url
from tests.unit.test_import import run

# a SQLite file's backup and restore; PostgreSQL is pointed to pg_dump (tested below)
FILE_BACKUPS = pytest.mark.sqlite_only("backups of the SQLite file (PostgreSQL: pg_dump)")


@pytest.fixture
def admin_db(db: Database, clock: FrozenClock) -> Database:
    """The reference street with the OS user as its admin and the import's three cases."""
    ensure_operator(db, clock, username=os_username(), display_name="备份员", role=Role.admin)
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def case_count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        connection.close()


def add_cases(db: Database, clock: FrozenClock, count: int) -> None:
    services = services_for(db, "disp", clock)
    for index in range(count):
        services.cases.report(new_case_fields(title=f"备份测试{index}"))


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


@FILE_BACKUPS
def test_backup_is_a_private_verified_copy(
    admin_db: Database, db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    add_cases(admin_db, clock, 5)
    target = tmp_path / "backups" / "centre-backup.db"
    target.parent.mkdir()
    result = run(sqlite_url(db_path), tmp_path, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"backup written to {target}: ")
    assert "integrity ok" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # one file, no -wal beside it: the copy stands alone
    assert sorted(path.name for path in target.parent.iterdir()) == ["centre-backup.db"]
    assert case_count(target) == 5
    assert check_copy(target).integrity == "ok"
    assert digest(target) in result.stdout
    again = run(sqlite_url(db_path), tmp_path, "backup", str(target))
    assert again.exit_code == 1
    assert "the file exists (--overwrite replaces it)" in again.stderr
    assert "Traceback" not in again.output
    add_cases(admin_db, clock, 1)
    assert run(sqlite_url(db_path), tmp_path, "backup", "--overwrite", str(target)).exit_code == 0
    assert case_count(target) == 6


def test_backup_and_restore_are_an_admins(db: Database, clock: FrozenClock, tmp_path: Path) -> None:
    for username in ("disp", "lead", "audit", "liaison"):
        with pytest.raises(PermissionDenied):
            backup_database(services_for(db, username, clock).context, tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.postgres
def test_postgresql_is_pointed_to_pg_dump(clock: FrozenClock, tmp_path: Path) -> None:
    with fresh_schema_url() as url:
        database = build_reference_database(url)
        try:
            context = services_for(database, "admin", clock).context
            with pytest.raises(NotSqlite) as refused:
                backup_database(context, tmp_path / "pg.db")
        finally:
            database.dispose()
    assert "pg_dump -Fc" in str(refused.value)
    assert not (tmp_path / "pg.db").exists()


def restore(db_path: Path, tmp_path: Path, source: Path) -> Result:
    return run(sqlite_url(db_path), tmp_path, "restore", str(source))


@FILE_BACKUPS
def test_restore_swaps_in_the_verified_copy_and_keeps_the_old(
    admin_db: Database, db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    add_cases(admin_db, clock, 3)
    copy = tmp_path / "copy.db"
    assert run(sqlite_url(db_path), tmp_path, "backup", str(copy)).exit_code == 0
    add_cases(admin_db, clock, 4)  # work after the backup, which the restore rolls back
    admin_db.dispose()
    result = restore(db_path, tmp_path, copy)
    assert result.exit_code == 0, result.output
    kept = tmp_path / "centre.db.before-restore-20261129T013000Z"
    assert f"the previous database is kept as {kept}" in result.stdout
    # the old database whole, its WAL folded in (the restore checkpoints it first)
    assert case_count(kept) == 7
    assert check_copy(kept).integrity == "ok"
    assert case_count(db_path) == 3
    assert check_copy(db_path).integrity == "ok"
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []
    # the console's engine opens it as before
    reopened = Database.connect(f"sqlite:///{db_path}")
    with reopened.read() as session:
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 3
    reopened.dispose()


def _damaged(tmp_path: Path, copy: Path) -> dict[str, Path]:
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("这不是数据库", encoding="utf-8")
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(copy.read_bytes()[: 3 * 4096 + 100])
    flipped = tmp_path / "flipped.db"
    data = bytearray(copy.read_bytes())
    # zero an index page of the cases past its header: its cell pointers then point nowhere
    page_size = int.from_bytes(data[16:18], "big")
    connection = sqlite3.connect(copy)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'"
        " AND rootpage > 0 ORDER BY name LIMIT 1"
    ).fetchone()
    connection.close()
    start = (root - 1) * page_size
    data[start + 8 : start + page_size] = bytes(page_size - 8)
    flipped.write_bytes(bytes(data))
    return {"not a SQLite database": not_sqlite, "truncated": truncated, "flipped": flipped}


@FILE_BACKUPS
def test_restore_refuses_a_damaged_file_and_replaces_nothing(
    admin_db: Database, db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    add_cases(admin_db, clock, 30)
    copy = tmp_path / "copy.db"
    assert run(sqlite_url(db_path), tmp_path, "backup", str(copy)).exit_code == 0
    admin_db.dispose()
    before = digest(db_path)
    for name, damaged in _damaged(tmp_path, copy).items():
        result = restore(db_path, tmp_path, damaged)
        assert result.exit_code == 1, (name, result.output)
        assert result.stderr.startswith(f"{damaged} cannot be restored: "), name
        assert result.stderr.rstrip().endswith("nothing was replaced"), name
        assert "Traceback" not in result.output
        print(f"{name}: {result.stderr.strip()}")
        assert digest(db_path) == before
        assert leftovers(tmp_path) == []
        assert not list(tmp_path.glob("*.before-restore-*"))


@FILE_BACKUPS
def test_restore_refuses_while_a_console_has_the_database_open(
    admin_db: Database, db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    copy = tmp_path / "copy.db"
    assert run(sqlite_url(db_path), tmp_path, "backup", str(copy)).exit_code == 0
    add_cases(admin_db, clock, 1)  # the console's engine holds a pooled connection from now on
    before = digest(db_path)
    result = restore(db_path, tmp_path, copy)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{db_path} is open in another program (a console or the scheduler): close them all,"
        " then restore; nothing was replaced"
    )
    assert digest(db_path) == before
    assert leftovers(tmp_path) == []


@FILE_BACKUPS
def test_backup_failure_leaves_no_file(
    admin_db: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    context = services_for(admin_db, "admin", clock).context
    missing = tmp_path / "no-such-folder" / "copy.db"
    with pytest.raises(BackupFailed) as failed:
        backup_database(context, missing)
    assert (
        str(failed.value) == f"备份到 {missing} 失败：No such file or directory；该处未写入任何内容"
    )
    assert not missing.parent.exists()


@FILE_BACKUPS
def test_a_copy_whose_audit_chain_was_altered_is_not_restored(
    admin_db: Database, db_path: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    """The copy is checked with the live database's key before anything is replaced."""
    import sqlite3

    add_cases(admin_db, clock, 2)
    copy = tmp_path / "copy.db"
    assert run(sqlite_url(db_path), tmp_path, "backup", str(copy)).exit_code == 0
    key = admin_db.audit.keyring.key()
    assert check_copy(copy, key).audit_entries >= 3
    with closing(sqlite3.connect(copy)) as connection, connection:
        connection.execute("DROP TRIGGER audit_entries_no_update")
        connection.execute("UPDATE audit_entries SET username = 'forged' WHERE seq = 2")
    with pytest.raises(RestoreRefused, match="audit chain: entry 2"):
        check_copy(copy, key)
    before = digest(db_path)
    refused = restore(db_path, tmp_path, copy)
    assert refused.exit_code == 1
    assert "audit chain" in refused.output
    assert digest(db_path) == before
