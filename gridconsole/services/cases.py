"""Case intake and the lifecycle transitions of the incoming-case queue.

Every public method is one transaction: check the actor's role, lock the case, compare its
version with the one the operator saw, apply the state machine, write the change and its event
row, and return plain data. A refusal raises a typed :mod:`gridconsole.domain.errors` error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, CaseState, Priority, RejectReason
from gridconsole.domain.errors import (
    FieldProblem,
    RuleRefused,
    StaleCase,
    Term,
    ValidationFailed,
)
from gridconsole.domain.validators import validate_case_draft, validate_reason
from gridconsole.i18n import t
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.intake import create_cases
from gridconsole.services.lookups import case_by_code, category_by_code, grid_by_code
from gridconsole.services.records import CaseDetail
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Operator,
    row_id,
)


class CaseService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # -- intake -------------------------------------------------------------------------------

    def report(self, raw: Mapping[str, object]) -> CaseDetail:
        """Validate and create a new case (上报) in state ``reported``."""
        actor = self.context.actor
        permissions.require(actor.role, Action.report, operator=actor.display_name)
        draft = validate_case_draft(raw, now=self.context.now())
        with self.context.db.write() as session:
            (created,) = create_cases(session, self.context, [draft])
            return case_detail(session, self.context, case_by_code(session, created.code))

    # -- transitions ----------------------------------------------------------------------------

    def accept(
        self,
        code: str,
        version: int,
        *,
        category_code: str | None = None,
        grid_code: str | None = None,
    ) -> CaseDetail:
        """受理: confirm (or correct) the category and the grid; the case becomes registered."""
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.accept)
            detail: dict[str, Any] = {}
            category_id, grid_id, community_id = case.category_id, case.grid_id, case.community_id
            if category_code is not None:
                category = category_by_code(session, category_code)
                if category.id != category_id:
                    detail["category"] = category.code
                category_id = row_id(category)
            if grid_code is not None:
                grid = grid_by_code(session, grid_code)
                if grid.id != grid_id:
                    detail["grid"] = grid.code
                grid_id, community_id = grid.id, grid.community_id
            if grid_id is None:
                raise ValidationFailed([FieldProblem("grid", t("rule.required"))])
            self._apply(
                session,
                case,
                Action.accept,
                version,
                changes={
                    "category_id": category_id,
                    "grid_id": grid_id,
                    "community_id": community_id,
                    "accepted_at": self.context.now(),
                },
                detail=detail,
            )
            return case_detail(session, self.context, case)

    def reject(self, code: str, version: int, *, reason: RejectReason, note: str) -> CaseDetail:
        """不予受理 with a reason (duplicates go through :meth:`merge`)."""
        note = validate_reason(note, field="note")
        if reason is RejectReason.duplicate:
            raise ValidationFailed([FieldProblem("reason", t("rule.use_merge"))])
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.reject)
            self._apply(
                session,
                case,
                Action.reject,
                version,
                changes={"reject_reason": reason, "closed_at": self.context.now()},
                reason=note,
                detail={"reject_reason": reason.value},
            )
            return case_detail(session, self.context, case)

    def merge(self, code: str, version: int, *, into_code: str, note: str = "") -> CaseDetail:
        """Merge a duplicate into another open case: it is rejected as a duplicate, and the
        other case's timeline records what it absorbed."""
        note = validate_reason(note, field="note", required=False)
        if into_code == code:
            raise RuleRefused(case_code=code, action=Action.merge.value, rule="merge_self")
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.merge)
            target = case_by_code(session, into_code, lock=True)
            if not lifecycle.can(Action.absorb_duplicate, target.state):
                raise RuleRefused(
                    case_code=code,
                    action=Action.merge.value,
                    rule="merge_target_closed",
                    target=into_code,
                    state=Term(f"state.{target.state.value}"),
                )
            self._apply(
                session,
                case,
                Action.merge,
                version,
                changes={
                    "reject_reason": RejectReason.duplicate,
                    "merged_into_id": target.id,
                    "closed_at": self.context.now(),
                },
                reason=note,
                detail={"into": target.code},
            )
            self._apply(
                session,
                target,
                Action.absorb_duplicate,
                target.version,
                changes={},
                reason=note,
                detail={"duplicate": case.code},
            )
            return case_detail(session, self.context, case)

    def resolve_in_grid(self, code: str, version: int, *, note: str) -> CaseDetail:
        """小事不出网格: the grid worker handled it; allowed only for categories that permit it."""
        note = validate_reason(note, field="note")
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.resolve_in_grid)
            category = session.get(CaseCategory, case.category_id)
            assert category is not None
            if not category.resolvable_in_grid:
                raise RuleRefused(
                    case_code=code,
                    action=Action.resolve_in_grid.value,
                    rule="not_resolvable_in_grid",
                    category=category.name,
                )
            if case.grid_id is None:
                raise RuleRefused(
                    case_code=code, action=Action.resolve_in_grid.value, rule="needs_grid"
                )
            changes: dict[str, Any] = {}
            if case.accepted_at is None:
                changes["accepted_at"] = self.context.now()
            self._apply(
                session, case, Action.resolve_in_grid, version, changes=changes, reason=note
            )
            return case_detail(session, self.context, case)

    def set_priority(
        self, code: str, version: int, *, priority: Priority, reason: str = ""
    ) -> CaseDetail:
        reason = validate_reason(reason, required=False)
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.set_priority)
            if case.priority == priority:
                return case_detail(session, self.context, case)
            self._apply(
                session,
                case,
                Action.set_priority,
                version,
                changes={"priority": priority},
                reason=reason,
                detail={"from": case.priority.name, "to": priority.name},
            )
            return case_detail(session, self.context, case)

    def urge(self, code: str, version: int, *, note: str = "") -> CaseDetail:
        """催办: press whoever the case waits on; counted on the case, no state change."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.urge)
            urge_count = case.urge_count + 1
            self._apply(
                session,
                case,
                Action.urge,
                version,
                changes={"urge_count": urge_count},
                reason=note,
                detail={"urge_count": urge_count},
            )
            return case_detail(session, self.context, case)

    def supervise(self, code: str, version: int, *, note: str = "") -> CaseDetail:
        """督办 (shift lead only): the case is supervised from now on; no state change."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self._load_for_change(session, code, version, Action.supervise)
            self._apply(
                session,
                case,
                Action.supervise,
                version,
                changes={"supervised": True},
                reason=note,
                detail={"again": case.supervised},
            )
            return case_detail(session, self.context, case)

    # -- the mechanism ------------------------------------------------------------------------

    def _load_for_change(self, session: Session, code: str, version: int, action: Action) -> Case:
        actor = self.context.actor
        permissions.require(actor.role, action, operator=actor.display_name)
        case = case_by_code(session, code, lock=True)
        if case.version != version:
            raise self._stale(session, case)
        lifecycle.next_state(action, case.state, case_code=case.code)
        return case

    def _stale(self, session: Session, case: Case) -> StaleCase:
        operator = session.get(Operator, case.updated_by_id) if case.updated_by_id else None
        return StaleCase(
            case_code=case.code,
            changed_by=operator.display_name if operator else t("entity.system"),
            changed_at=self.context.local_text(case.updated_at),
        )

    def _deadline_columns(
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
            return planner.for_state(category_id, priority, to_state, now)
        if ("priority" in changes or "category_id" in changes) and case.step is not None:
            return planner.columns(category_id, priority, case.step, case.step_started_at)
        return {}

    def _apply(
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
    ) -> None:
        """Compare-and-set the case row, then append the event: both in the caller's transaction."""
        now = self.context.now()
        from_state = case.state
        to_state = lifecycle.next_state(action, from_state, case_code=case.code)
        values = {
            **changes,
            **self._deadline_columns(session, case, to_state, changes, now),
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
            raise self._stale(session, case)
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
            )
        )
        session.flush()


def set_committed(case: Case, name: str, value: Any) -> None:
    """Mirror a value written by a Core UPDATE on the loaded object without marking it dirty."""
    set_committed_value(case, name, value)
