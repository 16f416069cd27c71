"""A dropped SSH link: the console's terminal hangs up (the pty's master side is closed). The
console must end within a few seconds, without a traceback, and log its operator out."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database

# Runs the console with its stderr (where Textual draws) copied to a log before it reaches the
# terminal: whatever the console writes after the hang-up — a traceback — is kept there.
WRAPPER = """
import sys
log = open(sys.argv[1], "a", encoding="utf-8", buffering=1)

class Tee:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        log.write(text)
        return self.stream.write(text)
    def __getattr__(self, name):
        return getattr(self.stream, name)

sys.__stderr__ = sys.stderr = Tee(sys.__stderr__)
from gridconsole.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    log.write(f"\\nEXIT {exit.code}\\n")
    raise
"""


LIVENESS_SECONDS = 60


def test_the_console_ends_cleanly_when_its_terminal_hangs_up(
    db: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    ensure_operator(
        db, clock, username=os_username(), display_name="值班测试", role=Role.dispatcher
    )
    log = tmp_path / "stderr.log"
    config = tmp_path / "empty.toml"
    config.touch()
    args = ["--config", str(config), "--db", db_url, "--lang", "en"]
    pid, master = pty.fork()
    if pid == 0:  # the child: the console on the pty's slave side, its controlling terminal
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
        os.execv(sys.executable, [sys.executable, "-c", WRAPPER, str(log), *args])
    try:
        drawn = b""
        deadline = time.monotonic() + 30
        while b"F1" not in drawn and b"help" not in drawn and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    drawn += os.read(master, 65536)
                except OSError:
                    break
        assert drawn, "the console drew nothing"
        # let it open the database and log in, reading what it draws meanwhile as a terminal
        # does: unread, the pty's buffer fills and the console blocks in its next write
        settled = time.monotonic() + 2.0
        while time.monotonic() < settled:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    drawn += os.read(master, 65536)
                except OSError:
                    break
        os.close(master)  # the link drops
        hung_up_at = time.monotonic()
        status = None
        # a bound for "it ends" (liveness), not a speed target: the time is printed below; on a
        # busy CI machine a console still opening its database took more than 10 s
        while time.monotonic() - hung_up_at < LIVENESS_SECONDS:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(
                f"the console was still running {LIVENESS_SECONDS} s after the hang-up"
            )
        seconds = time.monotonic() - hung_up_at
    finally:
        with contextlib.suppress(OSError):
            os.close(master)  # already closed, unless the test failed before the hang-up
    written = log.read_text(encoding="utf-8", errors="replace")
    print(f"console ended {seconds:.2f} s after the hang-up, wait status {status}")
    assert "Traceback" not in written
    assert os.WIFEXITED(status), f"ended by signal {os.WTERMSIG(status)}"
    assert os.WEXITSTATUS(status) == 0
