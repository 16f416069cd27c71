"""A department's requests to the shift lead (退单, 延期, 挂起) as rows beside the case.

A request is made by a flag event on the case (the case's version moves, so two consoles cannot
both file or both decide one) and a ``case_requests`` row that the approvals list reads. Helpers
here run inside the caller's transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.enums import DispatchRole, RequestKind, RequestStatus
from gridconsole.services.context import ServiceContext
from gridconsole.store.models import Case, CaseRequest, Dispatch, row_id


def lead_dispatch(session: Session, case: Case) -> Dispatch | None:
    """The case's active lead dispatch (主办), if a department holds it."""
    return session.execute(
        select(Dispatch)
        .where(
            col(Dispatch.case_id) == case.id,
            col(Dispatch.active),
            col(Dispatch.role) == DispatchRole.lead,
        )
        .order_by(col(Dispatch.id).desc())
        .limit(1)
    ).scalar_one_or_none()


def end_dispatches(session: Session, case: Case) -> None:
    """The departments' part in the case is over (its work checked, or a return granted)."""
    session.execute(
        update(Dispatch)
        .where(col(Dispatch.case_id) == case.id, col(Dispatch.active))
        .values(active=False)
    )


def ever_dispatched_to(session: Session, case: Case, department_id: int) -> bool:
    """Whether the case was ever dispatched to the department (its liaison may read it)."""
    found = session.execute(
        select(col(Dispatch.id))
        .where(col(Dispatch.case_id) == case.id, col(Dispatch.department_id) == department_id)
        .limit(1)
    ).first()
    return found is not None


def pending_request(session: Session, case: Case, kind: RequestKind) -> CaseRequest | None:
    return session.execute(
        select(CaseRequest).where(
            col(CaseRequest.case_id) == case.id,
            col(CaseRequest.kind) == kind,
            col(CaseRequest.status) == RequestStatus.pending,
        )
    ).scalar_one_or_none()


def file_request(
    session: Session,
    context: ServiceContext,
    case: Case,
    kind: RequestKind,
    *,
    reason: str,
    on_behalf: bool,
    basis: str = "",
    new_due_at: datetime | None = None,
    resume_planned_on: date | None = None,
) -> CaseRequest:
    dispatch = lead_dispatch(session, case)
    request = CaseRequest(
        case_id=row_id(case),
        dispatch_id=dispatch.id if dispatch else None,
        department_id=dispatch.department_id if dispatch else None,
        kind=kind,
        status=RequestStatus.pending,
        requested_at=context.now(),
        requested_by_id=context.actor.id,
        on_behalf=on_behalf,
        reason=reason,
        basis=basis,
        new_due_at=new_due_at,
        resume_planned_on=resume_planned_on,
    )
    session.add(request)
    session.flush()
    return request


def settle_pending(
    session: Session,
    context: ServiceContext,
    case: Case,
    kind: RequestKind,
    status: RequestStatus,
    reason: str,
) -> int:
    """Decide the case's pending request of ``kind`` (if any): how many rows were settled."""
    return _settle(session, context, case, status, reason, kind)


def withdraw_pending(session: Session, context: ServiceContext, case: Case, reason: str) -> int:
    """The case moved on (fed back, returned, closed): its open requests lapse."""
    return _settle(session, context, case, RequestStatus.withdrawn, reason, None)


def _settle(
    session: Session,
    context: ServiceContext,
    case: Case,
    status: RequestStatus,
    reason: str,
    kind: RequestKind | None,
) -> int:
    conditions = [
        col(CaseRequest.case_id) == case.id,
        col(CaseRequest.status) == RequestStatus.pending,
    ]
    if kind is not None:
        conditions.append(col(CaseRequest.kind) == kind)
    result = session.execute(
        update(CaseRequest)
        .where(*conditions)
        .values(
            status=status,
            decided_at=context.now(),
            decided_by_id=context.actor.id,
            decision_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
