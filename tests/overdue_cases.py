"""Making cases stand in the overdue pane: dispatch one to a department, directly in the store
(the dispatch action belongs to a later issue; its columns are what that action will write)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col

from gridconsole.config import Settings
from gridconsole.domain.enums import CaseState, DispatchRole
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, Department, Dispatch


def dispatch_directly(
    db: Database, code: str, department_code: str, at: datetime, settings: Settings | None = None
) -> None:
    """Put case ``code`` in ``dispatched`` with ``department_code`` leading and the handling
    clock started at ``at``."""
    settings = settings or Settings()
    with db.write() as session:
        case = session.execute(select(Case).where(col(Case.code) == code)).scalar_one()
        department = session.execute(
            select(Department).where(col(Department.code) == department_code)
        ).scalar_one()
        columns = DeadlinePlanner(session, settings).for_state(
            case.category_id, case.priority, CaseState.dispatched, at
        )
        session.execute(
            update(Case)
            .where(col(Case.id) == case.id)
            .values(
                state=CaseState.dispatched,
                version=case.version + 1,
                updated_at=at,
                **columns,
            )
        )
        session.add(
            Dispatch(
                case_id=case.id,
                department_id=department.id,
                role=DispatchRole.lead,
                dispatched_at=at,
                handle_due_at=columns["due_at"],
            )
        )
