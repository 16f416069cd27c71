"""The routing queries: the rules that may apply to a page of cases, the directory of routes, and
the history of which department completed what. Each returns a statement.

A routing rule names a community or a grid (a grid rule is matched by its grid alone); the
category's own default is ``case_categories.default_department_id``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true, tuple_

from gridconsole.domain.enums import DispatchRole
from gridconsole.store.models import (
    Case,
    CaseCategory,
    Community,
    Department,
    Dispatch,
    Grid,
    RoutingRule,
)

_c = Case.__table__.c  # type: ignore[attr-defined]
_cat = CaseCategory.__table__.c  # type: ignore[attr-defined]
_com = Community.__table__.c  # type: ignore[attr-defined]
_dep = Department.__table__.c  # type: ignore[attr-defined]
_dis = Dispatch.__table__.c  # type: ignore[attr-defined]
_g = Grid.__table__.c  # type: ignore[attr-defined]
_r = RoutingRule.__table__.c  # type: ignore[attr-defined]


def case_route_keys_statement(codes: Collection[str]) -> Select[Any]:
    """Per case code: its category, community (its grid's, where the case names none) and grid,
    and the category's default department."""
    return (
        select(
            _c.code,
            _c.category_id,
            func.coalesce(_c.community_id, _g.community_id).label("community_id"),
            _c.grid_id,
            _cat.default_department_id,
        )
        .join(CaseCategory, _cat.id == _c.category_id)
        .outerjoin(Grid, _g.id == _c.grid_id)
        .where(_c.code.in_(sorted(set(codes))))
    )


def category_default_statement(category_id: int) -> Select[Any]:
    return select(_cat.default_department_id).where(_cat.id == category_id)


def candidate_rules_statement(
    category_ids: Collection[int],
    community_ids: Collection[int],
    grid_ids: Collection[int],
) -> Select[Any]:
    """The rules of these categories that name one of these grids, or one of these communities
    without a grid: every rule that can apply to cases with these keys (oldest rule first)."""
    places: list[ColumnElement[bool]] = []
    if grid_ids:
        places.append(_r.grid_id.in_(sorted(set(grid_ids))))
    if community_ids:
        places.append(and_(_r.grid_id.is_(None), _r.community_id.in_(sorted(set(community_ids)))))
    return (
        select(_r.id, _r.category_id, _r.community_id, _r.grid_id, _r.department_id)
        .where(_r.category_id.in_(sorted(set(category_ids))), or_(false(), *places))
        .order_by(_r.id)
    )


def department_refs_statement(department_ids: Collection[int]) -> Select[Any]:
    return select(_dep.id, _dep.code, _dep.name).where(_dep.id.in_(sorted(set(department_ids))))


def history_statement(keys: Collection[tuple[int, int | None]], since: datetime) -> Select[Any]:
    """Per (category, community) of ``keys`` and active department: how many of its lead
    dispatches reached feedback since ``since``, and how many of those by the handling deadline.

    One aggregate over every key; a key whose community is None matches cases without one.
    """
    in_community = sorted(
        {(category, community) for category, community in keys if community is not None}
    )
    no_community = sorted({category for category, community in keys if community is None})
    scopes: list[ColumnElement[bool]] = []
    if in_community:
        scopes.append(tuple_(_c.category_id, _c.community_id).in_(in_community))
    if no_community:
        scopes.append(and_(_c.category_id.in_(no_community), _c.community_id.is_(None)))
    on_time = func.sum(case((_dis.feedback_at <= _dis.handle_due_at, 1), else_=0))
    return (
        select(
            _c.category_id,
            _c.community_id,
            _dep.code,
            _dep.name,
            func.count().label("completed"),
            on_time.label("on_time"),
        )
        .select_from(Dispatch)
        .join(Case, _c.id == _dis.case_id)
        .join(Department, _dep.id == _dis.department_id)
        .where(
            _dis.role == DispatchRole.lead.value,
            _dis.feedback_at.is_not(None),
            _dis.feedback_at >= since,
            _dep.active == true(),
            or_(false(), *scopes),
        )
        .group_by(_c.category_id, _c.community_id, _dep.id, _dep.code, _dep.name)
    )


def default_routes_statement() -> Select[Any]:
    """Every category with a default department: category code and name, department code, name
    and whether it is active."""
    return (
        select(_cat.code, _cat.name, _dep.code, _dep.name, _dep.active)
        .join(Department, _dep.id == _cat.default_department_id)
        .order_by(_cat.code)
    )


def rule_routes_statement() -> Select[Any]:
    """Every routing rule: category code and name, community code and name (None for a grid
    rule), grid code and name (None for a community rule), department code, name and active."""
    return (
        select(
            _cat.code,
            _cat.name,
            _com.code,
            _com.name,
            _g.code,
            _g.name,
            _dep.code,
            _dep.name,
            _dep.active,
        )
        .select_from(RoutingRule)
        .join(CaseCategory, _cat.id == _r.category_id)
        .join(Department, _dep.id == _r.department_id)
        .outerjoin(Grid, _g.id == _r.grid_id)
        .outerjoin(Community, and_(_r.grid_id.is_(None), _com.id == _r.community_id))
        .order_by(_cat.code, _r.id)
    )
