"""Where a database stands against the migrations, and bringing it to head."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect


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
    config = Config()
    location = resources.files("gridconsole.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_status(engine: Engine) -> SchemaStatus:
    head = head_revision()
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        has_tables = bool(inspect(connection).get_table_names())
    if revision == head:
        return SchemaStatus(SchemaState.current, revision, head)
    if revision is None:
        state = SchemaState.unknown if has_tables else SchemaState.empty
        return SchemaStatus(state, None, head)
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    state = SchemaState.behind if revision in known else SchemaState.unknown
    return SchemaStatus(state, revision, head)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` in one transaction (SQLite and PostgreSQL DDL are transactional)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
