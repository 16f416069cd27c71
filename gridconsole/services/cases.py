"""Case intake and the lifecycle transitions of the incoming-case queue.

Every public method is one transaction: check the actor's role, lock the case, compare its
version with the one the operator saw, apply the state machine, write the change and its event
row, and return plain data. A refusal raises a typed :mod:`gridconsole.domain.errors` error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.deadlines import (
    RemainingAllowance,
    resume_deadline,
)
from gridconsole.domain.enums import (
    Action,
    AdministrativePower,
    ContactChannel,
    Priority,
    RejectReason,
    RequestKind,
    RequestStatus,
)
from gridconsole.domain.errors import (
    FieldProblem,
    RuleRefused,
    Term,
    ValidationFailed,
)
from gridconsole.domain.grid_work import grid_work_refusal
from gridconsole.domain.validators import validate_case_draft, validate_reason
from gridconsole.i18n import t
from gridconsole.services.case_changes import CaseChanges
from gridconsole.services.case_clocks import extend_case, suspend_case
from gridconsole.services.case_requests import lead_dispatch, settle_pending
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.intake import create_cases
from gridconsole.services.lookups import case_by_code, category_by_code, grid_by_code
from gridconsole.services.records import CaseDetail
from gridconsole.services.scoring_clocks import record_resumption
from gridconsole.store.models import (
    CaseCategory,
    row_id,
)


class CaseService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.changes = CaseChanges(context)

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
            case = self.changes.load(session, code, version, Action.accept)
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
            self.changes.apply(
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
            case = self.changes.load(session, code, version, Action.reject)
            self.changes.apply(
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
            case = self.changes.load(session, code, version, Action.merge)
            target = case_by_code(session, into_code, lock=True)
            if not lifecycle.can(Action.absorb_duplicate, target.state):
                raise RuleRefused(
                    case_code=code,
                    action=Action.merge.value,
                    rule="merge_target_closed",
                    target=into_code,
                    state=Term(f"state.{target.state.value}"),
                )
            self.changes.apply(
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
            self.changes.apply(
                session,
                target,
                Action.absorb_duplicate,
                target.version,
                changes={},
                reason=note,
                detail={"duplicate": case.code},
                audited=False,  # the merge's entry names the target ("into")
            )
            return case_detail(session, self.context, case)

    def resolve_in_grid(self, code: str, version: int, *, note: str) -> CaseDetail:
        """小事不出网格: the grid worker handled it; allowed only for categories that permit it."""
        note = validate_reason(note, field="note")
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.resolve_in_grid)
            category = session.get(CaseCategory, case.category_id)
            assert category is not None
            # Art. 16: a grid worker is given only matters of the list, never an official power
            refusal = grid_work_refusal(
                on_matter_list=category.on_matter_list,
                administrative_power=(
                    AdministrativePower(category.administrative_power)
                    if category.administrative_power
                    else None
                ),
                resolvable_in_grid=category.resolvable_in_grid,
            )
            if refusal is not None:
                raise RuleRefused(
                    case_code=code,
                    action=Action.resolve_in_grid.value,
                    rule=refusal,
                    category=category.name,
                    power=Term(f"administrative_power.{category.administrative_power}")
                    if category.administrative_power
                    else "",
                )
            if case.grid_id is None:
                raise RuleRefused(
                    case_code=code, action=Action.resolve_in_grid.value, rule="needs_grid"
                )
            changes: dict[str, Any] = {}
            if case.accepted_at is None:
                changes["accepted_at"] = self.context.now()
            self.changes.apply(
                session, case, Action.resolve_in_grid, version, changes=changes, reason=note
            )
            return case_detail(session, self.context, case)

    def set_priority(
        self, code: str, version: int, *, priority: Priority, reason: str = ""
    ) -> CaseDetail:
        reason = validate_reason(reason, required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.set_priority)
            if case.priority == priority:
                return case_detail(session, self.context, case)
            self.changes.apply(
                session,
                case,
                Action.set_priority,
                version,
                changes={"priority": priority},
                reason=reason,
                detail={"from": case.priority.name, "to": priority.name},
            )
            return case_detail(session, self.context, case)

    def urge(
        self, code: str, version: int, *, note: str = "", channel: ContactChannel | None = None
    ) -> CaseDetail:
        """催办: press whoever the case waits on, by phone or on the platform; counted on the
        case and, through the event, against the department holding it."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.urge)
            urge_count = case.urge_count + 1
            holder = lead_dispatch(session, case)
            self.changes.apply(
                session,
                case,
                Action.urge,
                version,
                changes={"urge_count": urge_count},
                reason=note,
                detail={
                    "urge_count": urge_count,
                    **({"channel": channel.value} if channel else {}),
                    **({"department_id": holder.department_id} if holder else {}),
                },
            )
            return case_detail(session, self.context, case)

    def supervise(self, code: str, version: int, *, note: str = "") -> CaseDetail:
        """督办 (shift lead only): the case is supervised from now on; no state change."""
        note = validate_reason(note, field="note", required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.supervise)
            holder = lead_dispatch(session, case)
            self.changes.apply(
                session,
                case,
                Action.supervise,
                version,
                changes={"supervised": True},
                reason=note,
                detail={
                    "again": case.supervised,
                    **({"department_id": holder.department_id} if holder else {}),
                },
            )
            return case_detail(session, self.context, case)

    # -- clocks: suspension and extension (the shift lead's approvals) -------------------------

    def suspend(self, code: str, version: int, *, resume_planned: date, reason: str) -> CaseDetail:
        """挂起 (shift lead): every clock of the case stops until it resumes; a department's
        pending request to suspend is approved by it."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.suspend)
            suspend_case(
                self.changes, session, case, version, resume_planned=resume_planned, reason=reason
            )
            settle_pending(
                session, self.context, case, RequestKind.suspension, RequestStatus.approved, reason
            )
            return case_detail(session, self.context, case)

    def resume(self, code: str, version: int, *, reason: str = "") -> CaseDetail:
        """恢复: the clocks run again from now with what was left when they stopped."""
        reason = validate_reason(reason, required=False)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.resume)
            planner = DeadlinePlanner(session, self.context.settings)
            left = RemainingAllowance(
                until_due=timedelta(seconds=case.suspended_remaining_s or 0),
                until_warning=timedelta(seconds=case.suspended_warn_remaining_s or 0),
                working_time=bool(case.suspended_working_time),
                provisional=case.deadline_provisional,
            )
            resumed = resume_deadline(planner.calendar, left, self.context.now())
            record_resumption(
                session,
                planner.calendar,
                case,
                resumed_at=self.context.now(),
                working_time=left.working_time,
            )
            self.changes.apply(
                session,
                case,
                Action.resume,
                version,
                changes={
                    "step": case.step,
                    "step_started_at": case.step_started_at,
                    "due_at": resumed.due_at,
                    "warn_at": resumed.warn_at,
                    "deadline_provisional": resumed.provisional,
                    "suspended_remaining_s": None,
                    "suspended_warn_remaining_s": None,
                    "suspended_working_time": None,
                    "resume_planned_on": None,
                },
                reason=reason,
            )
            return case_detail(session, self.context, case)

    def approve_extension(
        self, code: str, version: int, *, new_due: datetime, reason: str
    ) -> CaseDetail:
        """批准延期 (shift lead): the running deadline moves to ``new_due``; the first deadline is
        kept for scoring. A department's pending request to extend is approved by it."""
        reason = validate_reason(reason)
        with self.context.db.write() as session:
            case = self.changes.load(session, code, version, Action.approve_extension)
            extend_case(self.changes, session, case, version, new_due=new_due, reason=reason)
            settle_pending(
                session, self.context, case, RequestKind.extension, RequestStatus.approved, reason
            )
            return case_detail(session, self.context, case)
