"""The case queries of the lists: filters, keyset pages, counts. Each returns a statement.

Hot queries are checked with ``EXPLAIN QUERY PLAN`` in the tests: the queue's must use
``ix_cases_queue`` and never sort the whole table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)
from sqlmodel import col

from gridconsole.domain.enums import OPEN_STATES, CaseSource, CaseState, Priority
from gridconsole.store import case_search
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Community,
    Dispatch,
    Grid,
    Operator,
)

_c = Case.__table__.c  # type: ignore[attr-defined]


def case_filter_conditions(
    *,
    states: tuple[CaseState, ...] = (),
    category_id: int | None = None,
    grid_id: int | None = None,
    community_id: int | None = None,
    source: CaseSource | None = None,
    priority: Priority | None = None,
    search: str = "",
    dispatched_to: int | None = None,
    dialect: str = "sqlite",
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if dispatched_to is not None:
        # a liaison's view: cases ever dispatched to their department
        conditions.append(
            _c.id.in_(
                select(col(Dispatch.case_id)).where(col(Dispatch.department_id) == dispatched_to)
            )
        )
    # every state is no filter at all: the planner then uses the plain order index
    if states and set(states) != set(CaseState):
        # literal_execute: a bound IN (?, ?) hides the values from the planner (performance.md)
        conditions.append(
            _c.state.in_(bindparam("states", list(states), expanding=True, literal_execute=True))
        )
    if category_id is not None:
        conditions.append(_c.category_id == category_id)
    if grid_id is not None:
        conditions.append(_c.grid_id == grid_id)
    if community_id is not None:
        conditions.append(_c.community_id == community_id)
    if source is not None:
        conditions.append(_c.source == source)
    if priority is not None:
        conditions.append(_c.priority == priority)
    term = search.strip()
    if term:
        # the bigram index narrows to the cases that may contain the term (two characters and
        # up); the substring match below confirms each, so the results are those of LIKE
        candidates = case_search.narrowed(_c.id, dialect, term)
        if candidates is not None:
            conditions.append(candidates)
        conditions.append(
            or_(
                *(
                    column.icontains(term, autoescape=True)
                    for column in (_c.code, _c.title, _c.description, _c.address, _c.reporter_name)
                )
            )
        )
    return conditions


def queue_page_statement(
    conditions: list[ColumnElement[bool]],
    after: tuple[int, datetime, int] | None,
    limit: int,
) -> Select[Any]:
    """Rows of one page, most urgent then oldest first, ties broken by id (keyset pagination)."""
    sort_key = (_c.priority, _c.reported_at, _c.id)
    where = list(conditions)
    if after is not None:
        where.append(tuple_(*sort_key) > tuple_(*after))
    return (
        select(
            _c.id,
            _c.code,
            _c.version,
            _c.state,
            _c.priority,
            _c.source,
            _c.title,
            _c.reported_at,
            _c.due_at,
            _c.warn_at,
            _c.claimed_by_id,
            _c.claimed_until,
            claim_holder_name().label("claimed_by_name"),
            col(CaseCategory.name).label("category_name"),
            col(Grid.name).label("grid_name"),
            col(Community.name).label("community_name"),
        )
        .select_from(Case)
        .join(CaseCategory, col(CaseCategory.id) == _c.category_id)
        .outerjoin(Grid, col(Grid.id) == _c.grid_id)
        .outerjoin(Community, col(Community.id) == _c.community_id)
        .where(and_(True, *where))
        .order_by(*sort_key)
        .limit(limit)
    )


def claim_holder_name() -> ScalarSelect[str | None]:
    """The holder's name as a correlated subquery: looked up for the page's rows only, and it
    leaves the page's plan (index order, LIMIT) alone."""
    return (
        select(col(Operator.display_name))
        .where(col(Operator.id) == _c.claimed_by_id)
        .scalar_subquery()
    )


def count_statement(conditions: list[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(Case).where(and_(True, *conditions))


def change_token_statement() -> Select[int | None]:
    """The newest event id: it moves whenever any case changes in any console."""
    return select(func.max(col(CaseEvent.id)))


def duplicate_pool_statement(
    grid_id: int, category_id: int, since: datetime, up_to_id: int | None, limit: int
) -> Select[Any]:
    """Open cases of one grid and category reported since ``since``, newest first."""
    conditions = [
        _c.grid_id == grid_id,
        _c.category_id == category_id,
        _c.reported_at >= since,
        _c.state.in_([state.value for state in OPEN_STATES]),
    ]
    if up_to_id is not None:
        conditions.append(_c.id <= up_to_id)
    return (
        select(_c.code, _c.title, _c.description, _c.state, _c.reported_at)
        .where(*conditions)
        .order_by(_c.reported_at.desc())
        .limit(limit)
    )
