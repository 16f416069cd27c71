"""Step deadlines of cases: computed by the services when a step starts, stored on the case.

A :class:`DeadlinePlanner` is built inside a transaction: it reads the hand-entered calendar days
and the categories' time limits through that transaction's session, so a deadline is always
computed against the calendar the transaction sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.config import Settings
from gridconsole.domain.deadlines import StepDeadline, TimeLimit, running_step, step_deadline
from gridconsole.domain.enums import Action, CaseState, DeadlineStep, Priority, TimeUnit
from gridconsole.domain.work_calendar import DayKind, WorkCalendar
from gridconsole.store.models import CalendarDay, Case, CaseEvent, CategoryTimeLimit

# rows read and written per round when every open case is recomputed
RECOMPUTE_CHUNK = 5_000
_NO_DEADLINE: dict[str, Any] = {
    "step": None,
    "step_started_at": None,
    "due_at": None,
    "warn_at": None,
    "deadline_provisional": False,
}


def work_calendar(session: Session, settings: Settings) -> WorkCalendar:
    """The centre's calendar as this transaction sees it: hand-entered days first."""
    rows = session.execute(select(col(CalendarDay.day), col(CalendarDay.kind))).all()
    return WorkCalendar(
        settings.work_hours.periods,
        settings.centre.zone,
        overrides={day: DayKind(kind) for day, kind in rows},
    )


class DeadlinePlanner:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.calendar = work_calendar(session, settings)
        self._limits: dict[int, dict[tuple[DeadlineStep, Priority], TimeLimit]] = {}

    def limit(self, category_id: int, step: DeadlineStep, priority: Priority) -> TimeLimit:
        """The category's own limit for the step, else the configured default."""
        if category_id not in self._limits:
            rows = self.session.execute(
                select(
                    col(CategoryTimeLimit.step),
                    col(CategoryTimeLimit.priority),
                    col(CategoryTimeLimit.amount),
                    col(CategoryTimeLimit.unit),
                ).where(col(CategoryTimeLimit.category_id) == category_id)
            ).all()
            self._limits[category_id] = {
                (DeadlineStep(row_step), Priority(row_priority)): TimeLimit(amount, TimeUnit(unit))
                for row_step, row_priority, amount, unit in rows
            }
        own = self._limits[category_id].get((step, priority))
        if own is not None:
            return own
        default = getattr(self.settings.deadlines.default_limits, step.value)
        setting = default.urgent if priority is Priority.urgent else default.normal
        return TimeLimit(setting.amount, TimeUnit(setting.unit))

    def deadline(
        self, category_id: int, priority: Priority, step: DeadlineStep, started_at: datetime
    ) -> StepDeadline:
        return step_deadline(
            self.calendar,
            started_at,
            self.limit(category_id, step, priority),
            warn_fraction=self.settings.deadlines.warn_fraction,
        )

    def columns(
        self,
        category_id: int,
        priority: Priority,
        step: DeadlineStep | None,
        started_at: datetime | None,
    ) -> dict[str, Any]:
        """The case columns for ``step`` started at ``started_at`` (no step: no clock runs)."""
        if step is None or started_at is None:
            return dict(_NO_DEADLINE)
        deadline = self.deadline(category_id, priority, step, started_at)
        return {
            "step": step,
            "step_started_at": started_at,
            "due_at": deadline.due_at,
            "warn_at": deadline.warn_at,
            "deadline_provisional": deadline.provisional,
        }

    def for_state(
        self, category_id: int, priority: Priority, state: CaseState, entered_at: datetime
    ) -> dict[str, Any]:
        """The columns of a case that has just entered ``state``."""
        return self.columns(category_id, priority, running_step(state), entered_at)


def _open_steps(session: Session, after_id: int) -> list[Any]:
    return list(
        session.execute(
            select(
                col(Case.id),
                col(Case.category_id),
                col(Case.priority),
                col(Case.step),
                col(Case.step_started_at),
                col(Case.due_at),
                col(Case.warn_at),
                col(Case.deadline_provisional),
                col(Case.warning_fired_for),
                col(Case.breach_fired_for),
            )
            .where(col(Case.step).is_not(None), col(Case.id) > after_id)
            .order_by(col(Case.id))
            .limit(RECOMPUTE_CHUNK)
        ).all()
    )


def _chunks(session: Session) -> Iterator[list[Any]]:
    after_id = 0
    while rows := _open_steps(session, after_id):
        yield rows
        after_id = rows[-1].id


def recompute_open_deadlines(session: Session, settings: Settings, now: datetime) -> int:
    """Recompute every running deadline against the current calendar and limits (after a
    calendar change); returns how many changed. Runs in the caller's transaction.

    A warning or breach already recorded stays recorded once: where the moved instant is still
    past (``now``), it is marked as fired for the new instant too, so the timers do not record it
    again; where it moved into the future, it will fire anew when reached.
    """
    planner = DeadlinePlanner(session, settings)
    changed = 0
    table = Case.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(
            due_at=bindparam("new_due"),
            warn_at=bindparam("new_warn"),
            deadline_provisional=bindparam("new_provisional"),
            warning_fired_for=bindparam("new_warning_fired"),
            breach_fired_for=bindparam("new_breach_fired"),
        )
    )
    for rows in _chunks(session):
        updates = []
        for row in rows:
            deadline = planner.deadline(
                row.category_id, Priority(row.priority), DeadlineStep(row.step), row.step_started_at
            )
            if (deadline.due_at, deadline.warn_at, deadline.provisional) == (
                row.due_at,
                row.warn_at,
                row.deadline_provisional,
            ):
                continue
            # the timers mark a firing with the due instant it fired for
            warned = row.warning_fired_for is not None and row.warning_fired_for == row.due_at
            breached = row.breach_fired_for is not None and row.breach_fired_for == row.due_at
            updates.append(
                {
                    "case_id": row.id,
                    "new_due": deadline.due_at,
                    "new_warn": deadline.warn_at,
                    "new_provisional": deadline.provisional,
                    "new_warning_fired": deadline.due_at
                    if warned and deadline.warn_at <= now
                    else None,
                    "new_breach_fired": deadline.due_at
                    if breached and deadline.due_at <= now
                    else None,
                }
            )
        if updates:
            session.connection().execute(statement, updates)
            changed += len(updates)
    return changed


def start_missing_steps(session: Session, settings: Settings) -> int:
    """Give open cases without a running step the one their state calls for, started when they
    entered that state (cases made before deadlines existed, and generated demo histories).
    Handling runs from the latest dispatch. Returns how many cases were given a step."""
    planner = DeadlinePlanner(session, settings)
    entered = (
        select(func.max(col(CaseEvent.at)))
        .where(
            col(CaseEvent.case_id) == col(Case.id),
            col(CaseEvent.to_state) == col(Case.state),
        )
        .scalar_subquery()
    )
    dispatched = (
        select(func.max(col(CaseEvent.at)))
        .where(
            col(CaseEvent.case_id) == col(Case.id),
            col(CaseEvent.action).in_([Action.dispatch.value, Action.redispatch.value]),
        )
        .scalar_subquery()
    )
    stateful = [state.value for state in CaseState if running_step(state) is not None]
    rows = session.execute(
        select(
            col(Case.id),
            col(Case.category_id),
            col(Case.priority),
            col(Case.state),
            col(Case.reported_at),
            entered.label("entered_at"),
            dispatched.label("dispatched_at"),
        ).where(and_(col(Case.step).is_(None), col(Case.state).in_(stateful)))
    ).all()
    table = Case.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(
            step=bindparam("new_step"),
            step_started_at=bindparam("new_started"),
            due_at=bindparam("new_due"),
            warn_at=bindparam("new_warn"),
            deadline_provisional=bindparam("new_provisional"),
        )
    )
    updates = []
    for row in rows:
        state = CaseState(row.state)
        step = running_step(state)
        started = row.entered_at or row.reported_at
        if step is DeadlineStep.handle and row.dispatched_at is not None:
            started = row.dispatched_at
        columns = planner.columns(row.category_id, Priority(row.priority), step, started)
        updates.append(
            {
                "case_id": row.id,
                "new_step": columns["step"],
                "new_started": columns["step_started_at"],
                "new_due": columns["due_at"],
                "new_warn": columns["warn_at"],
                "new_provisional": columns["deadline_provisional"],
            }
        )
    if updates:
        session.connection().execute(statement, updates)
    return len(updates)
