"""Where a database stands against the migrations, and bringing it to head.

Opening a console only needs "is this database at head?": one query against
``alembic_version`` beside :data:`HEAD_REVISION`. Alembic itself (about 0.3 s to import) is
loaded only to upgrade or to explain a database that is not at head.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration. A test compares it with the migrations directory, so a new revision
# cannot land without updating it.
HEAD_REVISION = "04cde464410a"


class SchemaState(StrEnum):
    current = "current"
    empty = "empty"  # no tables at all: a new database
    behind = "behind"  # an older gridconsole made it: run `db upgrade`
    unknown = "unknown"  # a revision we do not know (a newer gridconsole?) or not ours


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None
    head: str


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("gridconsole.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    """The head as the migrations directory says (slow: imports Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            revisions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except (OperationalError, ProgrammingError):
            return None
    return revisions[0][0] if len(revisions) == 1 else None


def schema_status(engine: Engine) -> SchemaStatus:
    revision = _stored_revision(engine)
    if revision == HEAD_REVISION:
        return SchemaStatus(SchemaState.current, revision, HEAD_REVISION)
    if revision is None:
        with engine.connect() as connection:
            has_tables = bool(inspect(connection).get_table_names())
        state = SchemaState.unknown if has_tables else SchemaState.empty
        return SchemaStatus(state, None, HEAD_REVISION)
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    state = SchemaState.behind if revision in known else SchemaState.unknown
    return SchemaStatus(state, revision, HEAD_REVISION)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` in one transaction (SQLite and PostgreSQL DDL are
    transactional)."""
    from alembic import command

    config = alembic_config()
    with _migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (tests and emergencies; data in dropped columns is
    lost)."""
    from alembic import command

    config = alembic_config()
    with _migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration.

    On SQLite, Alembic changes a table by copying it and dropping the old one, which foreign
    keys from other tables forbid: the check is switched off for the migration (it can only be
    switched outside a transaction), every reference is checked before commit, and it is switched
    on again.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration left broken references: {broken[:5]}")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")
