"""Routing: which department a case goes to.

The configured route is the most specific rule: one for the case's grid (a 专属 grid's own unit
handles its cases, Art. 42), then one for its community, then the category's default department.
Beside it, history suggests the department that most often completed this category in this
community lately, with its on-time rate.

The module-level functions run inside a caller's transaction (the dispatch service uses them);
:class:`RoutingService` reads suggestions for a page of cases or a form in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.i18n import t
from gridconsole.services.context import ServiceContext
from gridconsole.services.dispatch_records import DepartmentRef, RoutingSuggestion
from gridconsole.services.lookups import category_by_code, grid_by_code
from gridconsole.store.models import Department, DepartmentCategory, Grid, row_id
from gridconsole.store.routing_queries import (
    candidate_rules_statement,
    case_route_keys_statement,
    category_default_statement,
    department_refs_statement,
    history_statement,
)

# How far back history looks for the department that completed a category in a community.
HISTORY_WINDOW = timedelta(days=90)

RouteScope = Literal["category", "community", "grid"]
# the order routes are listed in: the default first, then the more specific rules
SCOPE_ORDER: tuple[RouteScope, ...] = ("category", "community", "grid")

__all__ = [
    "HISTORY_WINDOW",
    "NoDefaultRoute",
    "RouteNotFound",
    "RouteRecord",
    "RouteScope",
    "RoutingService",
    "collect_problems",
    "configured_route",
    "department_by_code",
    "handles_category",
    "history_suggestions",
]

T = TypeVar("T")


class RouteNotFound(DomainError):
    """There is no route of that category for that community or grid to clear."""

    key = "routing.no_route"


class NoDefaultRoute(RouteNotFound):
    """The category has no default department to clear."""

    key = "routing.no_default"


@dataclass(frozen=True)
class RouteRecord:
    """One configured route: a category's default department, or a rule for one community or
    one grid. ``scope_code`` and ``scope_name`` are empty for a category's default."""

    category_code: str
    category_name: str
    scope: RouteScope
    scope_code: str
    scope_name: str
    department: DepartmentRef
    department_active: bool


@dataclass(frozen=True)
class _Rule:
    community_id: int | None
    grid_id: int | None
    department_id: int


# -- inside a caller's transaction ------------------------------------------------------------------


def department_by_code(session: Session, code: str, *, field: str = "department") -> Department:
    """The department with ``code``, active or not; an unknown code is a problem of ``field``."""
    department = session.execute(
        select(Department).where(col(Department.code) == code)
    ).scalar_one_or_none()
    if department is None:
        raise ValidationFailed([FieldProblem(field, t("rule.unknown_code", value=code))])
    return department


def collect_problems(problems: list[FieldProblem], lookup: Callable[[], T]) -> T | None:
    """``lookup()``, or None with its field problems added to ``problems``: so a refusal can name
    every bad code at once."""
    try:
        return lookup()
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        return None


def _most_specific(
    rules: Iterable[_Rule],
    default_department_id: int | None,
    community_id: int | None,
    grid_id: int | None,
) -> tuple[int | None, RouteScope | None]:
    """The department of the grid's rule, else the community's, else the category's default.

    ``rules`` are the category's candidate rules, oldest first (the oldest wins a tie, which only
    rows written behind the services' back can produce).
    """
    community_rule: int | None = None
    for rule in rules:
        if grid_id is not None and rule.grid_id == grid_id:
            return rule.department_id, "grid"
        if (
            community_rule is None
            and community_id is not None
            and rule.grid_id is None
            and rule.community_id == community_id
        ):
            community_rule = rule.department_id
    if community_rule is not None:
        return community_rule, "community"
    if default_department_id is not None:
        return default_department_id, "category"
    return None, None


def configured_route(
    session: Session, *, category_id: int, community_id: int | None, grid_id: int | None
) -> tuple[Department | None, str | None]:
    """The configured department for a case and which rule gave it ("grid", "community" or
    "category"); (None, None) when nothing is configured. An inactive department is returned as
    it is: the caller refuses it with a reason."""
    if community_id is None and grid_id is not None:
        grid = session.get(Grid, grid_id)
        community_id = grid.community_id if grid is not None else None
    rules = [
        _Rule(row.community_id, row.grid_id, row.department_id)
        for row in session.execute(
            candidate_rules_statement(
                [category_id],
                [community_id] if community_id is not None else [],
                [grid_id] if grid_id is not None else [],
            )
        )
    ]
    default = session.execute(category_default_statement(category_id)).scalar_one_or_none()
    department_id, scope = _most_specific(rules, default, community_id, grid_id)
    if department_id is None:
        return None, None
    return session.get(Department, department_id), scope


def handles_category(session: Session, department_id: int, category_id: int) -> bool:
    """Whether the department handles the category (dispatching anything else needs an override)."""
    return session.get(DepartmentCategory, (department_id, category_id)) is not None


def history_suggestions(
    session: Session, keys: Collection[tuple[int, int | None]], *, since: datetime
) -> dict[tuple[int, int | None], tuple[DepartmentRef, int, float | None]]:
    """For each (category id, community id): the active department whose lead dispatches most
    often reached feedback since ``since`` on cases of that category in that community, how many,
    and the share of those given by the handling deadline. Ties go to the better on-time rate,
    then to the department code. Keys without any such history are left out.

    One aggregate query for every key. Each completed lead dispatch counts once: a case reopened
    and handled again counts for each time it was handled.
    """
    if not keys:
        return {}
    best: dict[tuple[int, int | None], tuple[tuple[int, Fraction, str], DepartmentRef]] = {}
    wanted = set(keys)
    for row in session.execute(history_statement(wanted, since)):
        key = (int(row.category_id), row.community_id)
        if key not in wanted:
            continue
        completed, on_time = int(row.completed), int(row.on_time or 0)
        rate = Fraction(on_time, completed)
        # the best has most completed, then the best rate, then the smallest code
        rank = (-completed, -rate, str(row.code))
        if key not in best or rank < best[key][0]:
            best[key] = (rank, DepartmentRef(row.code, row.name))
    return {
        key: (department, -rank[0], float(-rank[1])) for key, (rank, department) in best.items()
    }


def history_since(context: ServiceContext) -> datetime:
    return context.now() - HISTORY_WINDOW


# -- the read service ---------------------------------------------------------------------------


# How long one console trusts a history figure it has read. A 90-day completion count and
# on-time rate barely move in minutes, while the dispatch pane re-reads its page each time any
# console changes a case; the aggregate behind it costs ~90 ms at 100,000 cases (bench/).
HISTORY_CACHE = timedelta(minutes=5)
_HistoryValue = tuple[DepartmentRef, int, float | None] | None


class RoutingService:
    """Routing suggestions for the queue and the dispatch form; every role may read them."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        # (category, community) -> (read at, the history suggestion or None): this console's
        self._history: dict[tuple[int, int | None], tuple[datetime, _HistoryValue]] = {}

    def _cached_history(
        self, session: Session, keys: Collection[tuple[int, int | None]], since: datetime
    ) -> dict[tuple[int, int | None], tuple[DepartmentRef, int, float | None]]:
        """The history suggestions of ``keys``, read again only where older than the cache."""
        now = self.context.now()
        stale = [
            key
            for key in keys
            if key not in self._history or now - self._history[key][0] >= HISTORY_CACHE
        ]
        if stale:
            fresh = history_suggestions(session, stale, since=since)
            for key in stale:
                self._history[key] = (now, fresh.get(key))
        found = {key: self._history[key][1] for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def suggest(self, codes: Sequence[str]) -> dict[str, RoutingSuggestion]:
        """Per case code: its configured route and its history suggestion. Codes of no case are
        left out. A page of any size costs the same few queries."""
        if not codes:
            return {}
        since = history_since(self.context)
        with self.context.db.read() as session:
            cases = session.execute(case_route_keys_statement(codes)).all()
            if not cases:
                return {}
            category_ids = {row.category_id for row in cases}
            community_ids = {row.community_id for row in cases if row.community_id is not None}
            grid_ids = {row.grid_id for row in cases if row.grid_id is not None}
            rules_by_category: dict[int, list[_Rule]] = {}
            for rule in session.execute(
                candidate_rules_statement(category_ids, community_ids, grid_ids)
            ):
                rules_by_category.setdefault(rule.category_id, []).append(
                    _Rule(rule.community_id, rule.grid_id, rule.department_id)
                )
            configured: dict[str, tuple[int | None, RouteScope | None]] = {
                row.code: _most_specific(
                    rules_by_category.get(row.category_id, ()),
                    row.default_department_id,
                    row.community_id,
                    row.grid_id,
                )
                for row in cases
            }
            department_ids = {found for found, _scope in configured.values() if found is not None}
            refs = _department_refs(session, department_ids)
            history = self._cached_history(
                session, {(row.category_id, row.community_id) for row in cases}, since
            )
        suggestions: dict[str, RoutingSuggestion] = {}
        for row in cases:
            department_id, scope = configured[row.code]
            suggestions[row.code] = _suggestion(
                refs.get(department_id) if department_id is not None else None,
                scope,
                history.get((row.category_id, row.community_id)),
            )
        return suggestions

    def suggest_for(self, category_code: str, grid_code: str | None) -> RoutingSuggestion:
        """The suggestion for a case being entered or dispatched: its category and grid (or no
        grid yet: the category's default, and history of cases without a community)."""
        problems: list[FieldProblem] = []
        since = history_since(self.context)
        with self.context.db.read() as session:
            category = collect_problems(problems, lambda: category_by_code(session, category_code))
            grid = (
                collect_problems(problems, lambda: grid_by_code(session, grid_code))
                if grid_code is not None
                else None
            )
            if problems or category is None:
                raise ValidationFailed(problems)
            category_id = row_id(category)
            community_id = grid.community_id if grid is not None else None
            department, scope = configured_route(
                session,
                category_id=category_id,
                community_id=community_id,
                grid_id=grid.id if grid is not None else None,
            )
            history = history_suggestions(session, [(category_id, community_id)], since=since)
            return _suggestion(
                DepartmentRef(department.code, department.name) if department else None,
                scope,
                history.get((category_id, community_id)),
            )


def _department_refs(session: Session, department_ids: Collection[int]) -> dict[int, DepartmentRef]:
    if not department_ids:
        return {}
    return {
        row.id: DepartmentRef(row.code, row.name)
        for row in session.execute(department_refs_statement(department_ids))
    }


def _suggestion(
    configured: DepartmentRef | None,
    configured_by: str | None,
    history: tuple[DepartmentRef, int, float | None] | None,
) -> RoutingSuggestion:
    if history is None:
        return RoutingSuggestion(configured, configured_by, None, 0, None)
    department, completed, rate = history
    return RoutingSuggestion(configured, configured_by, department, completed, rate)


def ordered_routes(routes: Iterable[RouteRecord]) -> tuple[RouteRecord, ...]:
    """Routes by category code, the default first, then communities, then grids, by code."""

    def key(route: RouteRecord) -> tuple[Any, ...]:
        return (route.category_code, SCOPE_ORDER.index(route.scope), route.scope_code)

    return tuple(sorted(routes, key=key))
