"""Demo databases on PostgreSQL, for the queue, search and writer figures there.

A demo of N cases is loaded once into the schema ``bench_demo_N`` of the server the tests use
(``GRIDCONSOLE_TEST_PG``, default 127.0.0.1:5432/test) and reused while it holds the demo; drop
it with ``DROP SCHEMA bench_demo_N CASCADE``. The floor is bare psycopg on the same schema.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gridconsole.clock import FrozenClock
from gridconsole.services import database
from gridconsole.services.demo import seed_demo
from gridconsole.services.operators import os_username
from gridconsole.store.engine import Database
from tests.factories import T0
from tests.postgres import server_url


def reachable() -> bool:
    engine = create_engine(server_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def demo_url(cases: int) -> tuple[str, float | None]:
    """The URL of a PostgreSQL demo of ``cases`` cases, and the seconds its load took (None:
    reused)."""
    schema = f"bench_demo_{cases}"
    separator = "&" if "?" in server_url() else "?"
    url = f"{server_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    admin = create_engine(server_url())
    with admin.begin() as connection:
        held = connection.execute(
            text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = :schema AND table_name = 'database_info'"
            ),
            {"schema": schema},
        ).scalar_one()
        if held:
            held = connection.execute(
                text(f'SELECT count(*) FROM "{schema}".database_info')
            ).scalar_one()
        if not held:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    db = Database.connect(url)
    database.upgrade(db)
    built = None
    if not held:
        started = time.perf_counter()
        seed_demo(db, FrozenClock(T0), cases=cases, username=os_username())
        with db.write() as session:
            session.execute(text("ANALYZE"))
        built = time.perf_counter() - started
    db.dispose()
    return url, built


def bare_psycopg(url: str) -> tuple[Callable[[str, Any], object], Callable[[], None]]:
    """(run a statement and fetch its rows, close) through bare psycopg on ``url``."""
    import psycopg

    parsed = make_url(url).set(drivername="postgresql")
    connection = psycopg.connect(
        parsed.render_as_string(hide_password=False).split("?")[0],
        options=parsed.query.get("options"),
        autocommit=True,
    )

    def execute(sql: str, parameters: Any) -> object:
        return connection.execute(sql, parameters).fetchall()

    return execute, connection.close
