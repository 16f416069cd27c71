"""PostgreSQL: a thread that LISTENs for :mod:`gridconsole.store.change_notify`'s channel.

The listener holds a connection of its own (autocommit, outside the pool: a pooled connection
is shared and rolled back, and a transaction-mode pooler such as PgBouncer does not carry
LISTEN at all). Each notification for this database's schema calls ``on_change`` on the
listener's thread. A lost connection is retried every ``retry_seconds``; meanwhile the
console's poll goes on, so nothing is missed, only later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from gridconsole.store.change_notify import CHANNEL

log = logging.getLogger(__name__)

# how long the thread waits for a notification before looking whether it should stop
_WAKE_SECONDS = 0.2


def libpq_url(engine: Engine) -> str:
    """The engine's URL as psycopg itself takes it (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """LISTEN on a dedicated connection in a daemon thread; :meth:`stop` ends it."""

    def __init__(
        self, url: str, on_change: Callable[[], object], *, retry_seconds: float = 5.0
    ) -> None:
        self.url = url
        self.on_change = on_change
        self.retry_seconds = retry_seconds
        self.listening = threading.Event()  # set while LISTEN is in force (tests wait on it)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="change-listener", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self.listening.clear()

    def _call(self) -> None:
        try:
            self.on_change()
        except Exception:  # a subscriber's failure must not end the listening
            log.exception("change listener: the subscriber failed")

    def _run(self) -> None:
        import psycopg  # only PostgreSQL consoles pay for it

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
                    row = connection.execute("SELECT current_schema()").fetchone()
                    schema = row[0] if row else None
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=_WAKE_SECONDS):
                            # the channel is the server's: other schemas' consoles use it too
                            if notification.payload == schema:
                                self._call()
                            if self._stop.is_set():
                                break
            except psycopg.Error as exc:
                log.warning("change listener: %s; retrying in %s s", exc, self.retry_seconds)
            finally:
                self.listening.clear()
            self._stop.wait(self.retry_seconds)
