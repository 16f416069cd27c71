"""Finding rows by the codes people type; an unknown code is a validation problem of its field."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.errors import FieldProblem, NotFound, ValidationFailed
from gridconsole.i18n import t
from gridconsole.store.models import Case, CaseCategory, Community, Grid, Street


def case_by_code(session: Session, code: str, *, lock: bool = False) -> Case:
    """The case with ``code``; ``lock`` takes a row lock (PostgreSQL) for a change."""
    statement = select(Case).where(col(Case.code) == code)
    if lock:
        statement = statement.with_for_update()
    case = session.execute(statement).scalar_one_or_none()
    if case is None:
        raise NotFound("case", code)
    return case


def category_by_code(session: Session, code: str, *, field: str = "category") -> CaseCategory:
    category = session.execute(
        select(CaseCategory).where(col(CaseCategory.code) == code, col(CaseCategory.active))
    ).scalar_one_or_none()
    if category is None:
        raise ValidationFailed([FieldProblem(field, t("rule.unknown_code", value=code))])
    return category


def grid_by_code(session: Session, code: str, *, field: str = "grid") -> Grid:
    grid = session.execute(select(Grid).where(col(Grid.code) == code)).scalar_one_or_none()
    if grid is None:
        raise ValidationFailed([FieldProblem(field, t("rule.unknown_code", value=code))])
    return grid


def community_by_code(session: Session, code: str, *, field: str = "community") -> Community:
    community = session.execute(
        select(Community).where(col(Community.code) == code)
    ).scalar_one_or_none()
    if community is None:
        raise ValidationFailed([FieldProblem(field, t("rule.unknown_code", value=code))])
    return community


def only_street(session: Session) -> Street:
    """The street of a single-street database; a case without a grid needs it."""
    streets = session.execute(select(Street).limit(2)).scalars().all()
    if len(streets) != 1:
        raise ValidationFailed([FieldProblem("grid", t("rule.grid_needed_for_street"))])
    return streets[0]
