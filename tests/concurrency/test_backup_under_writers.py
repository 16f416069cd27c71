"""``gridconsole backup`` while writer processes report and accept cases: the copy restores
consistently (issue 8).

Writer processes, each its own operator, report a case and accept it in a loop (two
transactions, each with its audit entry) while the real command takes backups of the live file
one after another. Then the writers stop and each copy is restored (``gridconsole restore``)
into a fresh path: the restored file passes ``PRAGMA integrity_check`` and ``gridconsole audit
verify``, every case's version equals its version-changing events (the copy is one snapshot, not
a case from one instant and its events from another), and the copy's audit chain is a prefix of
the live one (a snapshot of the chain as it stood, never a fork).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.imports import import_cases
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from tests.factories import T0, build_reference_database, new_case_fields, services_for
from tests.import_files import write_records
from tests.postgres import sqlite_url

WRITERS = 3
BACKUPS = 3
# cases in the database before the writers start: enough that a copy takes a while
SEEDED = 20_000
NOW = "2026-11-29T09:30:00+08:00"


def _cli(db_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (the audit key variable kept)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GRIDCONSOLE_DB", "GRIDCONSOLE_NOW", "GRIDCONSOLE_CONFIG"}
    }
    env["GRIDCONSOLE_LANG"] = "en"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gridconsole",
            "--config",
            str(config),
            "--db",
            sqlite_url(db_path),
            "--now",
            NOW,
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def _write(url: str, username: str, stop: Any, started: Any, outcomes: Any) -> None:
    """Report and accept cases until ``stop`` is set; what was done and what went wrong."""
    db = Database.connect(url)
    services = services_for(db, username, FrozenClock(T0))
    done: Counter[str] = Counter()
    errors: list[str] = []
    announced = False
    try:
        while not stop.is_set():
            try:
                case = services.cases.report(new_case_fields(title=f"{username}上报的噪音"))
                done["reported"] += 1
                services.cases.accept(case.code, case.version)
                done["accepted"] += 1
            except Exception as exc:  # every error is the test's finding, not a crash
                errors.append(f"{type(exc).__name__}: {exc}")
            if done["reported"] and not announced:
                announced = True
                started.release()
    except BaseException as exc:  # the process's own failure, reported rather than hung on
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()
        if not announced:  # the test waits for every writer: one that failed says so at once
            started.release()
        outcomes.put({"done": dict(done), "errors": errors})


def _audit_chain(path: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM audit_entries ORDER BY seq").fetchall()
    finally:
        connection.close()


def _lost_versions(path: Path) -> tuple[int, list[tuple[int, int, int]]]:
    """Cases, and those whose version is not their count of version-changing events (claims
    change no version; these writers claim nothing)."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT c.id, c.version, count(e.id) FROM cases c "
            "LEFT JOIN case_events e ON e.case_id = c.id "
            "AND e.action NOT IN ('claim', 'release_claim', 'break_claim') "
            "GROUP BY c.id"
        ).fetchall()
    finally:
        connection.close()
    return len(rows), [
        (ident, version, events) for ident, version, events in rows if version != events
    ]


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


@pytest.mark.sqlite_only("backups of the SQLite file (PostgreSQL: pg_dump)")
def test_backups_taken_under_writers_restore_consistently(tmp_path: Path) -> None:
    live = tmp_path / "centre.db"
    db = build_reference_database(sqlite_url(live))
    clock = FrozenClock(T0)
    ensure_operator(db, clock, username=os_username(), display_name="备份员", role=Role.admin)
    for index in range(WRITERS):
        ensure_operator(
            db, clock, username=f"writer{index}", display_name=f"调度{index}", role=Role.dispatcher
        )
    seed = tmp_path / "seed.jsonl"
    write_records(seed, SEEDED)
    seeded = import_cases(services_for(db, "writer0", clock).context, seed)
    assert seeded.accepted
    assert seeded.batch_id is not None
    db.dispose()
    config = tmp_path / "empty.toml"
    config.touch()

    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    started = context.Semaphore(0)
    outcomes = context.Queue()
    writers = [
        context.Process(
            target=_write,
            args=(sqlite_url(live), f"writer{index}", stop, started, outcomes),
        )
        for index in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    copies: list[tuple[Path, float]] = []
    try:
        for _ in range(WRITERS):  # every writer is writing before the first backup
            assert started.acquire(timeout=120), "a writer never wrote"
        for number in range(1, BACKUPS + 1):
            target = tmp_path / f"copy{number}.db"
            began = time.perf_counter()
            made = _cli(live, config, "backup", str(target))
            copies.append((target, time.perf_counter() - began))
            assert made.returncode == 0, made.stdout + made.stderr
        time.sleep(0.5)  # writes after the last copy, so the live chain runs past it
    finally:
        stop.set()
        results = [outcomes.get(timeout=120) for _ in writers]
        for writer in writers:
            writer.join(30)
    errors = [error for result in results for error in result["errors"]]
    done: Counter[str] = Counter()
    for result in results:
        done.update(result["done"])
    assert errors == [], errors[:5]

    live_chain = _audit_chain(live)
    live_cases, live_lost = _lost_versions(live)
    assert live_lost == []
    print(
        f"\n{WRITERS} writer processes: {done['reported']} reported, {done['accepted']} "
        f"accepted, 0 errors; live: {live_cases:,} cases, {len(live_chain):,} audit entries"
    )
    for target, seconds in copies:
        fresh = tmp_path / f"restored-{target.stem}.db"
        fresh.touch()  # a new database's path: the restore swaps the copy in there
        restored = _cli(fresh, config, "restore", str(target))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert _integrity(fresh) == "ok"
        verified = _cli(fresh, config, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        cases, lost = _lost_versions(fresh)
        assert lost == [], f"{target.name}: versions without their events {lost[:5]}"
        copy_chain = _audit_chain(target)
        assert copy_chain == live_chain[: len(copy_chain)], f"{target.name} forked the chain"
        assert len(copy_chain) < len(live_chain)
        restored_chain = _audit_chain(fresh)
        assert restored_chain[:-1] == copy_chain  # and the restore's own entry after it
        print(
            f"  {target.name}: backup {seconds:.2f} s (the command), {cases:,} cases, "
            f"{len(copy_chain):,} audit entries (a prefix of the live {len(live_chain):,}); "
            f"restored: integrity ok, audit verify ok, 0 versions without their events"
        )
