"""Alembic environment: runs on a connection handed in by ``gridconsole.store.schema``."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel.sql.sqltypes import AutoString

from gridconsole.store import case_search
from gridconsole.store.engine import create_db_engine
from gridconsole.store.models import metadata
from gridconsole.store.types import IntEnumType, UTCDateTime

config = context.config


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones.

    A migration must keep working when the model code changes, so it never imports it.
    """
    if kind != "type":
        return False
    if isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(item, IntEnumType):
        return "sa.Integer()"
    if isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=case_search.include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_db_engine(
        config.get_main_option("sqlalchemy.url") or "sqlite:///gridconsole.db"
    )
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
