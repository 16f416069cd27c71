"""One writer at a time per SQLite file, across console processes, handed over at once.

SQLite lets one transaction write at a time; the others wait in its busy handler, which polls
the lock with sleeps growing to 100 ms. Under several consoles writing at once the lock sits
free while every waiter sleeps, and a writer that keeps finding it taken can wait past the busy
timeout and fail with "database is locked" (measured with 8 writer processes: 7 of 13 runs had
such errors, p99 ~6 s). So every write transaction of a SQLite database first takes an
exclusive ``flock`` on a file beside it (``<database>-writer.lock``): the kernel wakes a
blocked waiter the moment the lock is released, and BEGIN IMMEDIATE then finds the database
free. The busy timeout still covers writers outside gridconsole (the sqlite3 shell).

A wait that outlasts ``wait_seconds`` (another console's long import, a hung process) ends in
:class:`DatabaseBusy`, before the transaction began: nothing is half-written.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gridconsole.domain.errors import DatabaseBusy

# long enough for another console's import of 100,000 records (23 s measured on a loaded
# machine); a wait past it is a stuck process, said as such
WRITE_WAIT_SECONDS = 60.0


def gate_path(database: Path) -> Path:
    return database.with_name(database.name + "-writer.lock")


class WriteGate:
    """Serialises write transactions on one SQLite file: threads of this process by a lock,
    processes by ``flock`` on :func:`gate_path` (``None``: an in-memory database, no file)."""

    def __init__(self, database: Path | None, wait_seconds: float = WRITE_WAIT_SECONDS) -> None:
        self._file = gate_path(database) if database is not None else None
        self._wait = wait_seconds
        self._threads = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=self._wait):
            raise DatabaseBusy(seconds=round(self._wait))
        try:
            fd = self._lock_file()
            try:
                yield
            finally:
                if fd is not None:
                    os.close(fd)  # closing the only descriptor releases the flock
        finally:
            self._threads.release()

    def _lock_file(self) -> int | None:
        if self._file is None:
            return None
        try:
            # read-only is enough for flock, and lets every operator's account open the file
            fd = os.open(self._file, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError:
            return None  # a directory this account cannot write: SQLite's busy handler alone
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _wait_for(fd, self._wait)
        except BaseException:
            os.close(fd)
            raise
        return fd


def _wait_for(fd: int, seconds: float) -> int | None:
    """Block on the flock in a helper thread, so the wait can end at a deadline; the helper
    owns ``fd`` until it hands it over, and lets go of a lock taken after the caller gave up."""
    done = threading.Event()
    guard = threading.Lock()
    state = {"taken": False, "abandoned": False}

    def take() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # not taken: the caller goes on with SQLite's busy handler alone
        else:
            with guard:
                state["taken"] = not state["abandoned"]
        if not state["taken"]:
            os.close(fd)
        done.set()

    threading.Thread(target=take, name="gridconsole-write-gate", daemon=True).start()
    done.wait(seconds)
    with guard:
        if state["taken"]:
            return fd
        if done.is_set():
            return None
        state["abandoned"] = True
    raise DatabaseBusy(seconds=round(seconds))
