"""The one way a case changes: check the actor, lock the row, compare-and-set its version, apply
the state machine, start the new step's clock, and append the event, all in the caller's
transaction. Every service that changes a case goes through :class:`CaseChanges`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.deadlines import StepDeadline, running_step
from gridconsole.domain.enums import Action, CaseState, DispatchRole, Role
from gridconsole.domain.errors import NotFound, RuleRefused, StaleCase
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.claims import refuse_if_claimed
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.escalations import follow_case
from gridconsole.services.lookups import case_by_code
from gridconsole.store.event_departments import judged_department
from gridconsole.store.models import Case, CaseEvent, Dispatch, Operator, row_id


class CaseChanges:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def running_deadline(
        self, case: Case, planner: DeadlinePlanner, action: Action
    ) -> StepDeadline:
        if case.step is None or case.due_at is None or case.warn_at is None:
            raise RuleRefused(case_code=case.code, action=action.value, rule="no_running_deadline")
        limit = planner.limit(case.category_id, case.step, case.priority)
        return StepDeadline(
            case.due_at, case.warn_at, case.deadline_provisional, working_time=limit.working_time
        )

    def load(self, session: Session, code: str, version: int, action: Action) -> Case:
        actor = self.context.actor
        permissions.require(actor.role, action, operator=actor.display_name)
        case = case_by_code(session, code, lock=True)
        if actor.role is Role.liaison:
            self.require_lead_dispatch(session, case, action)
        if case.version != version:
            raise self.stale(session, case)
        refuse_if_claimed(session, self.context, case, action)
        lifecycle.next_state(action, case.state, case_code=case.code)
        return case

    def require_lead_dispatch(self, session: Session, case: Case, action: Action) -> None:
        """A liaison acts only as the lead department of an active dispatch of the case; a case
        their department was never given is, for them, not there at all."""
        department_id = self.context.actor.department_id
        role = session.execute(
            select(col(Dispatch.role)).where(
                col(Dispatch.case_id) == case.id,
                col(Dispatch.department_id) == department_id,
                col(Dispatch.active),
            )
        ).scalar_one_or_none()
        if role is None:
            raise NotFound("case", case.code)
        if DispatchRole(role) is not DispatchRole.lead:
            raise RuleRefused(case_code=case.code, action=action.value, rule="lead_department_only")

    def stale(self, session: Session, case: Case) -> StaleCase:
        operator = session.get(Operator, case.updated_by_id) if case.updated_by_id else None
        return StaleCase(
            case_code=case.code,
            changed_by=operator.display_name if operator else t("entity.system"),
            changed_at=self.context.local_text(case.updated_at),
        )

    def deadline_columns(
        self,
        session: Session,
        case: Case,
        to_state: CaseState,
        changes: Mapping[str, Any],
        now: datetime,
    ) -> dict[str, Any]:
        """A new state starts its step's clock now; a new priority or category re-times the
        running step from its start; anything else leaves the deadline alone."""
        category_id = changes.get("category_id", case.category_id)
        priority = changes.get("priority", case.priority)
        planner = DeadlinePlanner(session, self.context.settings)
        if to_state != case.state:
            if running_step(to_state) == case.step and case.due_at is not None:
                return {}  # the same step goes on: signing keeps the clock that began at dispatch
            return planner.for_state(category_id, priority, to_state, now)
        if ("priority" in changes or "category_id" in changes) and case.step is not None:
            return planner.columns(category_id, priority, case.step, case.step_started_at)
        return {}

    def apply(
        self,
        session: Session,
        case: Case,
        action: Action,
        version: int,
        *,
        changes: Mapping[str, Any],
        reason: str = "",
        detail: Mapping[str, Any] | None = None,
        on_behalf: bool = False,
        audited: bool = True,
        department_id: int | None = None,
    ) -> None:
        """Compare-and-set the case row, then append the event: both in the caller's transaction.

        ``audited=False`` for the second case one action changes (a merge's target): the
        action's one audit entry names both. ``department_id``: the department the event judges
        where the caller knows it before the rows that say so are written (a dispatch, its lead);
        otherwise it is looked up (:mod:`store.event_departments`)."""
        now = self.context.now()
        # the centre recording what a department did, after a phone call
        on_behalf = on_behalf or (
            action in permissions.DEPARTMENT_ACTIONS and self.context.actor.role is not Role.liaison
        )
        from_state = case.state
        to_state = lifecycle.next_state(action, from_state, case_code=case.code)
        values = {
            # a new step's clock, unless the operation set the deadline itself (suspend, resume)
            **self.deadline_columns(session, case, to_state, changes, now),
            **changes,
            "state": to_state,
            "version": version + 1,
            "updated_at": now,
            "updated_by_id": self.context.actor.id,
        }
        result = session.execute(
            update(Case)
            .where(col(Case.id) == case.id, col(Case.version) == version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            session.refresh(case)
            raise self.stale(session, case)
        for name, value in values.items():
            set_committed(case, name, value)
        session.add(
            CaseEvent(
                case_id=row_id(case),
                at=now,
                operator_id=self.context.actor.id,
                action=action,
                from_state=from_state,
                to_state=to_state if to_state != from_state else None,
                reason=reason,
                on_behalf=on_behalf,
                detail=dict(detail or {}),
                department_id=department_id
                if department_id is not None
                else judged_department(session, row_id(case), now, detail),
            )
        )
        session.flush()
        if audited:
            record_audit(
                session,
                self.context,
                f"case.{action.value}",
                case_id=row_id(case),
                subject=f"case:{case.code}",
                detail={
                    "from": from_state.value,
                    "to": to_state.value,
                    "version": version + 1,
                    **({"reason": reason} if reason else {}),
                    **({"on_behalf": True} if on_behalf else {}),
                    **dict(detail or {}),
                },
            )
        if to_state != from_state:
            # a case that is over owes its escalation's 终报
            follow_case(session, self.context.settings, case, now)


def set_committed(case: Case, name: str, value: Any) -> None:
    """Mirror a value written by a Core UPDATE on the loaded object without marking it dirty."""
    set_committed_value(case, name, value)
