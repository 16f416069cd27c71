"""Being told at once that another console committed a change (PostgreSQL LISTEN/NOTIFY).

On PostgreSQL every write to the cases, their events, dispatches, requests, escalations and
alerts notifies at commit; a console subscribes here and re-reads at once instead of at its next
poll. On SQLite there is no channel: subscribing does nothing and the poll of the change token
(every ``[queue] refresh_seconds``) is the mechanism. Callbacks run on the listener's thread:
a subscriber hands the news to its own loop (Textual's ``post_message``,
``loop.call_soon_threadsafe``) and returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gridconsole.store.change_listener import ChangeListener, libpq_url
from gridconsole.store.engine import Database

Unsubscribe = Callable[[], None]


class LiveChanges:
    """The listener of one console process, started by the first subscriber and stopped when
    the last one leaves (or at :meth:`close`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._subscribers: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self._listener: ChangeListener | None = None

    @property
    def available(self) -> bool:
        """Whether the database announces changes (PostgreSQL); else only the poll sees them."""
        return self.db.dialect == "postgresql"

    @property
    def listening(self) -> threading.Event | None:
        """Set while the listener's LISTEN is in force; None when nothing listens."""
        return self._listener.listening if self._listener is not None else None

    def subscribe(self, callback: Callable[[], object]) -> Unsubscribe:
        """Call ``callback`` (on the listener's thread) after each change another transaction
        commits; returns the function that ends the subscription."""
        if not self.available:
            return lambda: None
        with self._lock:
            self._subscribers.append(callback)
            if self._listener is None:
                self._listener = ChangeListener(libpq_url(self.db.reader), self._announce)
                self._listener.start()

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
                listener = self._listener if not self._subscribers else None
                if listener is not None:
                    self._listener = None
            if listener is not None:
                listener.stop()

        return unsubscribe

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def _announce(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback()
