"""Where a SQLite database lives, read from its URL without importing SQLAlchemy.

The console checks the file exists before it draws its first frame, and SQLAlchemy costs more
to import than the rest of the start-up: so the URL is parsed here, the way
``sqlalchemy.engine.make_url`` parses it (tests hold the two to the same answers).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from gridconsole.domain.errors import DomainError

# sqlalchemy.engine.url._parse_url's pattern: the database is whatever follows the first "/"
# after the host, up to the query string.
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


class NoDatabaseFile(DomainError):
    key = "cli.no_database_file"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for other databases, in-memory SQLite and URLs that
    do not parse: connecting reports those)."""
    match = _URL.match(url)
    if match is None or match["name"].split("+", 1)[0] != "sqlite":
        return None
    database = unquote(match["database"]) if match["database"] else ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def require_existing(url: str) -> None:
    """Refuse a SQLite URL whose file does not exist (connecting would create an empty one)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise NoDatabaseFile(path=path)
