from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.i18n import set_locale
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.factories import T0, build_reference_database, services_for, sqlite_url
from tests.postgres import fresh_schema_url


@pytest.fixture(autouse=True)
def _chinese_locale() -> Iterator[None]:
    set_locale("zh")
    yield
    set_locale("zh")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "centre.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = build_reference_database(sqlite_url(db_path))
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    """The reference database on SQLite and on PostgreSQL: the same code must pass on both."""
    if request.param == "sqlite":
        database = build_reference_database(sqlite_url(db_path))
        yield database
        database.dispose()
        return
    with fresh_schema_url() as url:
        database = build_reference_database(url)
        yield database
        database.dispose()


@pytest.fixture
def dispatcher(db: Database, clock: FrozenClock) -> Services:
    return services_for(db, "disp", clock)


@pytest.fixture
def lead(db: Database, clock: FrozenClock) -> Services:
    return services_for(db, "lead", clock)
