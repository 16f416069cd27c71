"""Handing out daily case sequence numbers, safe when several consoles create cases at once."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gridconsole.store.models import CaseCodeCounter

_counter = CaseCodeCounter.__table__  # type: ignore[attr-defined]


def next_sequence(session: Session, prefix: str, day: str) -> int:
    """The next number for ``prefix`` on ``day`` (YYYYMMDD), atomically.

    One upsert statement: the counter row is created or incremented and its new value returned in
    the same statement, so two transactions can never receive the same number.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_counter)
        .values(prefix=prefix, day=day, last_sequence=1)
        .on_conflict_do_update(
            index_elements=[_counter.c.prefix, _counter.c.day],
            set_={"last_sequence": _counter.c.last_sequence + 1},
        )
        .returning(_counter.c.last_sequence)
    )
    return int(session.execute(statement).scalar_one())
