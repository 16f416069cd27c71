"""A case event that changes no state (a claim, an escalation step), with its audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridconsole.domain.enums import Action
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.store.event_departments import judged_department
from gridconsole.store.models import Case, CaseEvent, row_id


def note_case_event(
    session: Session,
    context: ServiceContext,
    case: Case,
    action: Action,
    now: datetime,
    *,
    audit_prefix: str,
    reason: str = "",
    detail: Mapping[str, Any],
) -> None:
    """Append ``action`` to the case's timeline and record it as ``<audit_prefix>.<action>``,
    both in the caller's transaction."""
    session.add(
        CaseEvent(
            case_id=row_id(case),
            at=now,
            operator_id=context.actor.id,
            action=action,
            reason=reason,
            detail=dict(detail),
            department_id=judged_department(session, row_id(case), now, detail),
        )
    )
    session.flush()
    record_audit(
        session,
        context,
        f"{audit_prefix}.{action.value}",
        case_id=row_id(case),
        subject=f"case:{case.code}",
        detail={**({"reason": reason} if reason else {}), **dict(detail)},
    )
