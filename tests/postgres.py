"""PostgreSQL for tests: a throw-away schema per test on the server CI and developers run.

GRIDCONSOLE_TEST_PG overrides the server URL; where no server answers, the tests skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("GRIDCONSOLE_TEST_PG", DEFAULT_URL)


@contextmanager
def fresh_schema_url() -> Iterator[str]:
    """A URL whose search_path is a new empty schema, dropped afterwards."""
    admin = create_engine(server_url(), connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {server_url()}: {exc.orig}")
    separator = "&" if "?" in server_url() else "?"
    try:
        yield f"{server_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
