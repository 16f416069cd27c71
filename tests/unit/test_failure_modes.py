"""A full disk, a read-only database, a database another program keeps locked: each ends the
command with a message saying so — no traceback, nothing half-written, the work still there."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gridconsole.cli import main
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store import engine
from gridconsole.store.audit_log import KEY_FILE_ENV
from gridconsole.store.engine import Database
from tests.factories import sqlite_url
from tests.import_files import state_of, write_records
from tests.lock_holder import held_by_another_process
from tests.unit.test_import import CLEAN_ENV, DATA, NOW, dump, run

# The database is a file here: its size limit (the full disk), its mode bits and another
# program's lock on it. PostgreSQL's own failures (a full server disk, a read-only replica, a
# lock held past lock_timeout) happen on the server and are not made from a test.
pytestmark = pytest.mark.sqlite_only("failures of the database file itself")


@pytest.fixture
def admin_db(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=os_username(), display_name="管理员", role=Role.admin)
    db.dispose()
    return db


@pytest.fixture
def dispatcher_db(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=os_username(), display_name="导入员", role=Role.dispatcher)
    db.dispose()
    return db


def cli(
    db_url: str, config: Path, *args: str, file_limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in its own process; with ``file_limit``, no file it writes may grow past that
    many bytes (RLIMIT_FSIZE, SIGXFSZ ignored: the write fails as on a full disk)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert file_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    # the settings' variables are the test's to give; the audit key stays (it is outside the db)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GRIDCONSOLE_") or key == KEY_FILE_ENV
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gridconsole",
            "--config",
            str(config),
            "--db",
            db_url,
            "--lang",
            "en",
            "--now",
            NOW,
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        preexec_fn=limit_files if file_limit is not None else None,
        check=False,
    )


def test_disk_full_during_an_import_saves_nothing_and_the_rerun_imports_whole(
    dispatcher_db: Database, db_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "empty.toml"
    config.touch()
    data = tmp_path / "hotline.jsonl"
    write_records(data, 5_000)
    url = f"sqlite:///{db_path}"
    limit = db_path.stat().st_size + 256 * 1024  # far less than 5,000 cases need
    full = cli(url, config, "cases", "import", str(data), file_limit=limit)
    print(f"\ndisk full (files capped at {limit:,} bytes): {full.stderr.strip()}")
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    assert full.stderr.startswith("writing to the database failed — is the disk full?")
    assert full.stderr.rstrip().endswith("the transaction was rolled back and nothing was saved")
    integrity, batches, orphans, cases = state_of(db_path)
    assert (integrity, batches, orphans, cases) == ("ok", [], 0, 0)
    again = cli(url, config, "cases", "import", str(data))
    assert again.returncode == 0, again.stderr
    assert state_of(db_path) == ("ok", [(1, 5_000, 5_000)], 0, 5_000)


def test_disk_full_during_a_backup_leaves_no_file(
    admin_db: Database, db_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "empty.toml"
    config.touch()
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    limit = db_path.stat().st_size // 2
    full = cli(f"sqlite:///{db_path}", config, "backup", str(target), file_limit=limit)
    print(f"\nbackup, disk full: {full.stderr.strip()}")
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    assert full.stderr.startswith(f"backup to {target} failed: ")
    assert full.stderr.rstrip().endswith("nothing was written there")
    assert list(target.parent.iterdir()) == []


def test_a_read_only_database_is_said_so(
    dispatcher_db: Database, db_path: Path, tmp_path: Path
) -> None:
    before = dump(sqlite_url(db_path))
    # read-only as SQLite sees it, whoever runs the test (root writes through a chmod)
    url = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    result = _run_url(url, tmp_path, "cases", "import", str(DATA / "cases_good.csv"))
    print(f"\nread-only: {result.stderr.strip()}")
    assert result.exit_code == 1
    assert result.exc_info is None or result.exc_info[0] is SystemExit
    assert result.stderr.startswith(
        "the database cannot be written: the file or its folder is read-only"
    )
    assert result.stderr.rstrip().endswith("nothing was saved")
    assert dump(sqlite_url(db_path)) == before
    if os.geteuid() != 0:  # the ordinary case: the file's mode says it
        db_path.chmod(0o444)
        try:
            plain = run(
                sqlite_url(db_path), tmp_path, "cases", "import", str(DATA / "cases_good.csv")
            )
            assert plain.exit_code == 1
            assert "read-only" in plain.stderr
        finally:
            db_path.chmod(0o600)
        assert dump(sqlite_url(db_path)) == before


def _run_url(url: str, tmp_path: Path, *args: str) -> Result:
    config = tmp_path / "empty.toml"
    config.touch()
    return CliRunner().invoke(
        main,
        ["--config", str(config), "--db", url, "--lang", "en", "--now", NOW, *args],
        env=CLEAN_ENV,
    )


HOLD_EXCLUSIVE = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def test_a_database_locked_past_the_busy_timeout_is_said_so(
    dispatcher_db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the command runs in this process: a 2 s busy timeout keeps the wait short (10 s in use)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 2_000)
    before = dump(sqlite_url(db_path))
    hold_seconds = engine.BUSY_TIMEOUT_MS / 1000 + 4
    with held_by_another_process(
        HOLD_EXCLUSIVE, str(db_path), str(hold_seconds), timeout=hold_seconds + 30
    ):
        started = time.perf_counter()
        result = run(sqlite_url(db_path), tmp_path, "cases", "import", str(DATA / "cases_good.csv"))
        waited = time.perf_counter() - started
    print(f"\nlocked: after {waited:.1f} s: {result.stderr.strip()}")
    assert result.exit_code == 1
    assert result.exc_info is None or result.exc_info[0] is SystemExit
    assert result.stderr.startswith(
        "the database stayed locked by another program for more than 2 s"
    )
    assert 2 <= waited < hold_seconds
    assert "nothing was saved; try again when it is released" in result.stderr
    assert dump(sqlite_url(db_path)) == before
    # nothing lost: once released, the same import goes through
    assert (
        run(
            sqlite_url(db_path), tmp_path, "cases", "import", str(DATA / "cases_good.csv")
        ).exit_code
        == 0
    )
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
    connection.close()
