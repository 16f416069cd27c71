"""What ``case_events.department_id`` must hold, computed by the join it replaced: the
department the event's detail names, else the case's latest lead dispatch made at or before the
event (the statistics' lookup before the column)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from gridconsole.domain.enums import DispatchRole
from gridconsole.store.engine import Database
from gridconsole.store.models import CaseEvent, Dispatch

_e = CaseEvent.__table__.c  # type: ignore[attr-defined]


def _joined() -> Any:
    held = Dispatch.__table__.alias("held")  # type: ignore[attr-defined]
    latest = (
        select(func.max(held.c.id))
        .where(
            held.c.case_id == _e.case_id,
            held.c.role == DispatchRole.lead.value,
            held.c.dispatched_at <= _e.at,
        )
        .correlate(CaseEvent)
        .scalar_subquery()
    )
    chosen = Dispatch.__table__.alias("chosen")  # type: ignore[attr-defined]
    found = (
        select(chosen.c.department_id)
        .where(chosen.c.id == latest)
        .correlate(CaseEvent)
        .scalar_subquery()
    )
    return func.coalesce(_e.detail["department_id"].as_integer(), found)


def misjudged(db: Database) -> list[tuple[int, str, int | None, int | None]]:
    """Events whose column differs from the join: (id, action, column, join)."""
    expected = _joined()
    with db.read() as session:
        return [
            (row.id, str(row.action), row.department_id, row.expected)
            for row in session.execute(
                select(_e.id, _e.action, _e.department_id, expected.label("expected"))
                .where(_e.department_id.is_distinct_from(expected))
                .order_by(_e.id)
            )
        ]


def judged(db: Database) -> Counter[tuple[str, bool]]:
    """How many events of each action have a department, by (action, named in the detail):
    the paths a check covered."""
    named = _e.detail["department_id"].as_integer().is_not(None)
    with db.read() as session:
        return Counter(
            {
                (str(row.action), bool(row.named)): int(row.n)
                for row in session.execute(
                    select(_e.action, named.label("named"), func.count().label("n"))
                    .where(_e.department_id.is_not(None))
                    .group_by(_e.action, named)
                )
            }
        )
