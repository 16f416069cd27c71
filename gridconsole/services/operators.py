"""Who is at the keyboard: the operating system account, mapped to an operator."""

from __future__ import annotations

import os
import pwd

from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.domain.enums import Role
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t
from gridconsole.services.records import Actor
from gridconsole.store.engine import Database
from gridconsole.store.models import Operator, row_id


class NotAnOperator(DomainError):
    key = "error.not_an_operator"


def os_username() -> str:
    """The real uid's account name. ``$USER`` and ``getpass`` can be forged by the environment."""
    return pwd.getpwuid(os.getuid()).pw_name


def _actor(operator: Operator) -> Actor:
    return Actor(
        id=row_id(operator),
        username=operator.username,
        display_name=operator.display_name,
        role=operator.role,
        department_id=operator.department_id,
    )


def resolve_actor(db: Database, username: str) -> Actor:
    with db.read() as session:
        operator = session.execute(
            select(Operator).where(col(Operator.username) == username, col(Operator.active))
        ).scalar_one_or_none()
    if operator is None:
        raise NotAnOperator(username=username)
    return _actor(operator)


def ensure_operator(
    db: Database,
    clock: Clock,
    *,
    username: str,
    display_name: str,
    role: Role,
    department_id: int | None = None,
) -> Actor:
    """Add the operator if missing (demo set-up and first admin); an existing one is kept."""
    name = clean_text(display_name)
    if not name:
        raise ValidationFailed([FieldProblem("display_name", t("rule.required"))])
    with db.write() as session:
        operator = session.execute(
            select(Operator).where(col(Operator.username) == username)
        ).scalar_one_or_none()
        if operator is None:
            operator = Operator(
                username=username,
                display_name=name,
                role=role,
                department_id=department_id,
                created_at=clock.now(),
            )
            session.add(operator)
            session.flush()
        return _actor(operator)
