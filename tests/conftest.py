from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import textual._wait

from gridconsole.clock import FrozenClock
from gridconsole.i18n import set_locale
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.dispatch_cases import DispatchScene, build_scene_database
from tests.factories import T0, build_and_close_reference, services_for, sqlite_url
from tests.hostile_world import HostileWorld, build_hostile_template
from tests.postgres import (
    BACKEND_VARIABLE,
    BACKENDS,
    Backend,
    Templates,
    backend,
    drop_leftovers,
    fresh_database_url,
    reachable,
)

# Pilot's press() waits, twice a key, until the process has been idle for a slice of
# SLEEP_GRANULARITY (20 ms): at least 40 ms a key, whatever the console does, and most of the
# UI tests' time. A 4 ms slice keeps the same test (CPU under 5 % of the slice) in a fifth of the
# wait; the tests' own settle() still waits for every worker and message.
textual._wait.SLEEP_GRANULARITY = 0.004
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=BACKENDS,
        default=None,
        help=f"the database every test builds: a SQLite file (default) or a throw-away "
        f"PostgreSQL database (also {BACKEND_VARIABLE}=postgres)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): about SQLite files themselves; skipped under --db=postgres",
    )
    config.addinivalue_line(
        "markers", "any_db_template(key, build): any_db copies this template, not the reference"
    )
    config.addinivalue_line(
        "markers",
        "uses_database: builds a database of the chosen backend without the fixtures "
        "(kept under --db=postgres)",
    )
    chosen = config.getoption("--db")
    if chosen is not None:
        # exported: subprocesses a test starts (consoles, the CLI, timers) read the same choice
        os.environ[BACKEND_VARIABLE] = chosen
    if backend() == "postgres" and not hasattr(config, "workerinput"):
        why = reachable()
        if why is not None:
            raise pytest.UsageError(f"--db=postgres: {why}")
        drop_leftovers()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # any_db runs a test on both databases by default; under --db=postgres once, on PostgreSQL.
    # Either way its PostgreSQL run is marked postgres, so `--db=postgres -m "not postgres"` runs
    # exactly what the default run did not already run on PostgreSQL (CI's second pass).
    if "any_db" in metafunc.fixturenames:
        on_postgres = pytest.param("postgres", marks=pytest.mark.postgres)
        params: list[object] = [on_postgres] if backend() == "postgres" else ["sqlite", on_postgres]
        metafunc.parametrize("any_db", params, indirect=True)


# fixtures through which a test gets a database of the chosen backend (directly or not)
DATABASE_FIXTURES = frozenset({"templates", "new_empty_db_url"})


def uses_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return (
        bool(DATABASE_FIXTURES.intersection(names))
        or item.get_closest_marker("uses_database") is not None
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under --db=postgres, run what touches a database: a test that builds none (pure rules,
    parsers, text) would repeat its SQLite run word for word, and a terminal-size variant of
    a pane shows the same rows as its 120×40 run (the layout is checked on SQLite)."""
    if backend() != "postgres":
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        small = callspec is not None and callspec.params.get("size") == (80, 24)
        (kept if uses_database(item) and not small else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("sqlite_only")
    if marker is not None and backend() == "postgres":
        pytest.skip(f"SQLite only: {marker.args[0]}")


@pytest.fixture(autouse=True)
def _chinese_locale() -> Iterator[None]:
    set_locale("zh")
    yield
    set_locale("zh")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Backend, Templates]]:
    """Template databases per backend, built on first use and dropped at the end."""
    directory = tmp_path_factory.mktemp("templates")
    built = {kind: Templates(kind, directory) for kind in ("sqlite", "postgres")}
    yield built  # type: ignore[misc]
    for each in built.values():
        each.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite file is (on PostgreSQL nothing is written there)."""
    return tmp_path / "centre.db"


@pytest.fixture
def db_url(templates: dict[Backend, Templates], db_path: Path) -> Iterator[str]:
    """The URL of this test's own copy of the reference database, on the chosen backend."""
    with templates[backend()].copy("reference", build_and_close_reference, db_path) as (url, _):
        yield url


@pytest.fixture
def new_empty_db_url(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes databases with nothing in them (no schema) on the chosen backend: their URLs."""
    with ExitStack() as stack:

        def make() -> str:
            if backend() == "postgres":
                return stack.enter_context(fresh_database_url())
            path = tmp_path / f"empty-{uuid.uuid4().hex[:8]}.db"
            sqlite3.connect(path).close()  # an empty file, as a new PostgreSQL database is
            return sqlite_url(path)

        yield make


@pytest.fixture
def empty_db_url(new_empty_db_url: Callable[[], str]) -> str:
    """The URL of a database with nothing in it (no schema), on the chosen backend."""
    return new_empty_db_url()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.connect(db_url)
    yield database
    database.dispose()


# what the builder of an any_db_template returned, for the test's fixtures
TEMPLATE_DATA = pytest.StashKey[object]()


@pytest.fixture
def any_db(
    request: pytest.FixtureRequest, templates: dict[Backend, Templates], db_path: Path
) -> Iterator[Database]:
    """The reference database on SQLite and on PostgreSQL: the same code must pass on both.

    ``@pytest.mark.any_db_template(key, build)`` makes it a copy of another template, built
    once per run by ``build(url)``; what that returned is in ``request.node.stash[TEMPLATE_DATA]``.
    """
    kind: Backend = request.param
    marker = request.node.get_closest_marker("any_db_template")
    key, build = marker.args if marker else ("reference", build_and_close_reference)
    with templates[kind].copy(key, build, db_path) as (url, data):
        request.node.stash[TEMPLATE_DATA] = data
        database = Database.connect(url)
        yield database
        database.dispose()


@pytest.fixture
def dispatch_scene_url(
    templates: dict[Backend, Templates], db_path: Path
) -> Iterator[tuple[str, DispatchScene]]:
    """A copy of tests/dispatch_cases.py's scene: its URL and what it holds."""
    with templates[backend()].copy("dispatch-scene", build_scene_database, db_path) as copied:
        yield copied


@pytest.fixture
def dispatcher(db: Database, clock: FrozenClock) -> Services:
    return services_for(db, "disp", clock)


@pytest.fixture
def lead(db: Database, clock: FrozenClock) -> Services:
    return services_for(db, "lead", clock)


@pytest.fixture(scope="session")
def hostile_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, HostileWorld]:
    """The street full of hostile text (tests/hostile_world.py), built once per run (~20 s)."""
    path = tmp_path_factory.mktemp("hostile") / "centre.db"
    return path, build_hostile_template(path)
