"""The case search index, one per dialect, over the bigram stream of
:mod:`gridconsole.domain.search_terms`.

SQLite: a contentless FTS5 table (``rowid`` = case id) holding the token stream; a term is a
phrase query, answered from the index. PostgreSQL: a ``text[]`` of the distinct bigrams per case
under a GIN index; a term is array containment. Either way the index only narrows: the queue
confirms each candidate with the substring match it always used, so results are exactly those
of ``LIKE '%term%'`` and only the speed changes.

The index is written where case text is written (intake, the demo generator); case text is never
edited afterwards and cases are never deleted, so there is nothing else to keep in step.
``rebuild`` fills it from the table (the migration that created it, and repairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, any_, bindparam, column, func, select, table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from gridconsole.domain.search_terms import index_terms, query_phrases

SEARCH_TABLE = "case_search"
# the text fields searched, in index order
SEARCHED_FIELDS = ("code", "title", "description", "address", "reporter_name")
REBUILD_BATCH = 5000

_pg_search = table(
    SEARCH_TABLE,
    column("case_id"),
    column("terms", postgresql.ARRAY(postgresql.TEXT)),
)


def create_statements(dialect: str) -> list[str]:
    """DDL of the index for ``dialect`` (the migration runs these)."""
    if dialect == "sqlite":
        # contentless (the text lives in cases), no per-column sizes: only the positions the
        # phrase queries need; unicode61 splits the stream on its spaces and nothing else
        return [
            f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
            "terms, content='', columnsize=0, tokenize='unicode61 remove_diacritics 0')"
        ]
    return [
        f"CREATE TABLE {SEARCH_TABLE} (case_id INTEGER PRIMARY KEY REFERENCES cases (id), "
        "terms TEXT[] NOT NULL)",
        f"CREATE INDEX ix_{SEARCH_TABLE}_terms ON {SEARCH_TABLE} USING gin (terms)",
    ]


def drop_statements(dialect: str) -> list[str]:
    return [f"DROP TABLE {SEARCH_TABLE}"]


def index_rows(connection: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Index cases given as ``(id, code, title, description, address, reporter_name)``."""
    batch: list[dict[str, Any]] = []
    sqlite = connection.dialect.name == "sqlite"
    for row in rows:
        case_id, *fields = row
        tokens = index_terms(fields)
        if sqlite:
            batch.append({"case_id": case_id, "terms": " ".join(tokens)})
        else:
            distinct = sorted({token for token in tokens if len(token) == 2})
            batch.append({"case_id": case_id, "terms": distinct})
    if not batch:
        return 0
    if sqlite:
        connection.execute(
            text(f"INSERT INTO {SEARCH_TABLE} (rowid, terms) VALUES (:case_id, :terms)"),
            batch,
        )
    else:
        connection.execute(_pg_search.insert(), batch)
    return len(batch)


def rebuild(connection: Connection) -> int:
    """Index every case from the ``cases`` table, in batches (after the index was created)."""
    cases = table("cases", column("id"), *(column(name) for name in SEARCHED_FIELDS))
    done = 0
    last = 0
    while True:
        rows = connection.execute(
            select(cases.c.id, *(cases.c[name] for name in SEARCHED_FIELDS))
            .where(cases.c.id > last)
            .order_by(cases.c.id)
            .limit(REBUILD_BATCH)
        ).all()
        if not rows:
            return done
        done += index_rows(connection, rows)
        last = rows[-1][0]


def candidates(dialect: str, term: str) -> Any | None:
    """A subquery of the ids of cases that may contain ``term``; None when the index cannot
    answer (a one-character run): scan instead."""
    phrases = query_phrases(term)
    if phrases is None:
        return None
    if dialect == "sqlite":
        # each run a quoted phrase; tokens are letters and digits only, so no quoting inside
        expression = " AND ".join('"' + " ".join(phrase) + '"' for phrase in phrases)
        return (
            text(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match")
            .bindparams(bindparam("match", expression))
            .columns(column("rowid"))
        )
    wanted = sorted({pair for phrase in phrases for pair in phrase})
    return select(_pg_search.c.case_id).where(
        _pg_search.c.terms.contains(
            bindparam("terms", wanted, type_=postgresql.ARRAY(postgresql.TEXT))
        )
    )


def narrowed(id_column: ColumnElement[Any], dialect: str, term: str) -> ColumnElement[bool] | None:
    """``id_column IN (candidates)``, or None when the index cannot answer.

    On PostgreSQL the candidates are an ``ARRAY(subquery)``, evaluated once before the scan:
    written as ``IN (subquery)`` the planner chose to scan every case with the substring
    filter and probe the index per row (180 ms against a 150 ms scan at 100,000 cases,
    bench/), as an array it looks the ids up by primary key.
    """
    subquery = candidates(dialect, term)
    if subquery is None:
        return None
    if dialect == "sqlite":
        return id_column.in_(subquery)
    return id_column == any_(func.array(subquery.scalar_subquery()))


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's autogenerate filter: the index is dialect-specific DDL (an FTS5 virtual table
    and its shadow tables on SQLite), not part of the models."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))
