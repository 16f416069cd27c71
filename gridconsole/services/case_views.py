"""Turning case rows into the plain records views and the CLI show."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import claims, lifecycle, permissions
from gridconsole.domain.deadlines import deadline_status
from gridconsole.domain.enums import DispatchRole, Satisfaction
from gridconsole.domain.privacy import mask_name, mask_phone
from gridconsole.i18n import t
from gridconsole.services.context import ServiceContext
from gridconsole.services.records import CaseDetail, CaseEventView, DispatchView
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Community,
    Department,
    Dispatch,
    Grid,
    Operator,
    Street,
    row_id,
)


def case_detail(session: Session, context: ServiceContext, case: Case) -> CaseDetail:
    """Every field of ``case`` and its timeline, as plain data (personal data masked)."""
    category = session.get(CaseCategory, case.category_id)
    assert category is not None
    grid = session.get(Grid, case.grid_id) if case.grid_id else None
    community = session.get(Community, case.community_id) if case.community_id else None
    street = session.get(Street, case.street_id)
    merged_into = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    events = session.execute(
        select(CaseEvent, col(Operator.display_name))
        .outerjoin(Operator, col(Operator.id) == col(CaseEvent.operator_id))
        .where(col(CaseEvent.case_id) == case.id)
        .order_by(col(CaseEvent.id))
    ).all()
    updated_by = session.get(Operator, case.updated_by_id) if case.updated_by_id else None
    role = context.actor.role
    now = context.now()
    claim = claims.active_claim(stored_claim(session, case), now)
    actor_id = context.actor.id
    allowed = tuple(
        action
        for action in lifecycle.actions_from(case.state)
        if permissions.allowed(role, action)
        and not claims.refuses(action, actor_id=actor_id, current=claim, now=now)
    )
    return CaseDetail(
        id=row_id(case),
        code=case.code,
        version=case.version,
        state=case.state,
        priority=case.priority,
        source=case.source,
        title=case.title,
        description=case.description,
        address=case.address,
        reporter_name=(
            mask_name(case.reporter_name)
            if context.settings.privacy.mask_reporter_names
            else case.reporter_name
        ),
        reporter_phone_masked=mask_phone(case.reporter_phone),
        category_code=category.code,
        category_name=category.name,
        category_resolvable_in_grid=category.resolvable_in_grid,
        grid_code=grid.code if grid else None,
        grid_name=grid.name if grid else "",
        community_name=community.name if community else "",
        street_name=street.name if street else "",
        reported_at=case.reported_at,
        accepted_at=case.accepted_at,
        closed_at=case.closed_at,
        due_at=case.due_at,
        step=case.step,
        warn_at=case.warn_at,
        deadline_provisional=case.deadline_provisional,
        deadline_status=deadline_status(context.now(), case.warn_at, case.due_at)
        if case.warn_at and case.due_at
        else None,
        reject_reason=case.reject_reason,
        merged_into_code=merged_into.code if merged_into else None,
        external_id=case.external_id,
        updated_at=case.updated_at,
        updated_by_name=updated_by.display_name if updated_by else t("entity.system"),
        events=tuple(
            CaseEventView(
                id=row_id(event),
                at=event.at,
                operator_name=operator_name or t("entity.system"),
                action=event.action,
                from_state=event.from_state,
                to_state=event.to_state,
                reason=event.reason,
                on_behalf=event.on_behalf,
                detail=dict(event.detail),
            )
            for event, operator_name in events
        ),
        allowed_actions=allowed,
        dispatches=tuple(
            DispatchView(
                department_code=department_code,
                department_name=department_name,
                role=DispatchRole(dispatch.role),
                dispatched_at=dispatch.dispatched_at,
                sign_due_at=dispatch.sign_due_at,
                signed_at=dispatch.signed_at,
                handle_due_at=dispatch.handle_due_at,
                returned_at=dispatch.returned_at,
                feedback_at=dispatch.feedback_at,
                feedback=dispatch.feedback,
                active=dispatch.active,
            )
            for dispatch, department_code, department_name in session.execute(
                select(Dispatch, col(Department.code), col(Department.name))
                .join(Department, col(Department.id) == col(Dispatch.department_id))
                .where(col(Dispatch.case_id) == case.id)
                .order_by(col(Dispatch.id))
            ).all()
        ),
        original_due_at=case.original_due_at,
        satisfaction=_satisfaction(case.satisfaction),
        claimed_by_id=claim.holder_id if claim else None,
        claimed_by_name=claim.holder_name if claim else "",
        claimed_until=claim.until if claim else None,
        claim_actions=claims.claim_actions(
            role=role, actor_id=actor_id, state=case.state, current=claim, now=now
        ),
    )


def stored_claim(session: Session, case: Case) -> claims.Claim | None:
    """The claim columns of ``case`` with the holder's name (expired or not)."""
    if case.claimed_by_id is None or case.claimed_until is None:
        return None
    holder = session.get(Operator, case.claimed_by_id)
    name = holder.display_name if holder else t("entity.system")
    return claims.Claim(case.claimed_by_id, name, case.claimed_until)


def _satisfaction(stored: str | None) -> Satisfaction | None:
    """The stored answer; anything that is not one (written by an older tool) reads as none."""
    try:
        return Satisfaction(stored) if stored else None
    except ValueError:
        return None
