"""The shift lead's decisions on the departments' requests (退单 / 延期 / 挂起).

Approving a request is the transition it asked for (``return``, ``approve_extension``,
``suspend``); refusing it is a flag event (``refuse_…``) that leaves the case and its deadline
as they were. Either way the request row records who decided, when and why, in the same
transaction as the event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from gridconsole.domain.enums import Action, CaseState, RequestKind, RequestStatus
from gridconsole.domain.errors import NotFound, RuleRefused, Term
from gridconsole.domain.validators import validate_reason
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_clocks import extend_case, suspend_case
from gridconsole.services.case_requests import end_dispatches, settle_pending, withdraw_pending
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.dispatch_records import DepartmentRef, RequestRow
from gridconsole.services.lookups import case_by_code
from gridconsole.services.records import CaseDetail
from gridconsole.store.models import Case, CaseRequest, Department, Dispatch, Operator, row_id

_APPROVE = {
    RequestKind.return_: Action.return_,
    RequestKind.extension: Action.approve_extension,
    RequestKind.suspension: Action.suspend,
}
_REFUSE = {
    RequestKind.return_: Action.refuse_return,
    RequestKind.extension: Action.refuse_extension,
    RequestKind.suspension: Action.refuse_suspension,
}


class ApprovalService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.changes = CaseChanges(context)

    # -- reading ---------------------------------------------------------------------------

    def pending(self, *, limit: int = 100) -> tuple[RequestRow, ...]:
        """Requests waiting for the shift lead, oldest first."""
        with self.context.db.read() as session:
            return self._rows(
                session, [col(CaseRequest.status) == RequestStatus.pending], limit=limit
            )

    def get(self, request_id: int) -> RequestRow:
        with self.context.db.read() as session:
            rows = self._rows(session, [col(CaseRequest.id) == request_id], limit=1)
        if not rows:
            raise NotFound("request", request_id)
        return rows[0]

    def for_case(self, code: str) -> tuple[RequestRow, ...]:
        with self.context.db.read() as session:
            case = case_by_code(session, code)
            return self._rows(session, [col(CaseRequest.case_id) == case.id], limit=1000)

    def _rows(
        self, session: Session, conditions: list[object], *, limit: int
    ) -> tuple[RequestRow, ...]:
        requester = aliased(Operator)
        decider = aliased(Operator)
        rows: list[Any] = list(
            session.execute(
                select(
                    CaseRequest,
                    col(Case.code),
                    col(Case.version),
                    col(Case.title),
                    col(Case.state),
                    col(Case.due_at),
                    col(Department.code).label("department_code"),
                    col(Department.name).label("department_name"),
                    col(requester.display_name).label("requester"),
                    col(decider.display_name).label("decider"),
                )
                .join(Case, col(Case.id) == col(CaseRequest.case_id))
                .outerjoin(Department, col(Department.id) == col(CaseRequest.department_id))
                .outerjoin(requester, col(requester.id) == col(CaseRequest.requested_by_id))
                .outerjoin(decider, col(decider.id) == col(CaseRequest.decided_by_id))
                .where(*conditions)  # type: ignore[arg-type]
                .order_by(col(CaseRequest.requested_at), col(CaseRequest.id))
                .limit(limit)
            ).all()
        )
        return tuple(
            RequestRow(
                id=row_id(request),
                kind=RequestKind(request.kind),
                status=RequestStatus(request.status),
                case_code=code,
                case_version=version,
                case_title=title,
                case_state=CaseState(state),
                department=DepartmentRef(department_code, department_name)
                if department_code
                else None,
                requested_at=request.requested_at,
                requested_by_name=requester_name or "",
                on_behalf=request.on_behalf,
                reason=request.reason,
                basis=request.basis,
                new_due_at=request.new_due_at,
                resume_planned_on=request.resume_planned_on,
                current_due_at=due_at,
                decided_at=request.decided_at,
                decided_by_name=decider_name or "",
                decision_reason=request.decision_reason,
            )
            for (
                request,
                code,
                version,
                title,
                state,
                due_at,
                department_code,
                department_name,
                requester_name,
                decider_name,
            ) in rows
        )

    # -- deciding ------------------------------------------------------------------------------

    def approve(self, request_id: int, case_version: int, *, reason: str) -> CaseDetail:
        """Grant the request: the return takes effect (→ 改派), the deadline moves to the asked
        instant, or the clocks stop until the planned resume day."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            request, case = self._load(session, request_id, case_version, approve=True)
            detail = {"request_id": request.id}
            if request.kind is RequestKind.return_:
                self.changes.apply(
                    session,
                    case,
                    Action.return_,
                    case_version,
                    changes={},
                    reason=reason,
                    detail={**detail, "department_id": request.department_id},
                )
                end_dispatches(session, case)
                if request.dispatch_id is not None:
                    session.execute(
                        update(Dispatch)
                        .where(col(Dispatch.id) == request.dispatch_id)
                        .values(returned_at=self.context.now())
                    )
            elif request.kind is RequestKind.extension:
                assert request.new_due_at is not None
                extend_case(
                    self.changes,
                    session,
                    case,
                    case_version,
                    new_due=request.new_due_at,
                    reason=reason,
                    detail=detail,
                )
            else:
                assert request.resume_planned_on is not None
                suspend_case(
                    self.changes,
                    session,
                    case,
                    case_version,
                    resume_planned=request.resume_planned_on,
                    reason=reason,
                    detail=detail,
                )
            settle_pending(
                session, self.context, case, request.kind, RequestStatus.approved, reason
            )
            if request.kind is RequestKind.return_:
                withdraw_pending(session, self.context, case, reason)  # nothing left to ask
            return case_detail(session, self.context, case)

    def refuse(self, request_id: int, case_version: int, *, reason: str) -> CaseDetail:
        """Turn the request down: the department keeps the case, its deadline unchanged."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            request, case = self._load(session, request_id, case_version, approve=False)
            self.changes.apply(
                session,
                case,
                _REFUSE[request.kind],
                case_version,
                changes={},
                reason=reason,
                detail={"request_id": request.id, "department_id": request.department_id},
            )
            settle_pending(session, self.context, case, request.kind, RequestStatus.refused, reason)
            return case_detail(session, self.context, case)

    def _load(
        self, session: Session, request_id: int, case_version: int, *, approve: bool
    ) -> tuple[CaseRequest, Case]:
        request = session.get(CaseRequest, request_id)
        if request is None:
            raise NotFound("request", request_id)
        kind = RequestKind(request.kind)
        action = (_APPROVE if approve else _REFUSE)[kind]
        case = session.get(Case, request.case_id)
        assert case is not None
        if request.status is not RequestStatus.pending:
            raise RuleRefused(
                case_code=case.code,
                action=action.value,
                rule="request_decided",
                status=Term(f"request_status.{request.status.value}"),
            )
        # the role, the row lock and the version: a decision on a case someone else has just
        # moved (another lead deciding the same request) is stale and names who moved it
        case = self.changes.load(session, case.code, case_version, action)
        return request, case
