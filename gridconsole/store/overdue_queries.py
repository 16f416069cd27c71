"""The overdue pane's queries: running deadlines in warning, overdue or due by a horizon.

Ordered by due instant then id (keyset pagination on ``ix_cases_due_at``, whose SQLite entries
are (due_at, rowid)); the counts are one aggregate query grouped by lead department.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlmodel import col

from gridconsole.domain.enums import DeadlineStep, DispatchRole
from gridconsole.store.case_queries import claim_holder_name
from gridconsole.store.models import Case, Community, Dispatch, Grid

_c = Case.__table__.c  # type: ignore[attr-defined]
_d = Dispatch.__table__.c  # type: ignore[attr-defined]


def lead_department() -> ScalarSelect[Any]:
    """The department leading the case (主办): its newest (highest id) active lead dispatch."""
    return (
        select(_d.department_id)
        .where(_d.case_id == _c.id, _d.active == true(), _d.role == DispatchRole.lead.value)
        .order_by(_d.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def overdue_conditions(
    *,
    now: datetime,
    horizon: datetime,
    step: DeadlineStep | None = None,
    department_id: int | None = None,
    community_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """Running deadlines in warning or overdue at ``now``, or due by ``horizon``."""
    conditions: list[ColumnElement[bool]] = [
        _c.due_at.is_not(None),
        or_(_c.due_at <= horizon, _c.warn_at <= now),
    ]
    conditions.extend(filter_conditions(step, department_id, community_id))
    return conditions


def filter_conditions(
    step: DeadlineStep | None, department_id: int | None, community_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if step is not None:
        conditions.append(_c.step == step.value)
    if department_id is not None:
        conditions.append(lead_department() == department_id)
    if community_id is not None:
        conditions.append(_c.community_id == community_id)
    return conditions


def overdue_page_statement(
    conditions: list[ColumnElement[bool]], after: tuple[datetime, int] | None, limit: int
) -> Select[Any]:
    sort_key = (_c.due_at, _c.id)
    where = list(conditions)
    if after is not None:
        where.append(tuple_(*sort_key) > tuple_(*after))
    return (
        select(
            _c.id,
            _c.code,
            _c.version,
            _c.title,
            _c.state,
            _c.priority,
            _c.category_id,
            _c.step,
            _c.due_at,
            _c.warn_at,
            _c.deadline_provisional,
            _c.urge_count,
            _c.supervised,
            _c.claimed_by_id,
            _c.claimed_until,
            claim_holder_name().label("claimed_by_name"),
            lead_department().label("department_id"),
            col(Grid.name).label("grid_name"),
            col(Community.name).label("community_name"),
        )
        .select_from(Case)
        .outerjoin(Grid, col(Grid.id) == _c.grid_id)
        .outerjoin(Community, col(Community.id) == _c.community_id)
        .where(and_(true(), *where))
        .order_by(*sort_key)
        .limit(limit)
    )


def overdue_counts_statement(conditions: list[ColumnElement[bool]], now: datetime) -> Select[Any]:
    """Per lead department (NULL: not dispatched): warning, overdue and upcoming counts."""
    listed = (
        select(_c.due_at, _c.warn_at, lead_department().label("department_id"))
        .where(and_(true(), *conditions))
        .subquery()
    )

    def how_many(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return select(
        listed.c.department_id,
        how_many(and_(listed.c.warn_at <= now, listed.c.due_at > now)).label("warning"),
        how_many(listed.c.due_at <= now).label("overdue"),
        how_many(listed.c.warn_at > now).label("upcoming"),
    ).group_by(listed.c.department_id)


def next_changes_statement(
    filters: list[ColumnElement[bool]], now: datetime, horizon: datetime
) -> Select[Any]:
    """When the listed set can next change without any event: the earliest warning instant of a
    deadline not listed yet, and the earliest due instant beyond the horizon."""
    next_warn = (
        select(func.min(_c.warn_at))
        .where(_c.due_at > horizon, _c.warn_at > now, *filters)
        .scalar_subquery()
    )
    next_due = select(func.min(_c.due_at)).where(_c.due_at > horizon, *filters).scalar_subquery()
    return select(next_warn.label("next_warn_at"), next_due.label("next_due_at"))
