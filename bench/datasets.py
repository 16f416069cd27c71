"""Demo databases of a given size, built once and reused (bench/data/, git-ignored)."""

from __future__ import annotations

import time
from pathlib import Path

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services import database
from gridconsole.services.demo import seed_demo
from gridconsole.services.operators import os_username
from gridconsole.store.engine import Database
from tests.factories import T0

DATA = Path(__file__).resolve().parent / "data"


def demo_database(cases: int) -> tuple[Path, float | None]:
    """The path of a demo database with ``cases`` cases, and the seconds it took to build it
    (None when it was reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"demo-{cases}.db"
    if path.exists():
        # a database built by an older revision is brought to head, not rebuilt
        db = Database.connect(f"sqlite:///{path}")
        database.upgrade(db, Settings())
        db.dispose()
        return path, None
    partial = path.with_suffix(".partial")
    for leftover in DATA.glob(f"{partial.name}*"):
        leftover.unlink()
    started = time.perf_counter()
    db = Database.connect(f"sqlite:///{partial}")
    database.upgrade(db)
    seed_demo(db, FrozenClock(T0), cases=cases, username=os_username())
    db.dispose()
    elapsed = time.perf_counter() - started
    partial.rename(path)
    return path, elapsed
