"""Engine factory: one code path for SQLite and PostgreSQL.

SQLite gets WAL, foreign keys, a busy timeout and full sync on every connection. Writes must begin
``IMMEDIATE``: a deferred transaction that upgrades to a write lock cannot wait for the lock and
fails with "database is locked" under concurrent consoles (measured: 65–90 % of transactions).
Reads stay deferred so pollers never queue behind writers. Before BEGIN, a write takes the
file's write gate (store/write_gate.py), so writers of several consoles take turns promptly
instead of sleeping in SQLite's busy handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gridconsole.store import change_notify
from gridconsole.store.audit_log import AuditKeyring, AuditLog, default_key_path
from gridconsole.store.write_gate import WriteGate

BUSY_TIMEOUT_MS = 10_000
# a scanning read's map (Database.read(scan=True)); SQLite caps it at its build's maximum (2 GiB
# by default): a larger file is read past it as usual. Measured on the 100,000-case demo: a
# month's department table 1.00 s -> 0.64 s CPU, the community table 1.43 s -> 0.87 s.
SCAN_MMAP_BYTES = 1 << 40
_BEGIN_OPTION = "gridconsole_sqlite_begin"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs; leave everything else as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; ``None`` for PostgreSQL and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if str(parsed.database).startswith("file:"):
        return None  # a URI filename (tests' shared memory); no file to put a gate beside
    return Path(str(parsed.database))


@dataclass(frozen=True)
class Database:
    """The engines of one database: ``reader`` for queries, ``writer`` for transactions."""

    reader: Engine
    writer: Engine
    # every write transaction is chained into the audit log at commit (store/audit_log.py)
    audit: AuditLog = field(default_factory=lambda: AuditLog(AuditKeyring(None)))
    # SQLite: one writer at a time across processes, handed over at once; None on PostgreSQL,
    # whose row locks and compare-and-set need no gate
    gate: WriteGate | None = None

    @classmethod
    def connect(cls, url: str, *, echo: bool = False) -> Database:
        engine = create_db_engine(url, echo=echo)
        change_notify.install(engine)  # PostgreSQL: commits that change cases say so
        writer: Engine = engine
        gate = None
        if engine.dialect.name == "sqlite":
            writer = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            gate = WriteGate(sqlite_file(normalise_url(url)))
        keyring = AuditKeyring(default_key_path(normalise_url(url)))
        return cls(reader=engine, writer=writer, audit=AuditLog(keyring), gate=gate)

    @property
    def dialect(self) -> str:
        return self.reader.dialect.name

    @property
    def url(self) -> str:
        return self.reader.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self, *, scan: bool = False) -> Iterator[Session]:
        """A session for queries; its transaction is rolled back at the end.

        ``scan``: its queries read much of a period's rows (the statistics). On SQLite the file
        is memory-mapped for the session instead of copied page by page through SQLite's 2 MiB
        cache, then unmapped, so a console does not keep the pages it scanned resident."""
        if not scan or self.dialect != "sqlite":
            with Session(self.reader, expire_on_commit=False) as session:
                yield session
            return
        # one pooled connection held throughout: the map is the connection's, and it must be
        # undone on that connection (a session returns its connection to the pool at rollback,
        # and the unmapping PRAGMA went to whichever came out next: 2 GiB stayed mapped)
        with self.reader.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA mmap_size = {SCAN_MMAP_BYTES}")
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    yield session
            finally:
                connection.rollback()  # the read transaction ends: no page stays referenced
                connection.exec_driver_sql("PRAGMA mmap_size = 0")

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        gate = self.gate.held() if self.gate is not None else nullcontext()
        with gate, Session(self.writer, expire_on_commit=False) as session:
            self.audit.attach(session)
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.reader.dispose()
