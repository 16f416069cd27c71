"""Several processes fire the same deadlines: every warning and breach is written exactly once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import Action
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.store.engine import Database
from gridconsole.store.models import CaseEvent
from tests.factories import T0, new_case_fields

PROCESSES = 4
CASES = 60
LATER = T0 + timedelta(days=30)


def _fire(url: str, username: str) -> int:
    db = Database.connect(url)
    services = Services.build(db, Settings(), FrozenClock(LATER), username)
    fired = DeadlineWatch(services.context, batch=7).fire_due()
    db.dispose()
    return len(fired.breached)


def test_processes_firing_the_same_breaches_write_each_once(any_db: Database) -> None:
    url = any_db.reader.url.render_as_string(hide_password=False)
    services = Services.build(any_db, Settings(), FrozenClock(T0), "disp")
    for i in range(CASES):
        services.cases.report(new_case_fields(title=f"并发超期{i}"))
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        counts = pool.starmap(_fire, [(url, "disp" if i % 2 else "lead") for i in range(PROCESSES)])
    assert sum(counts) == CASES
    with any_db.read() as session:
        rows = session.execute(
            select(col(CaseEvent.case_id), col(CaseEvent.action)).where(
                col(CaseEvent.action).in_(
                    [Action.deadline_breach.value, Action.deadline_warning.value]
                )
            )
        ).all()
    per_case = Counter((case_id, action) for case_id, action in rows)
    assert len(per_case) == CASES * 2
    assert set(per_case.values()) == {1}
