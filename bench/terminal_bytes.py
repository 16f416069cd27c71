"""Bytes the console writes to a real 120×40 pseudo-terminal per second while nobody types:
on the queue, and on the overdue pane with its countdowns ticking every second.

There is no floor to compare with: the figure is reported (what a slow SSH link must carry).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import sqlite3
import struct
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.startup import CASE_CODE, ROOT

F3 = b"\x1bOR"  # xterm's F3: the overdue pane
SETTLE_S = 3.0
WINDOW_S = 10.0


def _read_for(fd: int, seconds: float) -> int:
    """Bytes read from ``fd`` over ``seconds``."""
    total = 0
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.1))
        if ready:
            try:
                total += len(os.read(fd, 65536))
            except OSError:
                break
    return total


def _wait_for_data(fd: int, timeout: float = 30.0) -> None:
    seen = b""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            seen = seen[-4096:] + os.read(fd, 65536)
            if CASE_CODE.search(seen):
                return
    raise RuntimeError("the console showed no case within 30 s")


LIVE_COUNTDOWNS = 40
# The present the console runs at (a running clock from here): a Monday at 10:00 in the
# centre's zone, inside working hours, the day after the demo's own present. Working-time
# countdowns stand still outside working hours, so on the host's clock the figure depended
# on the hour the benchmark ran (at 06:18 on a Monday nothing but the header clock moved).
PRESENT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def with_live_countdowns(database: Path) -> Path:
    """A copy of ``database`` whose only running deadlines are ``LIVE_COUNTDOWNS`` cases in
    warning, due over the 40 minutes after ``PRESENT``: every one counts down each second.
    No other deadline or escalation report window is left to fall due, so nothing fires
    (and no notice pops up) between the demo's present and this one."""
    copy = Path(tempfile.mkdtemp()) / "countdowns.db"
    source = sqlite3.connect(database)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    # the console writes (its login is audited): the copy's log goes on under the demo's key
    key = database.with_name(database.name + ".audit-key")
    if key.exists():
        shutil.copy(key, copy.with_name(copy.name + ".audit-key"))
    now = PRESENT.replace(tzinfo=None)

    def stored(instant: datetime) -> str:
        return instant.isoformat(sep=" ")

    ids = [
        row[0]
        for row in target.execute(
            "SELECT id FROM cases WHERE step IS NOT NULL ORDER BY id LIMIT ?", (LIVE_COUNTDOWNS,)
        )
    ]
    with target:
        target.execute("UPDATE cases SET due_at = NULL, warn_at = NULL, ladder_next_at = NULL")
        target.execute("UPDATE escalations SET next_report_at = NULL, report_warn_at = NULL")
        for index, case_id in enumerate(ids, start=1):
            target.execute(
                "UPDATE cases SET step = 'accept', due_at = ?, warn_at = ?, "
                "warning_fired_for = NULL, breach_fired_for = NULL WHERE id = ?",
                (
                    stored(now + timedelta(minutes=index)),
                    stored(now - timedelta(minutes=1)),
                    case_id,
                ),
            )
    target.close()
    return copy


def run(database: Path, columns: int = 120, rows: int = 40) -> dict[str, float]:
    """Bytes per second, idle, on the queue and on the overdue pane."""
    database = with_live_countdowns(database)
    argv = [
        *(sys.executable, "-m", "gridconsole", "--db", f"sqlite:///{database}"),
        *("--now", PRESENT.isoformat()),
    ]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as the start-up bench: see there
        os.chdir(ROOT)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    try:
        _wait_for_data(fd)
        _read_for(fd, SETTLE_S)
        queue = _read_for(fd, WINDOW_S) / WINDOW_S
        os.write(fd, F3)
        switch = _read_for(fd, SETTLE_S)
        overdue = _read_for(fd, WINDOW_S) / WINDOW_S
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return {"queue": queue, "switch": switch, "overdue": overdue}


def report(database: Path) -> None:
    figures = run(database)
    print(f"  bytes to the terminal per second, idle, {WINDOW_S:.0f} s window (120x40):")
    print(f"    queue pane:                         {figures['queue']:10.0f} B/s")
    print(f"    switching to the overdue pane:      {figures['switch']:10.0f} B (once)")
    print(f"    overdue pane, {LIVE_COUNTDOWNS} countdowns ticking: {figures['overdue']:7.0f} B/s")
