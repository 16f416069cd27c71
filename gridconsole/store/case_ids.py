"""Case ids handed out before a bulk insert, so the rows can go in one plain ``executemany``.

An ``INSERT … RETURNING`` of many rows made the ORM compile and process every parameter again
to match the returned ids to the rows (most of a 100,000-record import's write). Reserving the
ids first lets the insert skip RETURNING altogether.

SQLite: the caller holds the write lock (``BEGIN IMMEDIATE``), so nobody else can insert between
reading the largest id and using the next ones; ``cases`` has no AUTOINCREMENT, so SQLite itself
would have chosen the same ids. PostgreSQL: the ids come from the column's own sequence, as the
default would have taken them; they need not be contiguous when other sessions draw at once.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.store.models import Case


def reserve_case_ids(session: Session, count: int) -> list[int]:
    """``count`` new case ids, ascending, for rows the caller inserts in this transaction."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('cases', 'id')) "
                "FROM generate_series(1, :count)"
            ).bindparams(bindparam("count", count))
        ).scalars()
        return sorted(int(value) for value in rows)
    last = session.execute(select(func.max(col(Case.id)))).scalar_one() or 0
    return list(range(last + 1, last + 1 + count))
