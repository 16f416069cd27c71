"""派遣 / 改派: getting an accepted case to its lead department (主办) and any assisting ones
(协办), with the sign and handling deadlines computed from the work calendar.

A department that is inactive or does not handle the case's category is refused with the reason;
a shift lead may override that with a reason, recorded on the event. A returned case is
redispatched (改派) to another department than the one that returned it. Bulk dispatch runs each
case in its own transaction, so one refusal never holds back the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import (
    Action,
    AdminAction,
    CaseState,
    DeadlineStep,
    DispatchRole,
)
from gridconsole.domain.errors import DomainError, FieldProblem, RuleRefused, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.dispatch_records import DepartmentRef, DispatchOutcome, DispatchPreview
from gridconsole.services.lookups import case_by_code
from gridconsole.services.records import CaseDetail
from gridconsole.services.routing import department_by_code, handles_category
from gridconsole.store.models import Case, Department, Dispatch, row_id

MAX_ASSISTS = 5


class DispatchService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.changes = CaseChanges(context)

    def active_departments(self) -> tuple[DepartmentRef, ...]:
        """The departments a case can be dispatched to, by code."""
        with self.context.db.read() as session:
            rows = session.execute(
                select(col(Department.code), col(Department.name))
                .where(col(Department.active))
                .order_by(col(Department.code))
            ).all()
        return tuple(DepartmentRef(code, name) for code, name in rows)

    def preview(self, code: str, lead: str) -> DispatchPreview:
        """The sign and handling deadlines a dispatch of ``code`` to ``lead`` made now would set."""
        with self.context.db.read() as session:
            case = case_by_code(session, code)
            department_by_code(session, lead, field="lead")
            planner = DeadlinePlanner(session, self.context.settings)
            now = self.context.now()
            sign = planner.deadline(case.category_id, case.priority, DeadlineStep.sign, now)
            handle = planner.deadline(case.category_id, case.priority, DeadlineStep.handle, now)
        return DispatchPreview(
            sign_due_at=sign.due_at,
            handle_due_at=handle.due_at,
            provisional=sign.provisional or handle.provisional,
        )

    def dispatch(
        self,
        code: str,
        version: int,
        *,
        lead: str,
        assists: Sequence[str] = (),
        instruction: str = "",
        override_reason: str = "",
    ) -> CaseDetail:
        """派遣 from registered or reopened, 改派 from returned: one transaction."""
        instruction = validate_reason(instruction, field="instruction", required=False)
        override_reason = validate_reason(override_reason, field="override", required=False)
        assists = _check_assists(lead, assists)
        if override_reason:
            actor = self.context.actor
            permissions.require_admin_action(
                actor.role, AdminAction.override_routing, operator=actor.display_name
            )
        with self.context.db.write() as session:
            current = case_by_code(session, code)
            action = Action.redispatch if current.state is CaseState.returned else Action.dispatch
            case = self.changes.load(session, code, version, action)
            lead_department = department_by_code(session, lead, field="lead")
            assist_departments = [
                department_by_code(session, assist, field="assists") for assist in assists
            ]
            overridden = self._check_departments(
                session, case, action, lead_department, assist_departments, override_reason
            )
            if action is Action.redispatch:
                self._check_not_returning_department(session, case, lead_department)
            now = self.context.now()
            planner = DeadlinePlanner(session, self.context.settings)
            sign = planner.deadline(case.category_id, case.priority, DeadlineStep.sign, now)
            detail: dict[str, object] = {
                "lead": lead_department.code,
                "lead_id": row_id(lead_department),
                "assists": [department.code for department in assist_departments],
                "sign_due": sign.due_at.isoformat(),
            }
            if overridden:
                detail["override"] = override_reason
                detail["overridden"] = overridden
            # the event judges the lead dispatch it makes, written below (its deadlines are the
            # case's once the event has started the handling step)
            self.changes.apply(
                session,
                case,
                action,
                version,
                changes={},
                reason=instruction,
                detail=detail,
                department_id=row_id(lead_department),
            )
            for department, role in [
                (lead_department, DispatchRole.lead),
                *((assist, DispatchRole.assist) for assist in assist_departments),
            ]:
                session.add(
                    Dispatch(
                        case_id=row_id(case),
                        department_id=row_id(department),
                        role=role,
                        instruction=instruction,
                        dispatched_at=now,
                        dispatched_by_id=self.context.actor.id,
                        sign_due_at=sign.due_at,
                        handle_due_at=case.due_at,
                        scored_due_at=case.due_at,  # what statistics score: never extended
                    )
                )
            session.flush()
            return case_detail(session, self.context, case)

    def dispatch_many(
        self,
        cases: Sequence[tuple[str, int]],
        *,
        lead: str,
        assists: Sequence[str] = (),
        instruction: str = "",
        override_reason: str = "",
    ) -> tuple[DispatchOutcome, ...]:
        """Dispatch each case on its own: the ones refused say why, the rest are dispatched."""
        outcomes: list[DispatchOutcome] = []
        for code, version in cases:
            try:
                detail = self.dispatch(
                    code,
                    version,
                    lead=lead,
                    assists=assists,
                    instruction=instruction,
                    override_reason=override_reason,
                )
            except DomainError as refused:
                outcomes.append(DispatchOutcome(code, None, str(refused)))
            else:
                outcomes.append(DispatchOutcome(code, detail))
        return tuple(outcomes)

    # -- the rules -------------------------------------------------------------------------------

    def _check_departments(
        self,
        session: Session,
        case: Case,
        action: Action,
        lead: Department,
        assists: Sequence[Department],
        override_reason: str,
    ) -> list[str]:
        """Refuse an inactive department, or a lead that does not handle the category, unless
        the shift lead overrides: the rules broken are returned for the event."""
        broken: list[tuple[str, Department]] = []
        for department in (lead, *assists):
            if not department.active:
                broken.append(("department_inactive", department))
        if not handles_category(session, row_id(lead), case.category_id):
            broken.append(("department_not_handling", lead))
        if broken and not override_reason:
            rule, department = broken[0]
            raise RuleRefused(
                case_code=case.code, action=action.value, rule=rule, department=department.name
            )
        return [f"{rule}:{department.code}" for rule, department in broken]

    def _check_not_returning_department(
        self, session: Session, case: Case, lead: Department
    ) -> None:
        returned_by = session.execute(
            select(col(Dispatch.department_id))
            .where(
                col(Dispatch.case_id) == case.id,
                col(Dispatch.role) == DispatchRole.lead,
                col(Dispatch.returned_at).is_not(None),
            )
            .order_by(col(Dispatch.id).desc())
            .limit(1)
        ).scalar_one_or_none()
        if returned_by == lead.id:
            raise RuleRefused(
                case_code=case.code,
                action=Action.redispatch.value,
                rule="redispatch_same_department",
                department=lead.name,
            )


def _check_assists(lead: str, assists: Sequence[str]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(code.strip() for code in assists if code.strip()))
    problems = []
    if lead in unique:
        problems.append(FieldProblem("assists", t("rule.assist_is_lead", department=lead)))
    if len(unique) > MAX_ASSISTS:
        problems.append(FieldProblem("assists", t("rule.too_many", maximum=MAX_ASSISTS)))
    if problems:
        raise ValidationFailed(problems)
    return unique
