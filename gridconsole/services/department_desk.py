"""The department's side of a dispatch: sign, ask to return / extend / suspend, feed back.

A liaison acts only on their own department's active lead dispatches (checked by
:meth:`CaseChanges.load` for every call, not only hidden in the UI); a dispatcher or shift lead
may record the same things for a department after a phone call, marked ``on_behalf``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.countdown import DeadlineCountdown
from gridconsole.domain.enums import (
    Action,
    CaseState,
    DeadlineStep,
    DispatchRole,
    Priority,
    RequestKind,
    RequestStatus,
    Role,
)
from gridconsole.domain.errors import RuleRefused
from gridconsole.domain.validators import validate_reason
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_clocks import check_extension, check_resume_day
from gridconsole.services.case_requests import (
    file_request,
    lead_dispatch,
    pending_request,
    withdraw_pending,
)
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.dispatch_records import DepartmentRef, DepartmentWorkRow, WorkListPage
from gridconsole.services.records import CaseDetail
from gridconsole.services.scoring_clocks import handling_seconds
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseRequest,
    Department,
    Dispatch,
    Grid,
)

WORK_LIST_PAGE = 50


class DepartmentDeskService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.changes = CaseChanges(context)

    # -- the work list --------------------------------------------------------------------------

    def work_list(
        self, department: str | None = None, *, after: int | None = None, limit: int | None = None
    ) -> WorkListPage:
        """Active dispatches, oldest first: a liaison's own department's always; for the centre
        ``department`` (a code) or every department."""
        limit = limit or WORK_LIST_PAGE
        actor = self.context.actor
        with self.context.db.read() as session:
            conditions: list[ColumnElement[bool]] = [col(Dispatch.active) == true()]
            if actor.role is Role.liaison:
                conditions.append(col(Dispatch.department_id) == actor.department_id)
            elif department is not None:
                found = session.execute(
                    select(col(Department.id)).where(col(Department.code) == department)
                ).scalar_one_or_none()
                conditions.append(col(Dispatch.department_id) == (found or -1))
            total = session.execute(
                select(func.count()).select_from(Dispatch).where(*conditions)
            ).scalar_one()
            if after is not None:
                conditions.append(col(Dispatch.id) > after)
            rows = session.execute(
                select(
                    col(Dispatch.id),
                    col(Dispatch.role),
                    col(Dispatch.dispatched_at),
                    col(Dispatch.sign_due_at),
                    col(Dispatch.signed_at),
                    col(Case.code),
                    col(Case.version),
                    col(Case.state),
                    col(Case.priority),
                    col(Case.title),
                    col(Case.category_id),
                    col(Case.step),
                    col(Case.due_at),
                    col(Case.warn_at),
                    col(CaseCategory.name).label("category_name"),
                    col(Grid.name).label("grid_name"),
                    col(Department.code).label("department_code"),
                    col(Department.name).label("department_name"),
                    select(col(CaseRequest.kind))
                    .where(
                        col(CaseRequest.case_id) == col(Case.id),
                        col(CaseRequest.status) == RequestStatus.pending,
                    )
                    .order_by(col(CaseRequest.id))
                    .limit(1)
                    .scalar_subquery()
                    .label("pending_kind"),
                )
                .join(Case, col(Case.id) == col(Dispatch.case_id))
                .join(CaseCategory, col(CaseCategory.id) == col(Case.category_id))
                .join(Department, col(Department.id) == col(Dispatch.department_id))
                .outerjoin(Grid, col(Grid.id) == col(Case.grid_id))
                .where(*conditions)
                .order_by(col(Dispatch.id))
                .limit(limit + 1)
            ).all()
            # the same calendar and limits the deadlines were computed with (as the overdue pane)
            planner = DeadlinePlanner(session, self.context.settings)
            page = tuple(
                DepartmentWorkRow(
                    dispatch_id=row.id,
                    case_code=row.code,
                    case_version=row.version,
                    state=CaseState(row.state),
                    priority=row.priority,
                    title=row.title,
                    category_name=row.category_name,
                    grid_name=row.grid_name or "",
                    department=DepartmentRef(row.department_code, row.department_name),
                    role=DispatchRole(row.role),
                    dispatched_at=row.dispatched_at,
                    sign_due_at=row.sign_due_at,
                    signed_at=row.signed_at,
                    due_at=row.due_at,
                    warn_at=row.warn_at,
                    # no running step (no deadline): nothing counts down
                    working_time=row.step is not None
                    and planner.limit(
                        row.category_id, DeadlineStep(row.step), Priority(row.priority)
                    ).working_time,
                    pending_request=RequestKind(row.pending_kind) if row.pending_kind else None,
                )
                for row in rows[:limit]
            )
        next_after = page[-1].dispatch_id if len(rows) > limit else None
        return WorkListPage(
            rows=page,
            total=total,
            next_after=next_after,
            countdown=DeadlineCountdown(planner.calendar),
        )

    # -- what a department does -------------------------------------------------------------------

    def sign(self, code: str, version: int, *, note: str = "") -> CaseDetail:
        """签收: the lead department has the case; its handling clock keeps running from dispatch."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.sign)
            dispatch = self._holder(session, case, Action.sign)
            now = self.context.now()
            late = dispatch.sign_due_at is not None and now > dispatch.sign_due_at
            self.changes.apply(
                session,
                case,
                Action.sign,
                version,
                changes={},
                reason=note,
                detail={"department_id": dispatch.department_id, "late": late},
            )
            session.execute(
                update(Dispatch).where(col(Dispatch.id) == dispatch.id).values(signed_at=now)
            )
            return case_detail(session, self.context, case)

    def request_return(self, code: str, version: int, *, reason: str, basis: str) -> CaseDetail:
        """退单申请: not ours, and why (the duty basis); the shift lead accepts or refuses it."""
        reason = validate_reason(reason)
        basis = validate_reason(basis, field="basis")
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.request_return)
            dispatch = self._holder(session, case, Action.request_return)
            self._one_pending(session, case, RequestKind.return_, Action.request_return)
            self.changes.apply(
                session,
                case,
                Action.request_return,
                version,
                changes={},
                reason=reason,
                detail={"department_id": dispatch.department_id, "basis": basis},
            )
            file_request(
                session,
                self.context,
                case,
                RequestKind.return_,
                reason=reason,
                basis=basis,
                on_behalf=self._on_behalf(),
            )
            return case_detail(session, self.context, case)

    def request_extension(
        self, code: str, version: int, *, new_due: datetime, reason: str
    ) -> CaseDetail:
        """延期申请: asked before the deadline passes, for a later instant in working time."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.request_extension)
            dispatch = self._holder(session, case, Action.request_extension)
            self._one_pending(session, case, RequestKind.extension, Action.request_extension)
            if case.due_at is not None and self.context.now() >= case.due_at:
                raise RuleRefused(
                    case_code=case.code,
                    action=Action.request_extension.value,
                    rule="extension_after_deadline",
                    due=self.context.local_text(case.due_at),
                )
            check_extension(self.changes, session, case, new_due, Action.request_extension)
            self.changes.apply(
                session,
                case,
                Action.request_extension,
                version,
                changes={},
                reason=reason,
                detail={"department_id": dispatch.department_id, "to": new_due.isoformat()},
            )
            file_request(
                session,
                self.context,
                case,
                RequestKind.extension,
                reason=reason,
                new_due_at=new_due,
                on_behalf=self._on_behalf(),
            )
            return case_detail(session, self.context, case)

    def request_suspension(
        self, code: str, version: int, *, resume_planned: date, reason: str
    ) -> CaseDetail:
        """挂起申请: the work cannot go on for now (with the day it should resume)."""
        reason = validate_reason(reason)
        check_resume_day(self.context, resume_planned)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.request_suspension)
            dispatch = self._holder(session, case, Action.request_suspension)
            self._one_pending(session, case, RequestKind.suspension, Action.request_suspension)
            self.changes.apply(
                session,
                case,
                Action.request_suspension,
                version,
                changes={},
                reason=reason,
                detail={
                    "department_id": dispatch.department_id,
                    "resume_planned": resume_planned.isoformat(),
                },
            )
            file_request(
                session,
                self.context,
                case,
                RequestKind.suspension,
                reason=reason,
                resume_planned_on=resume_planned,
                on_behalf=self._on_behalf(),
            )
            return case_detail(session, self.context, case)

    def feedback(self, code: str, version: int, *, text: str) -> CaseDetail:
        """反馈: what was done; the case waits for verification on site (核查)."""
        text = validate_reason(text, field="text")
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.feedback)
            dispatch = self._holder(session, case, Action.feedback)
            now = self.context.now()
            # scored against the deadline set at dispatch, moved by suspensions, not extensions
            scored_due_at = dispatch.scored_due_at or dispatch.handle_due_at
            on_time = scored_due_at is None or now <= scored_due_at
            calendar = DeadlinePlanner(session, self.context.settings).calendar
            self.changes.apply(
                session,
                case,
                Action.feedback,
                version,
                changes={},
                reason=text,
                detail={"department_id": dispatch.department_id, "on_time": on_time},
            )
            session.execute(
                update(Dispatch)
                .where(col(Dispatch.id) == dispatch.id)
                .values(
                    feedback_at=now,
                    feedback=text,
                    handling_working_s=handling_seconds(
                        calendar, dispatch.dispatched_at, now, dispatch.suspended_working_s or 0
                    ),
                )
            )
            withdraw_pending(session, self.context, case, text)
            return case_detail(session, self.context, case)

    # -- rules shared by the requests ---------------------------------------------------------

    def _holder(self, session: Session, case: Case, action: Action) -> Dispatch:
        dispatch = lead_dispatch(session, case)
        if dispatch is None:
            raise RuleRefused(case_code=case.code, action=action.value, rule="no_lead_dispatch")
        return dispatch

    def _one_pending(self, session: Session, case: Case, kind: RequestKind, action: Action) -> None:
        if pending_request(session, case, kind) is not None:
            raise RuleRefused(case_code=case.code, action=action.value, rule="request_pending")

    def _on_behalf(self) -> bool:
        return self.context.actor.role is not Role.liaison
