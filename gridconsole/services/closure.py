"""After the department's feedback: verification on site (核查), closure, follow-up (回访) and
a reopen when the reporter was not satisfied.

The grid worker checks on site and tells the centre; the dispatcher records it. A failed check
reopens the case for a new dispatch and counts as rework (返工) against the department that fed
back; so does a reopen after a 不满意 follow-up.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.enums import Action, DispatchRole, Satisfaction
from gridconsole.domain.errors import RuleRefused
from gridconsole.domain.validators import validate_reason
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_requests import end_dispatches
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.records import CaseDetail
from gridconsole.store.models import Case, Dispatch

CHECKED_BY_MAX = 40


class ClosureService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.changes = CaseChanges(context)

    def verify(
        self, code: str, version: int, *, passed: bool, note: str, checked_by: str = ""
    ) -> CaseDetail:
        """核查: pass → closed; fail → reopened, back to the dispatch list (返工)."""
        note = validate_reason(note, field="note")
        checked_by = validate_reason(
            checked_by, field="checked_by", required=False, maximum=CHECKED_BY_MAX
        )
        action = Action.verify_pass if passed else Action.verify_fail
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, action)
            department_id = _last_lead_department(session, case)
            # checked by the verification deadline (the grid workers' measure)
            on_time = case.due_at is None or self.context.now() <= case.due_at
            detail: dict[str, object] = {"checked_by": checked_by, "on_time": on_time}
            if department_id is not None:
                detail["department_id"] = department_id
            self.changes.apply(
                session,
                case,
                action,
                version,
                changes={"closed_at": self.context.now()} if passed else {},
                reason=note,
                detail=detail,
            )
            # the department's part ends with the check either way: closed, or back for a new
            # dispatch (whose failure counts against the department that fed back)
            end_dispatches(session, case)
            return case_detail(session, self.context, case)

    def follow_up(
        self, code: str, version: int, *, satisfaction: Satisfaction, note: str = ""
    ) -> CaseDetail:
        """回访: the reporter was told the result; their satisfaction is kept for scoring."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.follow_up)
            # the department whose work the reporter judged (performance evaluation reads it)
            department_id = _last_lead_department(session, case)
            self.changes.apply(
                session,
                case,
                Action.follow_up,
                version,
                changes={"satisfaction": satisfaction.value},
                reason=note,
                detail={
                    "satisfaction": satisfaction.value,
                    **({"department_id": department_id} if department_id else {}),
                },
            )
            return case_detail(session, self.context, case)

    def reopen(self, code: str, version: int, *, reason: str) -> CaseDetail:
        """重新办理: only after a 不满意 follow-up; the case waits for a new dispatch."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.reopen)
            if case.satisfaction != Satisfaction.unsatisfied.value:
                raise RuleRefused(
                    case_code=case.code, action=Action.reopen.value, rule="reopen_needs_unsatisfied"
                )
            department_id = _last_lead_department(session, case)
            self.changes.apply(
                session,
                case,
                Action.reopen,
                version,
                changes={"closed_at": None},
                reason=reason,
                detail={"department_id": department_id} if department_id else {},
            )
            end_dispatches(session, case)
            return case_detail(session, self.context, case)


def _last_lead_department(session: Session, case: Case) -> int | None:
    """The department that led the latest dispatch of the case (whose work is being judged)."""
    return session.execute(
        select(col(Dispatch.department_id))
        .where(col(Dispatch.case_id) == case.id, col(Dispatch.role) == DispatchRole.lead)
        .order_by(col(Dispatch.id).desc())
        .limit(1)
    ).scalar_one_or_none()
