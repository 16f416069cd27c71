"""Migrations, the engine's SQLite settings, and UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from gridconsole.clock import FrozenClock
from gridconsole.services import database
from gridconsole.store import case_search, schema
from gridconsole.store.engine import Database, normalise_url
from gridconsole.store.models import DatabaseInfo, Operator, metadata
from tests.factories import OPERATORS, new_case_fields, services_for


def test_empty_to_head_matches_the_models(empty_db_url: str) -> None:
    db = Database.connect(empty_db_url)
    assert schema.schema_status(db.reader).state is schema.SchemaState.empty
    before, after = database.upgrade(db)
    assert before.state is schema.SchemaState.empty
    assert after.state is schema.SchemaState.current
    with db.reader.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_name": case_search.include_name},
            ),
            metadata,
        )
    assert differences == []


def test_the_head_constant_is_the_newest_migration() -> None:
    assert schema.head_revision() == schema.HEAD_REVISION, (
        "a new migration landed: set HEAD_REVISION in gridconsole/store/schema.py to it"
    )


def test_an_empty_or_unknown_database_says_what_to_run(empty_db_url: str) -> None:
    url = empty_db_url
    with pytest.raises(database.SchemaNotCurrent, match="gridconsole db upgrade"):
        database.connect(url)
    db = Database.connect(url)
    database.upgrade(db)
    with db.writer.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'fffffffffff'"))
    with pytest.raises(database.SchemaNotCurrent, match="无法识别"):
        database.connect(url)


def test_an_older_database_is_behind_until_upgraded(empty_db_url: str) -> None:
    url = empty_db_url
    db = Database.connect(url)
    schema.upgrade(db.writer, "7d3392607f87")  # the first revision
    status = schema.schema_status(db.reader)
    assert (status.state, status.revision) == (schema.SchemaState.behind, "7d3392607f87")
    with pytest.raises(database.SchemaNotCurrent, match=r"7d3392607f87.*gridconsole db upgrade"):
        database.connect(url)
    before, after = database.upgrade(db)
    assert before.state is schema.SchemaState.behind
    assert after.state is schema.SchemaState.current
    database.connect(url).dispose()
    db.dispose()


def test_migrations_keep_the_data_of_a_working_database(db: Database, clock: FrozenClock) -> None:
    """Down to the first revision and back up, with cases and events in the tables (on SQLite
    a column change copies the table, which foreign keys from other tables must survive)."""
    services = services_for(db, "disp", clock)
    case = services.cases.report(new_case_fields())
    services.cases.accept(case.code, case.version)
    schema.downgrade(db.writer, "7d3392607f87")
    assert schema.schema_status(db.reader).state is schema.SchemaState.behind
    schema.upgrade(db.writer)
    assert schema.schema_status(db.reader).state is schema.SchemaState.current
    detail = services.queue.detail(case.code)
    assert [event.action.value for event in detail.events] == ["report", "accept"]
    if db.dialect == "sqlite":
        with db.reader.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.sqlite_only("PRAGMAs are SQLite's")
def test_sqlite_pragmas(db: Database) -> None:
    with db.reader.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


@pytest.mark.sqlite_only("BEGIN IMMEDIATE and WAL readers are SQLite's")
def test_writes_begin_immediate_reads_deferred(db: Database) -> None:
    """A write transaction holds the write lock from its first statement."""
    with db.write() as session:
        session.execute(text("SELECT 1"))
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        assert raw.in_transaction
        other = Database.connect(str(db.reader.url))
        try:
            with other.reader.connect() as reader:
                # a reader is not blocked by the writer (WAL)
                assert reader.execute(text("SELECT count(*) FROM operators")).scalar() == len(
                    OPERATORS
                )
        finally:
            other.dispose()


def test_times_are_stored_utc_and_naive_ones_refused(db: Database) -> None:
    nanjing = timezone(timedelta(hours=8))
    with db.write() as session:
        session.add(
            Operator(
                username="tz",
                display_name="时区",
                role="dispatcher",
                created_at=datetime(2026, 11, 29, 9, 30, tzinfo=nanjing),
            )
        )
    with db.read() as session:
        operator = session.query(Operator).filter_by(username="tz").one()
        assert operator.created_at == datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
        assert operator.created_at.tzinfo is UTC
    with pytest.raises(Exception, match="naive"), db.write() as session:
        session.add(
            Operator(
                username="naive",
                display_name="x",
                role="dispatcher",
                created_at=datetime(2026, 11, 29, 9, 30),  # noqa: DTZ001
            )
        )
    with db.read() as session:
        assert session.get(DatabaseInfo, "purpose") is not None
        assert session.query(Operator).filter_by(username="naive").count() == 0


def test_postgres_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def _mapped(path: str) -> bool:
    """Whether this process maps the file ``path`` (Linux: /proc/self/maps)."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return any(line.rstrip().endswith(path) for line in maps)


@pytest.mark.sqlite_only("memory-mapped reads are SQLite's")
def test_a_scanning_read_maps_the_file_only_while_it_lasts(db: Database) -> None:
    path = str(db.reader.url.database)
    with db.read(scan=True) as session:
        assert session.execute(text("PRAGMA mmap_size")).scalar() > 0
        assert session.execute(text("SELECT count(*) FROM operators")).scalar() == len(OPERATORS)
        assert _mapped(path)
        # another read meanwhile puts a second connection in the pool, ahead of the scan's
        with db.read() as other:
            other.execute(text("SELECT count(*) FROM cases")).scalar()
    # the scan's own connection was unmapped (not whichever the pool handed out next): a
    # console keeps no scanned page resident (2 GiB stayed mapped at 1,000,000 cases)
    assert not _mapped(path)
    with db.read() as session:
        assert session.execute(text("PRAGMA mmap_size")).scalar() == 0
