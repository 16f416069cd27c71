"""The department directory and its routes: admins maintain them, every operator reads them.

Each write is one transaction and checks the actor first; bad input is refused with every
problem named (:class:`ValidationFailed`) and nothing written. The directory stays consistent
with routing: a route only goes to a department that handles its category, and a department
cannot drop a category it is still routed for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from gridconsole.domain import permissions
from gridconsole.domain.enums import AdminAction, DepartmentKind, Role
from gridconsole.domain.errors import FieldProblem, Term, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.domain.validators import parse_phone
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.dispatch_records import DepartmentRecord, DepartmentRef
from gridconsole.services.lookups import category_by_code, community_by_code, grid_by_code
from gridconsole.services.routing import (
    NoDefaultRoute,
    RouteNotFound,
    RouteRecord,
    RouteScope,
    collect_problems,
    department_by_code,
    handles_category,
    ordered_routes,
)
from gridconsole.store.models import (
    CaseCategory,
    Community,
    Department,
    DepartmentCategory,
    Grid,
    Operator,
    RoutingRule,
    row_id,
)
from gridconsole.store.routing_queries import default_routes_statement, rule_routes_statement

CODE_MAX = 32
NAME_MAX = 64
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

__all__ = ["CODE_MAX", "NAME_MAX", "DepartmentService"]

M = TypeVar("M", bound=SQLModel)


# -- field rules ------------------------------------------------------------------------------------


def _code(value: str, problems: list[FieldProblem], field: str = "code") -> str:
    code = value.strip()
    if not code:
        problems.append(FieldProblem(field, t("rule.required")))
    elif not _CODE.match(code):
        problems.append(FieldProblem(field, t("department.code_format", value=clean_text(value))))
    return code


def _name(value: str, problems: list[FieldProblem]) -> str:
    name = clean_text(value)
    if not name:
        problems.append(FieldProblem("name", t("rule.required")))
    elif len(name) > NAME_MAX:
        problems.append(
            FieldProblem("name", t("rule.too_long", maximum=NAME_MAX, length=len(name)))
        )
    return name


def _phone(value: str, problems: list[FieldProblem]) -> str:
    """The duty phone's digits; empty is allowed (no duty phone)."""
    text = clean_text(value)
    if not text:
        return ""
    try:
        return parse_phone(text)
    except ValueError:
        problems.append(FieldProblem("duty_phone", t("rule.phone", value=text)))
        return ""


def _kind(value: DepartmentKind | str, problems: list[FieldProblem]) -> DepartmentKind:
    try:
        return DepartmentKind(value)
    except ValueError:
        choices = ", ".join(kind.value for kind in DepartmentKind)
        problems.append(FieldProblem("kind", t("rule.one_of", value=value, choices=choices)))
        return DepartmentKind.government


def _scope_of(community_code: str | None, grid_code: str | None) -> RouteScope:
    if grid_code is not None:
        return "grid"
    if community_code is not None:
        return "community"
    return "category"


# -- the service --------------------------------------------------------------------------------


class DepartmentService:
    """The department directory (部门目录) and the routing rules."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def _require_admin(self) -> None:
        actor = self.context.actor
        permissions.require_admin_action(
            actor.role, AdminAction.manage_departments, operator=actor.display_name
        )

    # -- reads ------------------------------------------------------------------------------------

    def list_departments(self, include_inactive: bool = True) -> tuple[DepartmentRecord, ...]:
        """Every department by code, with the categories it handles and its active liaisons."""
        with self.context.db.read() as session:
            return _records(session, None, include_inactive=include_inactive)

    def routes(self) -> tuple[RouteRecord, ...]:
        """Every configured route by category: its default first, then community and grid rules."""
        routes: list[RouteRecord] = []
        with self.context.db.read() as session:
            for cat_code, cat_name, dep_code, dep_name, active in session.execute(
                default_routes_statement()
            ):
                department = DepartmentRef(dep_code, dep_name)
                routes.append(
                    RouteRecord(cat_code, cat_name, "category", "", "", department, bool(active))
                )
            for row in session.execute(rule_routes_statement()):
                (cat_code, cat_name, com_code, com_name, grid_code, grid_name) = row[:6]
                dep_code, dep_name, active = row[6:]
                scope: RouteScope = "grid" if grid_code is not None else "community"
                routes.append(
                    RouteRecord(
                        cat_code,
                        cat_name,
                        scope,
                        grid_code if grid_code is not None else com_code or "",
                        grid_name if grid_code is not None else com_name or "",
                        DepartmentRef(dep_code, dep_name),
                        bool(active),
                    )
                )
        return ordered_routes(routes)

    # -- the directory ------------------------------------------------------------------------------

    def add(
        self, *, code: str, name: str, kind: DepartmentKind, duty_phone: str = ""
    ) -> DepartmentRecord:
        """A new department (active, handling no category yet)."""
        self._require_admin()
        problems: list[FieldProblem] = []
        code = _code(code, problems)
        name = _name(name, problems)
        kind = _kind(kind, problems)
        duty_phone = _phone(duty_phone, problems)
        duplicate = ValidationFailed(
            [FieldProblem("code", t("department.duplicate_code", value=code))]
        )
        try:
            with self.context.db.write() as session:
                if code and not any(problem.field == "code" for problem in problems):
                    taken = session.execute(
                        select(col(Department.id)).where(col(Department.code) == code)
                    ).first()
                    if taken is not None:
                        problems.extend(duplicate.problems)
                if problems:
                    raise ValidationFailed(problems)
                department = Department(code=code, name=name, kind=kind, duty_phone=duty_phone)
                session.add(department)
                session.flush()
                record_audit(
                    session,
                    self.context,
                    "department.add",
                    subject=f"department:{code}",
                    detail={"name": name, "kind": kind.value},
                )
                return _record(session, row_id(department))
        except IntegrityError:
            # another console added the same code meanwhile
            raise duplicate from None

    def update(
        self,
        code: str,
        *,
        name: str | None = None,
        kind: DepartmentKind | None = None,
        duty_phone: str | None = None,
    ) -> DepartmentRecord:
        """Change a department's name, kind or duty phone (``""`` removes the phone); what is
        None stays as it is."""
        self._require_admin()
        problems: list[FieldProblem] = []
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = _name(name, problems)
        if kind is not None:
            changes["kind"] = _kind(kind, problems)
        if duty_phone is not None:
            changes["duty_phone"] = _phone(duty_phone, problems)
        with self.context.db.write() as session:
            department = collect_problems(problems, lambda: _locked_department(session, code))
            if problems or department is None:
                raise ValidationFailed(problems)
            for attribute, value in changes.items():
                setattr(department, attribute, value)
            session.flush()
            record_audit(
                session,
                self.context,
                "department.update",
                subject=f"department:{code}",
                detail={key: str(value) for key, value in changes.items()},
            )
            return _record(session, row_id(department))

    def set_active(self, code: str, active: bool) -> DepartmentRecord:
        """Enable or disable a department. Its routes stay: dispatching to it is refused with the
        reason until it is enabled again or the routes are moved."""
        self._require_admin()
        with self.context.db.write() as session:
            department = _locked_department(session, code)
            department.active = active
            session.flush()
            record_audit(
                session,
                self.context,
                "department.enable" if active else "department.disable",
                subject=f"department:{code}",
            )
            return _record(session, row_id(department))

    def set_categories(self, code: str, category_codes: Sequence[str]) -> DepartmentRecord:
        """Replace the categories the department handles. A category the department is still
        routed for (as a default or a rule) cannot be dropped: move the route first."""
        self._require_admin()
        problems: list[FieldProblem] = []
        wanted = list(dict.fromkeys(value.strip() for value in category_codes))
        with self.context.db.write() as session:
            department = collect_problems(problems, lambda: _locked_department(session, code))
            found = {
                category.code: row_id(category)
                for category in session.execute(
                    select(CaseCategory).where(
                        col(CaseCategory.code).in_(wanted), col(CaseCategory.active)
                    )
                ).scalars()
            }
            problems.extend(
                FieldProblem("categories", t("rule.unknown_code", value=value))
                for value in wanted
                if value not in found
            )
            if department is None:
                raise ValidationFailed(problems)
            department_id = row_id(department)
            current = set(
                session.execute(
                    select(col(DepartmentCategory.category_id)).where(
                        col(DepartmentCategory.department_id) == department_id
                    )
                ).scalars()
            )
            keep = set(found.values())
            dropped = current - keep
            problems.extend(_still_routed(session, department_id, dropped))
            if problems:
                raise ValidationFailed(problems)
            if dropped:
                session.execute(
                    delete(DepartmentCategory).where(
                        col(DepartmentCategory.department_id) == department_id,
                        col(DepartmentCategory.category_id).in_(sorted(dropped)),
                    )
                )
            session.add_all(
                DepartmentCategory(department_id=department_id, category_id=category_id)
                for category_id in sorted(keep - current)
            )
            record_audit(
                session,
                self.context,
                "department.set_categories",
                subject=f"department:{code}",
                detail={"categories": sorted(found)},
            )
            session.flush()
            return _record(session, department_id)

    # -- routes -----------------------------------------------------------------------------------

    def set_route(
        self,
        *,
        category_code: str,
        department_code: str,
        community_code: str | None = None,
        grid_code: str | None = None,
    ) -> RouteRecord:
        """Route a category to a department: in one grid, in one community, or (neither given)
        as the category's default. Replaces the route that scope had."""
        self._require_admin()
        problems = _one_scope(community_code, grid_code)
        with self.context.db.write() as session:
            # lock order: the department, then the category (as set_categories locks the
            # department), so a route and a dropped category cannot pass each other
            department = collect_problems(
                problems, lambda: _locked_department(session, department_code, "department")
            )
            category, community, grid = _route_keys(
                session, problems, category_code, community_code, grid_code
            )
            if department is not None and category is not None:
                if not department.active:
                    problems.append(
                        FieldProblem(
                            "department",
                            t("routing.department_inactive", department=department.code),
                        )
                    )
                elif not handles_category(session, row_id(department), row_id(category)):
                    message = t(
                        "routing.department_not_handling",
                        department=department.code,
                        category=category.code,
                    )
                    problems.append(FieldProblem("department", message))
            if problems or department is None or category is None:
                raise ValidationFailed(problems)
            if community is None and grid is None:
                category.default_department_id = row_id(department)
            else:
                rule = _find_rule(session, row_id(category), community, grid)
                if rule is None:
                    rule = RoutingRule(
                        category_id=row_id(category),
                        community_id=community.id if community is not None else None,
                        grid_id=grid.id if grid is not None else None,
                        department_id=row_id(department),
                    )
                    session.add(rule)
                else:
                    rule.department_id = row_id(department)
            session.flush()
            record_audit(
                session,
                self.context,
                "route.set",
                subject=f"category:{category.code}",
                detail={
                    "department": department.code,
                    "community": community_code,
                    "grid": grid_code,
                },
            )
            return _route_record(category, community, grid, department)

    def clear_route(
        self,
        *,
        category_code: str,
        community_code: str | None = None,
        grid_code: str | None = None,
    ) -> RouteRecord:
        """Remove the route of one scope (neither given: the category's default); returns the
        route removed. Cases there then follow the next less specific route."""
        self._require_admin()
        problems = _one_scope(community_code, grid_code)
        with self.context.db.write() as session:
            category, community, grid = _route_keys(
                session, problems, category_code, community_code, grid_code
            )
            if problems or category is None:
                raise ValidationFailed(problems)
            scope = _scope_of(community_code, grid_code)
            not_found: RouteNotFound = (
                NoDefaultRoute(category=category.code)
                if scope == "category"
                else RouteNotFound(
                    category=category.code,
                    scope=Term(f"routing.scope_{scope}"),
                    place=grid_code or community_code,
                )
            )
            if community is None and grid is None:
                department_id = category.default_department_id
                category.default_department_id = None
            else:
                rule = _find_rule(session, row_id(category), community, grid)
                department_id = rule.department_id if rule is not None else None
                if rule is not None:
                    session.delete(rule)
            if department_id is None:
                raise not_found
            department = session.get(Department, department_id)
            assert department is not None
            session.flush()
            record_audit(
                session,
                self.context,
                "route.clear",
                subject=f"category:{category.code}",
                detail={
                    "department": department.code,
                    "community": community_code,
                    "grid": grid_code,
                },
            )
            return _route_record(category, community, grid, department)


# -- inside the transaction ---------------------------------------------------------------------


def _locked_department(session: Session, code: str, field: str = "department") -> Department:
    """The department with ``code``, its row locked for the change (PostgreSQL)."""
    department = department_by_code(session, code, field=field)
    _lock(session, Department, row_id(department))
    return department


def _lock(session: Session, model: type[M], ident: int) -> None:
    """Take the row lock of ``model`` ``ident`` (a no-op on SQLite, whose writes are serial)."""
    table_id = model.__table__.c.id  # type: ignore[attr-defined]
    session.execute(select(table_id).where(table_id == ident).with_for_update())


def _one_scope(community_code: str | None, grid_code: str | None) -> list[FieldProblem]:
    if community_code is not None and grid_code is not None:
        return [FieldProblem("grid", t("routing.one_scope"))]
    return []


def _route_keys(
    session: Session,
    problems: list[FieldProblem],
    category_code: str,
    community_code: str | None,
    grid_code: str | None,
) -> tuple[CaseCategory | None, Community | None, Grid | None]:
    """The category (its row locked: route changes of one category are serial), community and
    grid of a route, each unknown code added to ``problems``."""
    category = collect_problems(problems, lambda: category_by_code(session, category_code))
    if category is not None:
        _lock(session, CaseCategory, row_id(category))
    community = (
        collect_problems(problems, lambda: community_by_code(session, community_code))
        if community_code is not None
        else None
    )
    grid = (
        collect_problems(problems, lambda: grid_by_code(session, grid_code))
        if grid_code is not None
        else None
    )
    return category, community, grid


def _find_rule(
    session: Session, category_id: int, community: Community | None, grid: Grid | None
) -> RoutingRule | None:
    """The rule of a category for one grid (matched by the grid alone) or one community."""
    statement = select(RoutingRule).where(col(RoutingRule.category_id) == category_id)
    if grid is not None:
        statement = statement.where(col(RoutingRule.grid_id) == grid.id)
    else:
        assert community is not None
        statement = statement.where(
            col(RoutingRule.grid_id).is_(None), col(RoutingRule.community_id) == community.id
        )
    return session.execute(statement.order_by(col(RoutingRule.id)).limit(1)).scalar_one_or_none()


def _still_routed(
    session: Session, department_id: int, category_ids: Collection[int]
) -> list[FieldProblem]:
    """A problem for each of ``category_ids`` the department is still routed for."""
    if not category_ids:
        return []
    routed = set(
        session.execute(
            select(col(CaseCategory.code)).where(
                col(CaseCategory.id).in_(sorted(category_ids)),
                col(CaseCategory.default_department_id) == department_id,
            )
        ).scalars()
    )
    routed.update(
        session.execute(
            select(col(CaseCategory.code))
            .join(RoutingRule, col(RoutingRule.category_id) == col(CaseCategory.id))
            .where(
                col(CaseCategory.id).in_(sorted(category_ids)),
                col(RoutingRule.department_id) == department_id,
            )
        ).scalars()
    )
    return [
        FieldProblem("categories", t("department.category_still_routed", category=code))
        for code in sorted(routed)
    ]


def _route_record(
    category: CaseCategory, community: Community | None, grid: Grid | None, department: Department
) -> RouteRecord:
    scope: RouteScope = (
        "grid" if grid is not None else "community" if community is not None else "category"
    )
    place = grid if grid is not None else community
    return RouteRecord(
        category.code,
        category.name,
        scope,
        place.code if place is not None else "",
        place.name if place is not None else "",
        DepartmentRef(department.code, department.name),
        department.active,
    )


def _records(
    session: Session, department_id: int | None, *, include_inactive: bool = True
) -> tuple[DepartmentRecord, ...]:
    """Directory entries by code (one department, or all), in three queries."""
    statement = select(Department).order_by(col(Department.code))
    if department_id is not None:
        statement = statement.where(col(Department.id) == department_id)
    if not include_inactive:
        statement = statement.where(col(Department.active))
    departments = session.execute(statement).scalars().all()
    ids = [row_id(department) for department in departments]
    categories: dict[int, list[str]] = {}
    for owner, category_code in session.execute(
        select(col(DepartmentCategory.department_id), col(CaseCategory.code))
        .join(CaseCategory, col(CaseCategory.id) == col(DepartmentCategory.category_id))
        .where(col(DepartmentCategory.department_id).in_(ids))
    ):
        categories.setdefault(owner, []).append(category_code)
    liaisons: dict[int | None, list[str]] = {}
    for liaison_department, display_name in session.execute(
        select(col(Operator.department_id), col(Operator.display_name)).where(
            col(Operator.department_id).in_(ids),
            col(Operator.role) == Role.liaison,
            col(Operator.active),
        )
    ):
        liaisons.setdefault(liaison_department, []).append(display_name)
    return tuple(
        DepartmentRecord(
            code=department.code,
            name=department.name,
            kind=DepartmentKind(department.kind),
            duty_phone=department.duty_phone,
            active=department.active,
            category_codes=tuple(sorted(categories.get(row_id(department), ()))),
            liaison_names=tuple(sorted(liaisons.get(row_id(department), ()))),
        )
        for department in departments
    )


def _record(session: Session, department_id: int) -> DepartmentRecord:
    (record,) = _records(session, department_id)
    return record
