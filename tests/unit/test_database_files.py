"""The SQLite file of a URL, read without SQLAlchemy, agrees with SQLAlchemy's own parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from gridconsole.i18n import set_locale
from gridconsole.services.database_files import NoDatabaseFile, require_existing, sqlite_path

URLS = [
    "sqlite:///centre.db",
    "sqlite:////var/lib/gridconsole/centre.db",
    "sqlite+pysqlite:///data/centre.db",
    "sqlite:///data/%E4%B8%AD%E5%BF%83.db",
    "sqlite:///centre.db?timeout=5",
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite:///file:centre.db?mode=ro&uri=true",
    "postgresql+psycopg://grid:secret@db.example:5432/centre",
    "postgresql:///centre",
]


def sqlalchemy_sqlite_path(url: str) -> Path | None:
    """What the console used to compute with ``make_url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


@pytest.mark.parametrize("url", URLS)
def test_sqlite_path_agrees_with_sqlalchemy(url: str) -> None:
    assert sqlite_path(url) == sqlalchemy_sqlite_path(url)


def test_an_unparsable_url_is_left_to_the_engine() -> None:
    assert sqlite_path("not a url") is None
    require_existing("not a url")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    set_locale("en")
    missing = tmp_path / "typo.db"
    with pytest.raises(NoDatabaseFile) as refused:
        require_existing(f"sqlite:///{missing}")
    assert f"no database file {missing}" in str(refused.value)
    missing.touch()
    require_existing(f"sqlite:///{missing}")
