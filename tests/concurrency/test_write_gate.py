"""The SQLite write gate: writers of several processes take turns, none fails with "locked".

SQLite's busy handler alone sleeps between polls and gives up at the busy timeout; these tests
shrink that timeout to a fraction of how long another writer holds the database, so each fails
without the gate (store/write_gate.py) and passes with it.
"""

from __future__ import annotations

import dataclasses
import fcntl
import multiprocessing
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gridconsole.domain.errors import DatabaseBusy
from gridconsole.store import engine
from gridconsole.store.engine import Database
from gridconsole.store.write_gate import WriteGate, gate_path
from tests.factories import sqlite_url
from tests.lock_holder import held_by_another_process

pytestmark = pytest.mark.sqlite_only("the gate is SQLite's; PostgreSQL has row locks")

SHORT_BUSY_MS = 50


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A WAL database with one table the writers below insert into."""
    path = tmp_path / "gate.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE marks (writer INTEGER, n INTEGER)")
    connection.commit()
    connection.close()
    return path


def _connect(url: str, busy_ms: int) -> Database:
    engine.BUSY_TIMEOUT_MS = busy_ms  # this process only (spawned)
    return Database.connect(url)


def _hold(url: str, seconds: float, ready: Any) -> None:
    db = _connect(url, SHORT_BUSY_MS)
    with db.write() as session:
        session.execute(text("INSERT INTO marks VALUES (0, 0)"))
        ready.set()
        time.sleep(seconds)
    db.dispose()


def _mark(url: str, writer: int, count: int, out: Any) -> None:
    db = _connect(url, SHORT_BUSY_MS)
    errors: list[str] = []
    for n in range(count):
        try:
            with db.write() as session:
                session.execute(text("INSERT INTO marks VALUES (:w, :n)"), {"w": writer, "n": n})
                # a transition's worth of work with the lock held
                session.execute(text("SELECT count(*) FROM marks")).scalar_one()
        except Exception as exc:  # "database is locked" would land here
            errors.append(f"{type(exc).__name__}: {exc}")
    db.dispose()
    out.put(errors)


def test_a_writer_waits_its_turn_past_the_busy_timeout(path: Path) -> None:
    url = sqlite_url(path)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(url, 1.0, ready))
    holder.start()
    try:
        assert ready.wait(30)
        db = _connect(url, SHORT_BUSY_MS)
        started = time.perf_counter()
        with db.write() as session:  # without the gate: "database is locked" after 50 ms
            session.execute(text("INSERT INTO marks VALUES (1, 1)"))
        waited = time.perf_counter() - started
        db.dispose()
    finally:
        engine.BUSY_TIMEOUT_MS = 10_000
        holder.join(30)
    assert holder.exitcode == 0
    assert waited > 0.3  # it did wait for the holder
    rows = sqlite3.connect(path).execute("SELECT writer FROM marks ORDER BY rowid").fetchall()
    assert rows == [(0,), (1,)]


def test_eight_processes_write_without_a_locked_error(path: Path) -> None:
    url = sqlite_url(path)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    writers = [context.Process(target=_mark, args=(url, w, 60, out)) for w in range(8)]
    for writer in writers:
        writer.start()
    errors = [error for _ in writers for error in out.get(timeout=120)]
    for writer in writers:
        writer.join(30)
    assert errors == []
    count = sqlite3.connect(path).execute("SELECT count(*) FROM marks").fetchone()[0]
    assert count == 8 * 60


HOLD_GATE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_gate_held_past_the_wait_is_said_and_nothing_is_written(path: Path) -> None:
    db = Database.connect(sqlite_url(path))
    patient = dataclasses.replace(db, gate=WriteGate(path, wait_seconds=0.3))
    with held_by_another_process(HOLD_GATE, str(gate_path(path)), "1.0"):
        started = time.perf_counter()
        with pytest.raises(DatabaseBusy) as raised, patient.write() as session:
            session.execute(text("INSERT INTO marks VALUES (9, 9)"))
        assert 0.25 < time.perf_counter() - started < 5
    assert "未写入任何内容" in str(raised.value)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM marks").fetchone()[0] == 0
    # the helper that gave up let go of the lock it took late: the next write goes at once, and
    # so does another program's lock afterwards
    with patient.write() as session:
        session.execute(text("INSERT INTO marks VALUES (1, 1)"))
    time.sleep(0.1)
    fd = os.open(gate_path(path), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    db.dispose()


def test_threads_of_one_console_take_turns(path: Path) -> None:
    import threading

    db = Database.connect(sqlite_url(path))
    inside = 0
    most = 0
    guard = threading.Lock()

    def write(writer: int) -> None:
        nonlocal inside, most
        for n in range(20):
            with db.write() as session:
                with guard:
                    inside += 1
                    most = max(most, inside)
                session.execute(text("INSERT INTO marks VALUES (:w, :n)"), {"w": writer, "n": n})
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert most == 1
    assert sqlite3.connect(path).execute("SELECT count(*) FROM marks").fetchone()[0] == 80
    db.dispose()
