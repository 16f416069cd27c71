"""Start-up to the first frame that shows data, in a real pseudo-terminal (120×40).

The clock stops when the terminal output first contains a case code (the queue has loaded its
first page); the floor is a minimal Textual app showing a 50-row table, timed the same way.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from bench.stats import Figure

ROOT = Path(__file__).resolve().parents[1]
CASE_CODE = re.compile(rb"[A-Z]{2,6}-\d{8}-\d{4}")
MINIMAL_ROW = re.compile(rb"row-0\b")
TIMEOUT_S = 30.0


def time_to_marker(
    argv: list[str], marker: re.Pattern[bytes], *, columns: int = 120, rows: int = 40
) -> float:
    """Seconds from fork to the first output matching ``marker``; the program is then ended."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of the chosen size, then the program
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLUMNS"], os.environ["LINES"] = str(columns), str(rows)
        os.chdir(ROOT)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = seen[-4096:] + chunk
            if marker.search(seen):
                elapsed = time.perf_counter() - started
                break
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    if elapsed != elapsed:  # NaN: never appeared
        raise RuntimeError(f"{argv!r} showed no data within {TIMEOUT_S} s")
    return elapsed


def _figure(samples: list[float]) -> Figure:
    ordered = sorted(sample * 1000 for sample in samples)
    return Figure(ordered[len(ordered) // 2], ordered[0], ordered[-1], len(ordered))


def run(database: Path, runs: int) -> tuple[Figure, Figure]:
    console = [sys.executable, "-m", "gridconsole", "--db", f"sqlite:///{database}"]
    minimal = [sys.executable, str(Path(__file__).with_name("minimal_app.py"))]
    ours, floor = [], []
    time_to_marker(console, CASE_CODE)  # warm the file cache once
    for _ in range(runs):
        ours.append(time_to_marker(console, CASE_CODE))
        floor.append(time_to_marker(minimal, MINIMAL_ROW))
    return _figure(ours), _figure(floor)
