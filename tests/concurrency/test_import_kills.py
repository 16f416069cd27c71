"""25 SIGKILLs during a 100,000-record ``gridconsole cases import``: never a partial batch.

Each run is the real command in its own process, killed at a seeded random moment of the phase
it names on stderr (``--progress``): parsing, validating or writing (the one transaction). The
delay after the phase starts is drawn below that phase's length as measured by a dry run (for
the write, below the validation's length: the write takes longer, so a kill always lands before
the commit). After each kill the file passes ``PRAGMA integrity_check`` and holds no batch and
no imported case; then a last run imports the file whole, once, and a re-run imports nothing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.i18n import t_in
from gridconsole.services.operators import ensure_operator, os_username
from tests.factories import T0, build_reference_database
from tests.import_files import state_of, write_records
from tests.postgres import sqlite_url

# the records per file: 100,000 is the size; GRIDCONSOLE_TEST_KILL_RECORDS measures others
RECORDS = int(os.environ.get("GRIDCONSOLE_TEST_KILL_RECORDS", "100000"))
KILLS = 25
SEED = 20261129
NOW = "2026-11-29T09:30:00+08:00"
PHASES = ("parsing", "validating", "writing")


@dataclass
class Run:
    process: subprocess.Popen[str]
    started: float
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds after the start
    stderr: list[str] = field(default_factory=list)
    # stdout is drained as it comes (a final run prints a line per possible duplicate: left in
    # the pipe they filled it and the command blocked before it could exit); its last lines kept
    stdout: deque[str] = field(default_factory=lambda: deque(maxlen=5))
    stdout_lines: int = 0
    announced: threading.Condition = field(default_factory=threading.Condition)
    readers: list[threading.Thread] = field(default_factory=list)

    def finish(self, timeout: float) -> int:
        status = self.process.wait(timeout)
        for reader in self.readers:
            reader.join(10)
        return status


def _env() -> dict[str, str]:
    """The test's environment (the audit key variable kept), English, nothing chosen for it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GRIDCONSOLE_DB", "GRIDCONSOLE_NOW", "GRIDCONSOLE_CONFIG"}
    }
    env["GRIDCONSOLE_LANG"] = "en"
    return env


def start_import(db_path: Path, data: Path, config: Path, *extra: str) -> Run:
    env = _env()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gridconsole",
            "--config",
            str(config),
            "--db",
            f"sqlite:///{db_path}",
            "--now",
            NOW,
            "cases",
            "import",
            "--progress",
            *extra,
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    run = Run(process, time.perf_counter())
    names = {t_in("en", f"recovery.phase_{phase}"): phase for phase in (*PHASES, "committed")}
    announced = run.announced

    def read_phases() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            run.stderr.append(line)
            phase = names.get(line.strip())
            if phase is not None:
                with announced:
                    run.phases[phase] = time.perf_counter() - run.started
                    announced.notify_all()
        with announced:
            run.phases.setdefault("exit", time.perf_counter() - run.started)
            announced.notify_all()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            run.stdout.append(line)
            run.stdout_lines += 1

    run.readers = [
        threading.Thread(target=read_phases, daemon=True),
        threading.Thread(target=read_output, daemon=True),
    ]
    for reader in run.readers:
        reader.start()
    return run


def wait_for_phase(run: Run, phase: str, timeout: float = 120) -> float:
    with run.announced:
        run.announced.wait_for(lambda: phase in run.phases or "exit" in run.phases, timeout)
    assert phase in run.phases, f"no {phase!r} phase: {''.join(run.stderr)}"
    return run.phases[phase]


@pytest.mark.sqlite_only("SIGKILLs against the SQLite file's own recovery (WAL rollback)")
def test_25_kills_during_a_100k_import_leave_no_partial_batch(tmp_path: Path) -> None:
    db_path = tmp_path / "centre.db"
    db = build_reference_database(sqlite_url(db_path))
    ensure_operator(
        db, FrozenClock(T0), username=os_username(), display_name="导入员", role=Role.dispatcher
    )
    db.dispose()
    config = tmp_path / "empty.toml"
    config.touch()
    data = tmp_path / "hotline.jsonl"
    write_records(data, RECORDS)
    began = time.perf_counter()

    # the phases' lengths, from a dry run (validation only, nothing written)
    dry = start_import(db_path, data, config, "--dry-run")
    assert dry.finish(300) == 0, "".join(dry.stderr)
    lengths = {
        "parsing": dry.phases["validating"] - dry.phases["parsing"],
        "validating": dry.phases["exit"] - dry.phases["validating"],
    }
    lengths["writing"] = lengths["validating"]
    print(
        f"\n{RECORDS:,} records; dry run: parse {lengths['parsing']:.2f} s, "
        f"validate {lengths['validating']:.2f} s"
    )

    rng = random.Random(SEED)
    kills: list[tuple[str, float, float]] = []
    for index in range(KILLS):
        phase = PHASES[index % len(PHASES)]
        delay = rng.uniform(0, lengths[phase])
        run = start_import(db_path, data, config)
        at = wait_for_phase(run, phase) + delay
        time.sleep(max(0.0, at - (time.perf_counter() - run.started)))
        run.process.send_signal(signal.SIGKILL)
        status = run.finish(60)
        assert status == -signal.SIGKILL, f"kill {index + 1} came too late: {''.join(run.stderr)}"
        assert "committed" not in run.phases, f"kill {index + 1} landed after the commit"
        kills.append((phase, delay, at))
        integrity, batches, orphans, cases = state_of(db_path)
        assert integrity == "ok", f"after kill {index + 1}: {integrity}"
        assert batches == [], f"after kill {index + 1}: a batch survived a kill"
        assert orphans == 0
        assert cases == 0
    print("kill instants (phase, seconds into the phase, seconds after the start):")
    for number, (phase, delay, at) in enumerate(kills, 1):
        print(f"  {number:2d}  {phase:10}  +{delay:5.2f} s  at {at:6.2f} s")
    assert {phase for phase, _, _ in kills} == set(PHASES)

    final = start_import(db_path, data, config)
    assert final.finish(600) == 0, "".join(final.stderr)
    integrity, batches, orphans, cases = state_of(db_path)
    assert integrity == "ok"
    assert batches == [(1, RECORDS, RECORDS)]
    assert orphans == 0
    assert cases == RECORDS
    again = start_import(db_path, data, config)
    assert again.finish(120) == 0
    assert state_of(db_path)[1:] == (batches, 0, RECORDS)
    assert "already imported as batch 1" in "".join(again.stdout), "".join(again.stdout)
    verified = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridconsole",
            "--config",
            str(config),
            "--db",
            sqlite_url(db_path),
            "audit",
            "verify",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(
        f"after {KILLS} kills: integrity ok every time, 0 batches, 0 cases; the final run "
        f"imported {RECORDS:,} as batch 1 (write {final.phases['committed'] - final.phases['writing']:.1f} s, "
        f"whole run {final.phases['exit']:.1f} s, {final.stdout_lines:,} lines of output); "
        f"the re-run imported nothing; audit verify ok; "
        f"test {time.perf_counter() - began:.0f} s"
    )
