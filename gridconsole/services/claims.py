"""Claiming, releasing and breaking claims on cases (认领), each one transaction.

A claim is a compare-and-set on the claim columns under the case's row lock (``BEGIN IMMEDIATE``
on SQLite, ``FOR UPDATE`` on PostgreSQL): of two racing claims exactly one wins and the other is
told who holds the case. It never bumps the case's version (a claim is not an edit), but it writes
a case event: that moves every console's change token (the newest event id), so each open console
re-reads its lists within its 1 s poll without a second poll for claims, and the timeline records
who held the case, when, and who broke a claim.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import claims, permissions
from gridconsole.domain.enums import Action
from gridconsole.services.case_notes import note_case_event
from gridconsole.services.case_views import stored_claim
from gridconsole.services.context import ServiceContext
from gridconsole.services.lookups import case_by_code
from gridconsole.services.records import ClaimView
from gridconsole.store.models import Case


class ClaimService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def claim(self, code: str) -> ClaimView:
        """Claim the case for ``claim_minutes`` (renewing one's own claim); refused naming the
        holder while someone else's claim runs."""
        actor = self.context.actor
        permissions.require(actor.role, Action.claim, operator=actor.display_name)
        now = self.context.now()
        until = claims.claim_until(now, self.context.settings.security.claim_minutes)
        # a claim someone else holds is refused from a read: no write lock for a refusal
        with self.context.db.read() as session:
            self._check_claim(session, case_by_code(session, code), now)
        with self.context.db.write() as session:
            case = case_by_code(session, code, lock=True)
            self._check_claim(session, case, now)
            # the same condition again in the UPDATE: the row lock makes it redundant, and it
            # keeps the claim exclusive should a caller ever read the case without the lock
            self._set_claim(
                session,
                case,
                actor.id,
                until,
                or_(
                    col(Case.claimed_by_id).is_(None),
                    col(Case.claimed_by_id) == actor.id,
                    col(Case.claimed_until) <= now,
                ),
            )
            self._event(session, case, Action.claim, now, detail={"until": until.isoformat()})
            return self._view(session, case)

    def release(self, code: str) -> ClaimView:
        """The holder gives the case up before the claim runs out."""
        actor = self.context.actor
        permissions.require(actor.role, Action.release_claim, operator=actor.display_name)
        now = self.context.now()
        with self.context.db.write() as session:
            case = case_by_code(session, code, lock=True)
            claims.check_release(
                case_code=case.code,
                actor_id=actor.id,
                current=stored_claim(session, case),
                now=now,
            )
            self._set_claim(session, case, None, None, col(Case.claimed_by_id) == actor.id)
            self._event(session, case, Action.release_claim, now, detail={})
            return self._view(session, case)

    def break_claim(self, code: str, *, reason: str = "") -> ClaimView:
        """The shift lead takes the case from whoever holds it (on the timeline, named)."""
        actor = self.context.actor
        permissions.require(actor.role, Action.break_claim, operator=actor.display_name)
        now = self.context.now()
        with self.context.db.write() as session:
            case = case_by_code(session, code, lock=True)
            broken = claims.check_break(
                case_code=case.code,
                role=actor.role,
                actor_id=actor.id,
                current=stored_claim(session, case),
                now=now,
            )
            self._set_claim(session, case, None, None, col(Case.claimed_by_id) == broken.holder_id)
            self._event(
                session,
                case,
                Action.break_claim,
                now,
                reason=reason,
                detail={
                    "holder_id": broken.holder_id,
                    "holder": broken.holder_name,
                    "until": broken.until.isoformat(),
                },
            )
            return self._view(session, case)

    def _check_claim(self, session: Session, case: Case, now: datetime) -> None:
        current = stored_claim(session, case)
        claims.check_claim(
            case_code=case.code,
            state=case.state,
            role=self.context.actor.role,
            actor_id=self.context.actor.id,
            current=current,
            now=now,
            until_text=self._until_text(current),
        )

    @staticmethod
    def _view(session: Session, case: Case) -> ClaimView:
        current = stored_claim(session, case)
        return ClaimView(
            code=case.code,
            claimed_by_id=current.holder_id if current else None,
            claimed_by_name=current.holder_name if current else "",
            claimed_until=current.until if current else None,
        )

    def _until_text(self, current: claims.Claim | None) -> str:
        return "" if current is None else f"{self.context.local(current.until):%H:%M}"

    def _set_claim(
        self,
        session: Session,
        case: Case,
        holder_id: int | None,
        until: datetime | None,
        condition: Any,
    ) -> None:
        result = session.execute(
            update(Case)
            .where(and_(col(Case.id) == case.id, condition))
            .values(claimed_by_id=holder_id, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            # unreachable under the row lock; refuse rather than report a claim not taken
            session.refresh(case)
            current = stored_claim(session, case)
            raise claims.ClaimHeld(
                case.code, current.holder_name if current else "", self._until_text(current)
            )
        session.refresh(case, ["claimed_by_id", "claimed_until"])

    def _event(
        self,
        session: Session,
        case: Case,
        action: Action,
        now: datetime,
        *,
        reason: str = "",
        detail: dict[str, Any],
    ) -> None:
        note_case_event(
            session,
            self.context,
            case,
            action,
            now,
            audit_prefix="case",
            reason=reason,
            detail=detail,
        )


def refuse_if_claimed(
    session: Session, context: ServiceContext, case: Case, action: Action
) -> None:
    """A case-changing action on a case someone else holds is refused, naming the holder and
    until when (called by :class:`~gridconsole.services.case_changes.CaseChanges` under the
    case's row lock)."""
    if case.claimed_by_id is None or case.claimed_by_id == context.actor.id:
        return
    current = stored_claim(session, case)
    claims.check_action(
        action,
        case_code=case.code,
        actor_id=context.actor.id,
        current=current,
        now=context.now(),
        until_text="" if current is None else f"{context.local(current.until):%H:%M}",
    )
