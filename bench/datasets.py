"""Demo databases of a given size, built once and reused (bench/data/, git-ignored)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services import database
from gridconsole.services.demo import seed_demo
from gridconsole.services.operators import os_username
from gridconsole.store.engine import Database
from gridconsole.store.write_gate import gate_path
from tests.factories import T0

DATA = Path(__file__).resolve().parent / "data"


def demo_database(cases: int) -> tuple[Path, float | None]:
    """The path of a demo database with ``cases`` cases, and the seconds it took to build it
    (None when it was reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"demo-{cases}.db"
    partial = path.with_suffix(".partial")
    if path.exists():
        _adopt_audit_key(partial, path)  # a database built before the key followed the rename
        # a database built by an older revision is brought to head, not rebuilt
        db = Database.connect(f"sqlite:///{path}")
        database.upgrade(db, Settings())
        db.dispose()
        return path, None
    for leftover in DATA.glob(f"{partial.name}*"):
        leftover.unlink()
    started = time.perf_counter()
    db = Database.connect(f"sqlite:///{partial}")
    database.upgrade(db)
    seed_demo(db, FrozenClock(T0), cases=cases, username=os_username())
    db.dispose()
    elapsed = time.perf_counter() - started
    partial.rename(path)
    _adopt_audit_key(partial, path)
    gate_path(partial).unlink(missing_ok=True)  # the build wrote alone; the file keeps no state
    return path, elapsed


def _adopt_audit_key(built: Path, final: Path) -> None:
    """The audit key is made beside the file as it is built (``<file>.audit-key``); the renamed
    database needs it beside its own name, or no write to it can be chained."""
    key = built.with_name(built.name + ".audit-key")
    if key.exists() and not final.with_name(final.name + ".audit-key").exists():
        key.rename(final.with_name(final.name + ".audit-key"))


def copy_database(source: Path, target: Path) -> Path:
    """A scratch copy of a closed demo database with its audit key beside it, so the copy can be
    written to (each write appends a keyed audit entry); ``target``."""
    shutil.copy(source, target)
    key = source.with_name(source.name + ".audit-key")
    if key.exists():
        shutil.copy(key, target.with_name(target.name + ".audit-key"))
    return target
