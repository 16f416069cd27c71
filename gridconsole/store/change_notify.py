"""PostgreSQL: every committed write to the tables the consoles show says so on one channel.

A write transaction that inserts, updates or deletes a row of a watched table sends
``NOTIFY gridconsole_changes`` (payload: the schema, so consoles of other schemas sharing the
server ignore it) just before its COMMIT. PostgreSQL delivers it at commit and drops it on
rollback, so a console woken by it always finds the change. Consoles listen with
:mod:`gridconsole.store.change_listener`; SQLite has no such channel and keeps the poll.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event

CHANNEL = "gridconsole_changes"
# what the consoles' panes, header counts, alerts and timers are read from
WATCHED_TABLES = frozenset(
    {
        "cases",
        "case_events",
        "case_requests",
        "dispatches",
        "escalations",
        "escalation_reports",
        "escalation_alerts",
        "case_claims",
    }
)
_CHANGED = "gridconsole_changed"
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def written_table(statement: str) -> str | None:
    """The table an INSERT, UPDATE or DELETE statement writes, else None."""
    match = _WRITE.match(statement)
    return match.group(1).lower() if match else None


def install(engine: Engine) -> None:
    """Make ``engine``'s write transactions notify (PostgreSQL engines only)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(
        connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if written_table(statement) in WATCHED_TABLES:
            connection.info[_CHANGED] = True

    @event.listens_for(engine, "commit")
    def _notify(connection: Any) -> None:
        if not connection.info.pop(_CHANGED, False):
            return
        # on the DBAPI connection: the transaction is being committed and SQLAlchemy takes no
        # further statements on it; the NOTIFY joins the transaction about to commit
        dbapi_connection = connection.connection.dbapi_connection
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, current_schema())", (CHANNEL,))

    @event.listens_for(engine, "begin")
    @event.listens_for(engine, "rollback")
    def _forget(connection: Any) -> None:
        # also at begin: a connection the pool reset (a rollback without this event) starts clean
        connection.info.pop(_CHANGED, None)
