"""Hostile text in the real console, in a real pseudo-terminal.

The street of tests/hostile_world.py (thousands of generated strings stored through the services,
a share of them raw) is shown in every pane, page after page, in case details and in a
notification naming an operator whose name is hostile. Every byte the console writes to the
terminal is kept. Asserted: the console is still running (no crash, no action fired by a
``[@click=…]``), the database is as it was, and none of the control sequences planted in the data
(each with a unique token: an OSC 52 clipboard write with its own base64 body, OSC 8 links, CSI
with a unique parameter, DCS, window titles) appears in the byte stream, nor any 8-bit C1 control.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import QUEUE_STATES, Priority
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from tests.factories import T0, services_for, sqlite_url
from tests.hostile_text import ALWAYS_FORBIDDEN
from tests.hostile_world import HOSTILE_USERNAME, HostileWorld, database_digest

ROOT = Path(__file__).resolve().parents[2]
COLUMNS, ROWS = 120, 40
QUIET_S = 0.1
KEY_LIMIT_S = 1.0
START_LIMIT_S = 30.0
INCOMING = QueueFilter(states=QUEUE_STATES)

KEYS = {
    "enter": b"\r",
    "escape": b"\x1b",
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "f4": b"\x1bOS",
    "f5": b"\x1b[15~",
    "f6": b"\x1b[17~",
    "f7": b"\x1b[18~",
    "f8": b"\x1b[19~",
    "f9": b"\x1b[20~",
    "f10": b"\x1b[21~",
    "f11": b"\x1b[23~",
    "f12": b"\x1b[24~",
    "home": b"\x1b[H",
    "ctrl+s": b"\x13",
    "ctrl+q": b"\x11",
}


@dataclass
class Terminal:
    """A console process on the other side of a pseudo-terminal, and everything it wrote."""

    pid: int
    fd: int
    stream: bytearray = field(default_factory=bytearray)
    keys: int = 0

    def read_until_quiet(self, limit_s: float = KEY_LIMIT_S) -> int:
        """Read until nothing arrives for ``QUIET_S`` (at most ``limit_s``); bytes read."""
        start = len(self.stream)
        until = time.monotonic() + limit_s
        while (left := until - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, QUIET_S))
            if not ready:
                if len(self.stream) > start:
                    break
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.stream += chunk
        return len(self.stream) - start

    def wait_for(self, needle: bytes, limit_s: float) -> None:
        until = time.monotonic() + limit_s
        while needle not in self.stream:
            if time.monotonic() > until:
                raise AssertionError(f"the console never showed {needle!r}")
            self.read_until_quiet(0.5)

    def press(self, *names: str) -> None:
        for name in names:
            os.write(self.fd, KEYS.get(name, name.encode()))
            self.keys += 1
            # Textual tells a lone ESC from the start of a sequence by waiting for more
            self.read_until_quiet()

    def alive(self) -> bool:
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        return pid == 0


@pytest.fixture
def hostile_db(
    hostile_template: tuple[Path, HostileWorld], tmp_path: Path
) -> Iterator[tuple[Path, Database]]:
    template, _ = hostile_template
    path = tmp_path / "centre.db"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    db = Database.connect(sqlite_url(path))
    yield path, db
    db.dispose()


def start_console(path: Path, username: str) -> Terminal:
    argv = [sys.executable, "-m", "tests.pty.hostile_console", str(path), username]
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.environ["TERM"] = "xterm-256color"
        os.environ.pop("TEXTUAL", None)
        os.chdir(ROOT)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    return Terminal(pid, fd)


def stop_console(terminal: Terminal) -> int:
    """Ctrl+Q, then the exit status (SIGKILL after 10 s)."""
    if terminal.alive():
        os.write(terminal.fd, KEYS["ctrl+q"])
        until = time.monotonic() + 10
        while time.monotonic() < until:
            terminal.read_until_quiet(0.3)
            pid, status = os.waitpid(terminal.pid, os.WNOHANG)
            if pid:
                os.close(terminal.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(terminal.pid, signal.SIGKILL)
    _, status = os.waitpid(terminal.pid, 0)
    os.close(terminal.fd)
    return os.waitstatus_to_exitcode(status)


def frames(stream: bytes) -> int:
    """Screen updates written: Textual wraps each in a synchronized-output block."""
    return stream.count(b"\x1b[?2026h")


@pytest.mark.sqlite_only("the hostile street is a SQLite file, built once and copied")
def test_hostile_text_never_drives_the_terminal(
    hostile_db: tuple[Path, Database],
    hostile_template: tuple[Path, HostileWorld],
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    path, db = hostile_db
    world = hostile_template[1]
    before = database_digest(db)
    terminal = start_console(path, HOSTILE_USERNAME)  # a shift lead whose name is hostile
    try:
        terminal.wait_for(b"\x1b[?2026$p", START_LIMIT_S)
        # answer as a terminal with synchronized output: each frame is then one marked block
        os.write(terminal.fd, b"\x1b[?2026;2$y")
        terminal.wait_for(b"MY-2026", START_LIMIT_S)
        terminal.read_until_quiet()
        # the queue: every case's detail on the first page, then every page
        for _ in range(8):
            terminal.press("enter", "escape", "down")
        terminal.press("f8", "f7")
        # every pane by number and by function key, paging and a detail in each list
        for pane_key, function_key in (
            ("2", "f3"),
            ("3", "f4"),
            ("4", "f6"),
            ("5", "f9"),
            ("6", "f10"),
            ("7", "f11"),
            ("8", "f12"),
        ):
            terminal.press(pane_key)
            terminal.press("down", "down", "down", "enter", "escape", "f8", "f7")
            terminal.press("1", function_key)
        terminal.press("3", "l", "l", "l")  # the dispatch pane's three lists
        terminal.press("4", "f")  # the work list's department picker: hostile names
        for _ in range(4):
            terminal.press("down")
        terminal.press("enter", "escape")
        terminal.press("7", "t", "down", "down", "enter", "escape")  # the roster's tree
        terminal.press("f2", "f1", "escape")  # help
        # a notification naming an operator: another console (the hostile one) changed the
        # case under the cursor, so this console's save is refused with their name
        terminal.press("1", "p")  # the form holds the version it was opened on
        other = services_for(db, HOSTILE_USERNAME, FrozenClock(T0))
        for row in other.queue.page(INCOMING).rows:  # whichever case the cursor is on
            flipped = Priority.normal if row.priority == Priority.urgent else Priority.urgent
            other.cases.set_priority(row.code, row.version, priority=flipped)
        after_change = database_digest(db)
        terminal.press("ctrl+s")
        terminal.wait_for("已被".encode(), 10)  # 事件 … 已被 <the hostile name> 于 … 修改
        assert terminal.alive(), "the console died"
    finally:
        status = stop_console(terminal)
    elapsed = time.monotonic() - started
    stream = bytes(terminal.stream)
    (tmp_path / "terminal.bin").write_bytes(stream)

    assert status == 0
    assert after_change != before
    after = database_digest(db)
    assert {name for name in after if after[name] != after_change[name]} == set()
    leaked = [item for item in (*world.forbidden, *ALWAYS_FORBIDDEN) if item in stream]
    assert leaked == []
    print(
        f"\nhostile text in a pty: {len(world.texts)} strings stored "
        f"({len(world.forbidden)} unique planted control sequences), {terminal.keys} keys, "
        f"{frames(stream)} frames, {len(stream):,} bytes checked in {elapsed:.1f} s"
    )
