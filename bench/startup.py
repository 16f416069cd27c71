"""Start-up in a real pseudo-terminal (120×40): to the first frame, and to the first with data.

The first frame is the one that shows the centre's name (the header, drawn before the database is
open); the first frame with data is the first output that contains a case code (the queue has
loaded its first page). The floor is a minimal Textual app showing a 50-row table, timed the same
way.
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
from tests.factories import T0

ROOT = Path(__file__).resolve().parents[1]
CASE_CODE = re.compile(rb"[A-Z]{2,6}-\d{8}-\d{4}")
# The centre's name as the settings give it (config.toml and the default agree).
CENTRE_NAME = re.compile(re.escape("梅园街道网格化服务管理中心".encode()))
MINIMAL_ROW = re.compile(rb"row-0\b")
TIMEOUT_S = 30.0


def time_to_markers(
    argv: list[str], markers: list[re.Pattern[bytes]], *, columns: int = 120, rows: int = 40
) -> list[float]:
    """Seconds from fork to the first output matching each of ``markers``; once all have been
    seen the program is ended."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of the chosen size, then the program
        os.environ["TERM"] = "xterm-256color"
        # A console is started many times on one installation: measure it with its bytecode
        # cached, as after its first start. Where the environment forbids writing bytecode
        # (PYTHONDONTWRITEBYTECODE, set on some CI images) every start would compile every
        # module of Textual, SQLAlchemy and the console from source: 2 s of a 2 s start.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["COLUMNS"], os.environ["LINES"] = str(columns), str(rows)
        os.chdir(ROOT)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    seen = b""
    elapsed: list[float | None] = [None] * len(markers)
    try:
        while time.perf_counter() - started < TIMEOUT_S and None in elapsed:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.perf_counter() - started
            seen = seen[-4096:] + chunk
            for index, marker in enumerate(markers):
                if elapsed[index] is None and marker.search(seen):
                    elapsed[index] = now
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    missing = [
        marker.pattern for marker, when in zip(markers, elapsed, strict=True) if when is None
    ]
    if missing:
        raise RuntimeError(f"{argv!r} did not show {missing!r} within {TIMEOUT_S} s")
    return [when for when in elapsed if when is not None]


def _figure(samples: list[float]) -> Figure:
    ordered = sorted(sample * 1000 for sample in samples)
    return Figure(ordered[len(ordered) // 2], ordered[0], ordered[-1], len(ordered))


def run(database: Path, runs: int) -> tuple[Figure, Figure, Figure]:
    """(start to first frame, start to first frame with data, the minimal app's floor)."""
    # at the demo's present (--now), as console_app: no catch-up burst of deadlines at start
    console = [
        *(sys.executable, "-m", "gridconsole", "--db", f"sqlite:///{database}"),
        *("--now", T0.isoformat()),
    ]
    minimal = [sys.executable, str(Path(__file__).with_name("minimal_app.py"))]
    shell, data, floor = [], [], []
    # once each, unmeasured: the file cache warm and the bytecode written
    time_to_markers(console, [CASE_CODE])
    time_to_markers(minimal, [MINIMAL_ROW])
    for _ in range(runs):
        first_frame, with_data = time_to_markers(console, [CENTRE_NAME, CASE_CODE])
        shell.append(first_frame)
        data.append(with_data)
        floor.extend(time_to_markers(minimal, [MINIMAL_ROW]))
    return _figure(shell), _figure(data), _figure(floor)
