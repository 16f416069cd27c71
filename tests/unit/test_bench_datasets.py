"""The benchmark's demo databases stay writable after the audit log: a database is built under
one name and renamed, and each bench writes to a scratch copy; the audit key must follow both."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from bench import datasets, dispatch_work
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import CaseState, Role
from gridconsole.services.audit import verify_database
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.audit_log import KEY_FILE_ENV
from gridconsole.store.engine import Database
from gridconsole.store.models import Operator
from tests.factories import T0

pytestmark = pytest.mark.sqlite_only("the benchmark's demo files are SQLite files")


def test_a_built_demo_keeps_its_key_and_its_copies_take_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as `python -m bench` runs: no key named by the environment, each key beside its file
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setattr(datasets, "DATA", tmp_path)

    path, built_s = datasets.demo_database(40)

    assert built_s is not None
    assert path.with_name(path.name + ".audit-key").exists()
    assert not list(tmp_path.glob("*.partial*"))
    # dispatches, each a write transaction with its audit entry, on a copy
    figure = dispatch_work._dispatch_writes(path, 3)
    assert figure.runs >= 1  # a 40-case demo has few registered cases: each was dispatched
    # a copy's chain goes on under the copied key: its new entries verify
    copy = datasets.copy_database(path, tmp_path / "copy.db")
    db = Database.connect(f"sqlite:///{copy}")
    try:
        before = verify_database(db)
        dispatch_one(db)
        after = verify_database(db)
    finally:
        db.dispose()
    assert before.ok, before.problem
    assert after.ok, after.problem
    assert after.entries > before.entries


def test_a_demo_renamed_before_its_key_followed_is_mended_on_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setattr(datasets, "DATA", tmp_path)
    path, _ = datasets.demo_database(40)
    key = path.with_name(path.name + ".audit-key")
    # as a build of the previous revision left it: the key still under the building name
    key.rename(tmp_path / "demo-40.partial.audit-key")

    again, built_s = datasets.demo_database(40)

    assert (again, built_s) == (path, None)
    assert key.exists()
    assert dispatch_work._dispatch_writes(path, 2).runs >= 1


def dispatch_one(db: Database) -> None:
    with db.read() as session:
        lead = (
            session.execute(
                select(col(Operator.username)).where(col(Operator.role) == Role.shift_lead)
            )
            .scalars()
            .first()
        )
    assert lead is not None
    services = Services.build(db, Settings(), FrozenClock(T0), lead)
    (row,) = services.queue.page(QueueFilter(states=(CaseState.registered,)), limit=1).rows
    department = services.dispatch.active_departments()[0].code
    services.dispatch.dispatch(row.code, row.version, lead=department, override_reason="bench")
