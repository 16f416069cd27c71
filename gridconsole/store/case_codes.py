"""Handing out daily case sequence numbers, safe when several consoles create cases at once."""

from __future__ import annotations

from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from gridconsole.store.models import CaseCodeCounter

_counter = CaseCodeCounter.__table__  # type: ignore[attr-defined]


def reserve_sequences(session: Session, prefix: str, day: str, count: int) -> int:
    """Reserve ``count`` consecutive numbers for ``prefix`` on ``day`` (YYYYMMDD); return the first.

    One upsert statement: the counter row is created or advanced and its new value returned in
    the same statement, so two transactions can never receive the same number.
    """
    if count < 1:
        raise ValueError("reserve at least one number")
    insert = sqlite.insert
    if session.get_bind().dialect.name == "postgresql":
        # imported here: the PostgreSQL dialect module costs ~70 ms, on the console's path to
        # its first page, and a SQLite console never needs it
        from sqlalchemy.dialects import postgresql

        insert = postgresql.insert  # type: ignore[assignment]
    statement = (
        insert(_counter)
        .values(prefix=prefix, day=day, last_sequence=count)
        .on_conflict_do_update(
            index_elements=[_counter.c.prefix, _counter.c.day],
            set_={"last_sequence": _counter.c.last_sequence + count},
        )
        .returning(_counter.c.last_sequence)
    )
    last = int(session.execute(statement).scalar_one())
    return last - count + 1
