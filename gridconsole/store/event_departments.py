"""The department an event judges (``case_events.department_id``), written with the event.

The statistics count returns, urges, follow-ups … against a department: the one the event's
detail names (most department actions record it), else the case's latest lead dispatch (主办)
made at or before the event, active or not: the department whose work it was. None for an event
before any lead dispatch. Every path that writes events fills the column through this module,
the ORM's one at a time (:func:`judged_department`), Core batches for many cases at once
(:func:`fill_judged_departments`), and the demo generator from the rows it holds
(:func:`pick_department`); the migration that added the column computed the same for the rows
already there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from gridconsole.domain.enums import DispatchRole
from gridconsole.store.models import Dispatch

_d = Dispatch.__table__.c  # type: ignore[attr-defined]

# the ids of a batch's cases asked at once (well under SQLite's bound parameter limit)
_CHUNK = 1000


def named_department(detail: Mapping[str, Any] | None) -> int | None:
    """The department an event's detail names, if it names one."""
    value = (detail or {}).get("department_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def pick_department(
    detail: Mapping[str, Any] | None,
    at: datetime,
    leads: Iterable[tuple[int, datetime, int]],
) -> int | None:
    """The department an event at ``at`` judges, given its case's lead dispatches as (id,
    dispatched_at, department_id): the one it names, else the latest (by id: a case's
    dispatches are numbered as they are made) made at or before ``at``."""
    named = named_department(detail)
    if named is not None:
        return named
    made = [(dispatch_id, department) for dispatch_id, when, department in leads if when <= at]
    return max(made)[1] if made else None


def judged_department(
    session: Session, case_id: int, at: datetime, detail: Mapping[str, Any] | None
) -> int | None:
    """The department one event judges (looked up only when its detail names none)."""
    named = named_department(detail)
    if named is not None:
        return named
    latest = (
        select(func.max(_d.id))
        .where(_d.case_id == case_id, _d.role == DispatchRole.lead.value, _d.dispatched_at <= at)
        .scalar_subquery()
    )
    found = session.execute(select(_d.department_id).where(_d.id == latest)).scalar_one_or_none()
    return int(found) if found is not None else None


def fill_judged_departments(connection: Connection, events: Sequence[dict[str, Any]]) -> None:
    """Set ``department_id`` on each event row of a Core batch (``case_id``, ``at``,
    ``detail``): one query per thousand cases for the lead dispatches of those whose detail
    names no department."""
    asking = sorted({event["case_id"] for event in events if not named_department(event["detail"])})
    leads: dict[int, list[tuple[int, datetime, int]]] = defaultdict(list)
    for start in range(0, len(asking), _CHUNK):
        rows = connection.execute(
            select(_d.case_id, _d.id, _d.dispatched_at, _d.department_id).where(
                _d.case_id.in_(asking[start : start + _CHUNK]),
                _d.role == DispatchRole.lead.value,
            )
        )
        for case_id, dispatch_id, dispatched_at, department_id in rows:
            leads[case_id].append((dispatch_id, dispatched_at, department_id))
    for event in events:
        event["department_id"] = pick_department(
            event["detail"], event["at"], leads.get(event["case_id"], ())
        )
