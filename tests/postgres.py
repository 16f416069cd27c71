"""Which database the tests run on, and throw-away PostgreSQL databases for them.

``pytest --db=postgres`` (or ``GRIDCONSOLE_TEST_DB=postgres``) runs every test that builds a
database on the PostgreSQL server at GRIDCONSOLE_TEST_PG (default 127.0.0.1:5432/test) instead of
a SQLite file. A database the tests need many times (the reference street, a dispatch scene) is
built once per session as a template and copied for each test (see :class:`Templates`). Each
PostgreSQL database of a test is a schema of the server's database, named with the session's
pid; its connections carry the schema as their application_name, so the teardown can end those a
test left open (a subprocess, an undisposed engine) before it resets or drops the schema.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKEND_VARIABLE = "GRIDCONSOLE_TEST_DB"
Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")
# Names carry the process id, so one session never drops another's (several engineers and CI
# share the server) and a later session can tell a crashed one's leftovers.
_PREFIX = "gct_"
T = TypeVar("T")


def backend() -> Backend:
    """The database the suite runs on: set by ``--db`` (exported for subprocesses) or the env."""
    value = os.environ.get(BACKEND_VARIABLE, "sqlite")
    if value not in BACKENDS:
        raise pytest.UsageError(f"{BACKEND_VARIABLE}={value!r}: expected sqlite or postgres")
    return value  # type: ignore[return-value]


def server_url() -> str:
    return os.environ.get("GRIDCONSOLE_TEST_PG", DEFAULT_URL)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_url(name: str) -> str:
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def _admin() -> Engine:
    return create_engine(
        server_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def reachable() -> str | None:
    """None when the server answers, else why not."""
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return f"PostgreSQL not reachable at {server_url()}: {exc.orig}"
    finally:
        admin.dispose()
    return None


def _skip_unless_reachable() -> None:
    why = reachable()
    if why is not None:
        pytest.skip(why)


def schema_url(schema: str) -> str:
    """The server's URL with ``schema`` as the search path; connections name themselves after it,
    so the teardown can end those a test left open (a lock they hold would stall DROP SCHEMA)."""
    separator = "&" if "?" in server_url() else "?"
    options = quote(f"-csearch_path={schema}")
    return f"{server_url()}{separator}options={options}&application_name={schema}"


def _new_schema(tag: str) -> str:
    return f"{_PREFIX}{os.getpid()}_{tag}_{uuid.uuid4().hex[:10]}"


def _drop_schema(admin: Engine, schema: str) -> None:
    _end_connections(admin, schema)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@contextmanager
def fresh_schema_url() -> Iterator[str]:
    """A URL whose search_path is a new empty schema, dropped afterwards."""
    _skip_unless_reachable()
    admin = _admin()
    schema = _new_schema("t")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(schema)
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


def _dump_schema(schema: str) -> str | None:
    """``schema`` as SQL that recreates it with its rows, or None without a usable pg_dump."""
    url = make_url(server_url())
    command = ["pg_dump", "--schema", schema, "--inserts", "--no-owner", "--no-privileges"]
    command += ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    command += ["--username", url.username or "postgres", url.database or "postgres"]
    environment = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    # psql's meta-commands (\restrict …) are not SQL
    return "\n".join(line for line in done.stdout.splitlines() if not line.startswith("\\"))


def drop_leftovers() -> None:
    """Drop the schemas of test sessions that died without their teardown (their pid is gone)."""
    admin = _admin()
    try:
        with admin.connect() as connection:
            names = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
                {"prefix": f"{_PREFIX}%"},
            ).scalars()
            stale = [name for name in names if not _alive(int(name.split("_")[1]))]
        for name in stale:
            _drop_schema(admin, name)
    finally:
        admin.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# what a schema is made of: a test that changed it (a migration test going down and up) leaves
# a copy that is not reset but dropped
_SHAPE = """
SELECT md5(coalesce(string_agg(part, ',' ORDER BY part), '')) FROM (
  SELECT concat_ws(':', c.relname, c.relkind::text, a.attname::text,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull::text) AS part
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE n.nspname = :schema
  UNION ALL
  SELECT concat_ws(':', t.tgname, c.relname, t.tgenabled::text) FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = :schema AND NOT t.tgisinternal
  UNION ALL
  SELECT concat_ws(':', con.conname, con.contype::text) FROM pg_constraint con
  JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname = :schema
  UNION ALL
  SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = :schema
) AS shape
"""


class _Template:
    """A PostgreSQL template schema: its dump, its shape, and copies returned for reuse."""

    def __init__(self, schema: str, script: str | None, data: object) -> None:
        self.schema = schema
        self.script = script
        self.data = data
        self.shape = ""
        self.reset_script = ""
        self.free: list[str] = []

    def prepare(self, admin: Engine) -> None:
        """Read the shape and write the script that resets a copy to the template's rows."""
        with admin.connect() as connection:
            self.shape = connection.execute(text(_SHAPE), {"schema": self.schema}).scalar_one()
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"),
                {"s": self.schema},
            ).scalars()
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s ORDER BY 1"),
                {"s": self.schema},
            ).scalars()
            statements = ["BEGIN", "SET LOCAL session_replication_role = replica"]
            for table in tables:  # replica: neither foreign keys nor triggers (the audit log's)
                statements.append(f'DELETE FROM "{{copy}}"."{table}"')
                statements.append(
                    f'INSERT INTO "{{copy}}"."{table}" OVERRIDING SYSTEM VALUE '
                    f'SELECT * FROM "{self.schema}"."{table}"'
                )
            for sequence in sequences:
                statements.append(
                    f'SELECT setval(\'"{{copy}}"."{sequence}"\', last_value, is_called) '
                    f'FROM "{self.schema}"."{sequence}"'
                )
            statements.append("COMMIT")
            self.reset_script = ";\n".join(statements)

    def give_back(self, admin: Engine, schema: str) -> None:
        """Reset a copy a test is done with and keep it, or drop it when its shape changed."""
        _end_connections(admin, schema)
        with admin.connect() as connection:
            shape = connection.execute(text(_SHAPE), {"schema": schema}).scalar_one()
            if shape == self.shape:
                connection.exec_driver_sql(self.reset_script.replace("{copy}", schema))
                self.free.append(schema)
                return
        _drop_schema(admin, schema)


def _end_connections(admin: Engine, schema: str) -> None:
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :schema AND pid <> pg_backend_pid()"
            ),
            {"schema": schema},
        )


class Templates:
    """Databases built once per session and copied for each test that asks for one.

    SQLite: the file is copied. PostgreSQL: the template is a schema, dumped once with pg_dump
    and replayed into a new schema for a test (~0.15 s idle, 0.5–0.8 s on a loaded machine: the
    DDL of every table and index); a copy a test is done with is reset to the template's rows
    (DELETE and INSERT … SELECT, sequences set back: ~20 ms) and handed to the next test, unless
    the test changed its tables. Migrating and filling a schema takes ~0.3–0.8 s; a copied
    database's DROP DATABASE waits for a checkpoint, 0.5–1 s under load.
    """

    def __init__(self, kind: Backend, directory: Path) -> None:
        self.kind = kind
        self._directory = directory
        self._sqlite: dict[str, tuple[Path, object]] = {}
        self._postgres: dict[str, _Template] = {}
        self._admin: Engine | None = None

    def _admin_engine(self) -> Engine:
        if self._admin is None:
            self._admin = _admin()
        return self._admin

    def _postgres_template(self, key: str, build: Callable[[str], object]) -> _Template:
        if key not in self._postgres:
            _skip_unless_reachable()
            schema = _new_schema(key.replace("-", "_"))
            admin = self._admin_engine()
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            data = build(schema_url(schema))  # the builder closes every connection it opened
            template = _Template(schema, _dump_schema(schema), data)
            template.prepare(admin)
            self._postgres[key] = template
        return self._postgres[key]

    @contextmanager
    def copy(self, key: str, build: Callable[[str], T], target: Path) -> Iterator[tuple[str, T]]:
        """A fresh copy of the template ``key`` (built by ``build(url)`` on first use): its URL
        (on SQLite the file ``target``) and what the builder returned."""
        if self.kind == "sqlite":
            if key not in self._sqlite:
                path = self._directory / f"{key}.db"
                self._sqlite[key] = (path, build(sqlite_url(path)))
            path, data = self._sqlite[key]
            for suffix in ("", "-wal", "-shm"):
                source = path.with_name(path.name + suffix)
                if source.exists():
                    shutil.copyfile(source, target.with_name(target.name + suffix))
            yield sqlite_url(target), data  # type: ignore[misc]
            return
        template = self._postgres_template(key, build)
        if template.script is None:  # no pg_dump: build each copy afresh
            with fresh_schema_url() as url:
                yield url, build(url)
            return
        admin = self._admin_engine()
        if template.free:
            schema = template.free.pop()
        else:
            schema = _new_schema("t")
            with admin.connect() as connection:
                # no parameters: psycopg sends the whole script at once (simple query protocol)
                connection.exec_driver_sql(template.script.replace(template.schema, schema))
        try:
            yield schema_url(schema), template.data  # type: ignore[misc]
        finally:
            template.give_back(admin, schema)

    def close(self) -> None:
        if self._admin is None:
            return
        for template in self._postgres.values():
            for schema in [*template.free, template.schema]:
                _drop_schema(self._admin, schema)
        self._admin.dispose()
        self._admin = None


@contextmanager
def fresh_database_url() -> Iterator[str]:
    """An empty PostgreSQL database for a test (a new schema of the test server)."""
    with fresh_schema_url() as url:
        yield url


@contextmanager
def scratch_url(directory: Path, name: str) -> Iterator[str]:
    """A database with nothing in it on the chosen backend: the SQLite file ``directory/name``
    (not created), or a new PostgreSQL schema dropped afterwards."""
    if backend() == "sqlite":
        yield sqlite_url(directory / name)
        return
    with fresh_schema_url() as url:
        yield url
