"""Demo databases on PostgreSQL, for the queue, search and writer figures there.

A demo of N cases is loaded once into the schema ``bench_demo_N`` of the server the tests use
(``GRIDCONSOLE_TEST_PG``, default 127.0.0.1:5432/test) and reused while it holds the demo; drop
it with ``DROP SCHEMA bench_demo_N CASCADE``. The floor is bare psycopg on the same schema.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.datasets import DATA
from gridconsole.clock import FrozenClock
from gridconsole.services import database
from gridconsole.services.demo import seed_demo
from gridconsole.services.operators import os_username
from gridconsole.store.audit_log import KEY_FILE_ENV
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
    # the audit log's key lives outside the database (bench/data/): set for this process and
    # the writer processes it spawns; a schema whose key is gone cannot take writes: rebuilt
    key = DATA / f"pg-demo-{cases}.audit-key"
    DATA.mkdir(exist_ok=True)
    os.environ[KEY_FILE_ENV] = str(key)
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
        if not held or not key.exists():
            held = 0
            key.unlink(missing_ok=True)  # the new log makes its own
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
        options=str(parsed.query.get("options") or ""),
        autocommit=True,
    )

    def execute(sql: str, parameters: Any) -> object:
        return connection.execute(sql, parameters).fetchall()

    return execute, connection.close


def report(cases: int, runs: int, writers_per_process: int) -> None:
    """Queue pages, search and the 8 writers on a PostgreSQL demo of ``cases`` cases."""
    from bench import queue_pages, search, transitions

    if not reachable():
        print(f"\n== PostgreSQL not reachable at {server_url()}: skipped")
        return
    url, built = demo_url(cases)
    note = f"loaded in {built:.1f} s" if built is not None else "reused"
    print(f"\n== PostgreSQL demo, {cases:,} cases (schema bench_demo_{cases}, {note})")
    db = Database.connect(url)
    bare, close = bare_psycopg(url)
    try:
        print(f"{'queue page (50 rows + total)':44} {'services':>38}   {'bare psycopg':>38}")
        for label, ours, floor in queue_pages.run_on(db, bare, runs):
            ratio = ours.median_ms / floor.median_ms
            print(
                f"  {label:42} {ours!s:>38}   {floor!s:>38}  x{ratio:.1f}"
                f"  target <= 2x: {'met' if ratio <= 2 else 'MISSED'}"
            )
        print(f"{'search (GIN bigram index)':44} {'services':>38}   {'bare LIKE scan':>38}")
        for label, ours, floor, matches in search.run_on(db, bare, runs):
            print(
                f"  {label:42} {ours!s:>38}   {floor!s:>38}  x{ours.median_ms / floor.median_ms:.2f}"
                f"  ({matches:,} cases)"
            )
    finally:
        close()
        db.dispose()
    transitions.report("PostgreSQL", transitions.run_url(url, None, writers_per_process))
