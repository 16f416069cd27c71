"""The deadline timers' effect: warnings, breaches and the overdue ladder, each written once.

:class:`DeadlineWatch` is what a timer calls. ``next_instant`` answers from the timer indexes when
the next unfired instant falls; ``fire_due`` writes everything due up to ``now`` in bounded
batches. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (rows another process is
firing are left to it: no deadlock between two batches taken in different orders; SQLite
serialises writers with ``BEGIN IMMEDIATE``). Each firing is a compare-and-set ``UPDATE … RETURNING`` on the case row (the due
instant it fired for, the ladder rung), so two consoles and the headless scheduler firing the same
breach write one event: the rows the UPDATE returned are exactly the ones this transaction owns.
Events carry the *true* instant (the warning or due instant, the ladder instant), not the time
the timer ran, so after downtime missed firings are recorded once, where they belong.

The system writes these events: no operator, no role check (no role may choose these actions,
see :data:`gridconsole.domain.lifecycle.SYSTEM_ACTIONS`). They do not bump the case ``version``:
a timer must never make an operator's open form stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain import lifecycle
from gridconsole.domain.enums import (
    Action,
    CaseState,
    DeadlineStep,
    EscalationKind,
    EscalationSource,
    Role,
    Severity,
    TimeUnit,
)
from gridconsole.domain.work_calendar import WorkCalendar
from gridconsole.i18n import t
from gridconsole.services.audit import audit_timer_events, record_audit_as
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadline_records import FiredDeadlines, Firing
from gridconsole.services.deadlines import work_calendar
from gridconsole.services.escalation_watch import (
    fire_report_misses,
    fire_report_warnings,
    next_window_statement,
)
from gridconsole.services.escalations import open_escalation, open_escalation_id
from gridconsole.services.records import Actor
from gridconsole.store.engine import Database
from gridconsole.store.event_departments import fill_judged_departments
from gridconsole.store.models import Case, CaseEvent

# rows compare-and-set per kind and transaction: a burst of due deadlines is written in bounded
# transactions, so a console's other writers wait at most one batch
FIRE_BATCH = 500
# A console's breach feed reads this many event ids below its last token: on PostgreSQL a
# transaction holds its ids from insert to commit, and the events other consoles insert
# meanwhile are far fewer. At most BREACH_FEED_LIMIT of them, the newest.
BREACH_LOOK_BACK = 1_000
BREACH_FEED_LIMIT = 200
# the ladder after the breach: rung 1 urged (at the breach), 2 supervision prompted, 3 reported
RUNG_URGED, RUNG_PROMPTED, RUNG_REPORTED = 1, 2, 3

_URGEABLE = [state.value for state in CaseState if lifecycle.can(Action.urge, state)]


@dataclass
class _Collected:
    warned: list[Firing] = field(default_factory=list)
    breached: list[Firing] = field(default_factory=list)
    urged: list[Firing] = field(default_factory=list)
    prompted: list[Firing] = field(default_factory=list)
    reported: list[Firing] = field(default_factory=list)
    report_due: list[Firing] = field(default_factory=list)
    report_missed: list[Firing] = field(default_factory=list)

    def frozen(self) -> FiredDeadlines:
        def ordered(items: list[Firing]) -> tuple[Firing, ...]:
            return tuple(sorted(items, key=lambda item: (item.at, item.case_id)))

        return FiredDeadlines(
            ordered(self.warned),
            ordered(self.breached),
            ordered(self.urged),
            ordered(self.prompted),
            ordered(self.reported),
            ordered(self.report_due),
            ordered(self.report_missed),
        )


_c = Case.__table__.c  # type: ignore[attr-defined]
_events = CaseEvent.__table__  # type: ignore[attr-defined]


def _warning_unfired() -> Any:
    return or_(_c.warning_fired_for.is_(None), _c.warning_fired_for != _c.due_at)


def _breach_unfired() -> Any:
    return or_(_c.breach_fired_for.is_(None), _c.breach_fired_for != _c.due_at)


def _step(value: str | None) -> DeadlineStep | None:
    return DeadlineStep(value) if value is not None else None


class DeadlineWatch:
    def __init__(self, context: ServiceContext, *, batch: int = FIRE_BATCH) -> None:
        self.context = context
        self.batch = batch

    @classmethod
    def headless(
        cls, db: Database, clock: Clock, settings: Settings, *, batch: int = FIRE_BATCH
    ) -> DeadlineWatch:
        """The watch of the headless scheduler: it acts as the system (its service account
        need not be an operator; the firings carry no operator anyway)."""
        system = Actor(id=0, username="system", display_name=t("entity.system"), role=Role.auditor)
        return cls(ServiceContext(db=db, clock=clock, settings=settings, actor=system), batch=batch)

    # -- when -----------------------------------------------------------------------------------

    def next_instant(self, after: datetime) -> datetime | None:
        """The earliest warning, due or ladder instant later than ``after`` not yet fired.

        One statement of three index seeks (``ix_cases_warn_timer``, ``ix_cases_due_timer``,
        ``ix_cases_ladder_next_at``), each answered from its index alone.
        """
        with self.context.db.read() as session:
            row = session.execute(next_instant_statement(after)).one()
            windows = session.execute(next_window_statement(after)).one()
        found = [instant for instant in (*row, *windows) if instant is not None]
        return min(found) if found else None

    # -- firing ---------------------------------------------------------------------------------

    def fire_due(self, now: datetime | None = None) -> FiredDeadlines:
        """Write every warning, breach and ladder rung due at or before ``now`` (default: the
        clock) that no process has written yet; one bounded transaction per batch."""
        now = now or self.context.now()
        collected = _Collected()
        while True:
            with self.context.db.write() as session:
                calendar = work_calendar(session, self.context.settings)
                warned = self._fire_warnings(session, now, collected)
                breached = self._fire_breaches(session, now, calendar, collected)
                laddered = self._fire_ladder(session, now, calendar, collected)
                report_due = fire_report_warnings(session, now, self.batch)
                report_missed = fire_report_misses(session, now, self.batch)
            collected.report_due.extend(report_due)
            collected.report_missed.extend(report_missed)
            # a rung climbed may have made the next one due (downtime): go round until quiet
            if (
                max(warned, breached, len(report_due), len(report_missed)) < self.batch
                and laddered == 0
            ):
                return collected.frozen()

    def _fire_warnings(self, session: Session, now: datetime, out: _Collected) -> int:
        due = (
            select(_c.id)
            .where(_c.warn_at <= now, _warning_unfired())
            .order_by(_c.warn_at)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        rows = session.execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(_c.id.in_(due.scalar_subquery()), _c.warn_at <= now, _warning_unfired())
            .values(warning_fired_for=_c.due_at)
            .returning(_c.id, _c.code, _c.step, _c.state, _c.warn_at, _c.due_at)
        ).all()
        events = []
        for row in rows:
            firing = Firing(row.id, row.code, _step(row.step), row.warn_at)
            out.warned.append(firing)
            events.append(
                self._event(row, Action.deadline_warning, row.warn_at, {"due_at": row.due_at})
            )
        self._insert_events(session, events)
        return len(rows)

    def _fire_breaches(
        self, session: Session, now: datetime, calendar: WorkCalendar, out: _Collected
    ) -> int:
        due = (
            select(_c.id)
            .where(_c.due_at <= now, _breach_unfired())
            .order_by(_c.due_at)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        urgeable = _c.state.in_(_URGEABLE)
        rows = session.execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(_c.id.in_(due.scalar_subquery()), _c.due_at <= now, _breach_unfired())
            .values(
                breach_fired_for=_c.due_at,
                ladder_rung=RUNG_URGED,
                urge_count=case((urgeable, _c.urge_count + 1), else_=_c.urge_count),
            )
            .returning(_c.id, _c.code, _c.step, _c.state, _c.due_at, _c.urge_count)
        ).all()
        events: list[dict[str, Any]] = []
        next_rungs: list[tuple[int, datetime]] = []
        for row in rows:
            firing = Firing(row.id, row.code, _step(row.step), row.due_at)
            out.breached.append(firing)
            events.append(self._event(row, Action.deadline_breach, row.due_at, {}))
            if row.state in _URGEABLE:
                out.urged.append(firing)
                detail = {"automatic": True, "urge_count": row.urge_count}
                events.append(self._event(row, Action.urge, row.due_at, detail))
            next_rungs.append((row.id, self._rung_instant(calendar, row.due_at, RUNG_PROMPTED)))
        self._insert_events(session, events)
        self._set_ladder_next(session, next_rungs)
        return len(rows)

    def _fire_ladder(
        self, session: Session, now: datetime, calendar: WorkCalendar, out: _Collected
    ) -> int:
        # a ladder whose deadline is no longer running (the step moved on, the case closed, the
        # deadline was recomputed) stops climbing
        stale = (
            select(_c.id)
            .where(_c.ladder_next_at <= now)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        session.execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(
                _c.id.in_(stale),
                _c.ladder_next_at <= now,
                or_(
                    _c.due_at.is_(None),
                    _c.breach_fired_for.is_(None),
                    _c.breach_fired_for != _c.due_at,
                    _c.ladder_rung.not_in([RUNG_URGED, RUNG_PROMPTED]),
                ),
            )
            .values(ladder_next_at=None)
        )
        due = (
            select(_c.id)
            .where(_c.ladder_next_at <= now)
            .order_by(_c.ladder_next_at)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        rows = session.execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(
                _c.id.in_(due.scalar_subquery()),
                _c.ladder_next_at <= now,
                _c.ladder_rung.in_([RUNG_URGED, RUNG_PROMPTED]),
                _c.breach_fired_for == _c.due_at,
            )
            .values(ladder_rung=_c.ladder_rung + 1)
            .returning(
                _c.id, _c.code, _c.step, _c.state, _c.due_at, _c.ladder_rung, _c.ladder_next_at
            )
        ).all()
        events: list[dict[str, Any]] = []
        next_rungs: list[tuple[int, datetime | None]] = []
        for row in rows:
            firing = Firing(row.id, row.code, _step(row.step), row.ladder_next_at)
            detail = {"due_at": row.due_at}
            if row.ladder_rung == RUNG_PROMPTED:
                out.prompted.append(firing)
                events.append(self._event(row, Action.supervise_due, row.ladder_next_at, detail))
                next_rungs.append((row.id, self._rung_instant(calendar, row.due_at, RUNG_REPORTED)))
            else:
                out.reported.append(firing)
                events.append(self._event(row, Action.report_district, row.ladder_next_at, detail))
                self._escalate(session, row)
                next_rungs.append((row.id, None))
        self._insert_events(session, events)
        self._set_ladder_next(session, next_rungs)
        return len(rows)

    # -- helpers --------------------------------------------------------------------------------

    def _rung_instant(self, calendar: WorkCalendar, due_at: datetime, rung: int) -> datetime:
        deadlines = self.context.settings.deadlines
        setting = deadlines.supervise_after if rung == RUNG_PROMPTED else deadlines.report_after
        return calendar.add(due_at, setting.amount, TimeUnit(setting.unit)).due

    def _escalate(self, session: Session, row: Row[Any]) -> None:
        """通报: the case goes on the escalation board (待确认, with its alert), unless it is
        already on it."""
        if open_escalation_id(session, row.id) is not None:
            return
        open_escalation(
            session,
            self.context.settings,
            case=session.get_one(Case, row.id),
            kind=EscalationKind.other_major,
            severity=Severity.general,
            reason=t(
                "deadline_watch.report_reason",
                amount=self.context.settings.deadlines.report_after.amount,
                due=self.context.local_text(row.due_at),
            ),
            source=EscalationSource.overdue,
            at=row.ladder_next_at,
            operator_id=None,
        )
        record_audit_as(
            session,
            "system",
            row.ladder_next_at,
            "timer.escalate",
            case_id=row.id,
            subject=f"case:{row.code}",
            detail={"source": EscalationSource.overdue.value},
        )

    @staticmethod
    def _set_ladder_next(
        session: Session, next_rungs: Sequence[tuple[int, datetime | None]]
    ) -> None:
        if not next_rungs:
            return
        session.connection().execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(_c.id == bindparam("case_id"))
            .values(ladder_next_at=bindparam("next_at")),
            [{"case_id": case_id, "next_at": next_at} for case_id, next_at in next_rungs],
        )

    @staticmethod
    def _event(
        row: Row[Any], action: Action, at: datetime, detail: dict[str, Any]
    ) -> dict[str, Any]:
        plain = {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in detail.items()
        }
        if row.step is not None:
            plain["step"] = row.step
        return {
            "case_id": row.id,
            "at": at,
            "operator_id": None,
            "action": action,
            "from_state": row.state,
            "to_state": None,
            "reason": "",
            "on_behalf": False,
            "detail": plain,
        }

    @staticmethod
    def _insert_events(session: Session, events: list[dict[str, Any]]) -> None:
        if events:
            fill_judged_departments(session.connection(), events)
            session.connection().execute(insert(_events), events)
            audit_timer_events(session, events)

    # -- what other consoles fired ----------------------------------------------------------------

    def breaches_after(
        self, event_id: int, *, limit: int = BREACH_FEED_LIMIT, up_to: int | None = None
    ) -> tuple[Firing, ...]:
        """Breach events a console that last read ``event_id`` (a change token) may not have
        seen, oldest first: those above the token, and those up to ``BREACH_LOOK_BACK`` ids
        below it; the newest ``limit``. How a console learns of breaches another process
        fired.

        PostgreSQL hands out event ids at insert, not at commit: a breach fired in a
        transaction that committed after a later one's token was read sits under that token.
        The console remembers what it announced (by case and instant) and skips it; on its
        first read it learns what was there (``up_to`` its first token) without announcing."""
        conditions = [
            col(CaseEvent.id) > event_id - BREACH_LOOK_BACK,
            col(CaseEvent.action) == Action.deadline_breach.value,
        ]
        if up_to is not None:
            conditions.append(col(CaseEvent.id) <= up_to)
        with self.context.db.read() as session:
            rows = session.execute(
                select(
                    col(CaseEvent.case_id), col(Case.code), col(CaseEvent.detail), col(CaseEvent.at)
                )
                .join(Case, col(Case.id) == col(CaseEvent.case_id))
                .where(*conditions)
                .order_by(col(CaseEvent.id).desc())
                .limit(limit)
            ).all()
        return tuple(
            Firing(case_id, code, _step((detail or {}).get("step")), at)
            for case_id, code, detail, at in reversed(rows)
        )


def next_instant_statement(after: datetime) -> Any:
    """The three earliest unfired instants after ``after`` (warning, due, ladder), as one row."""
    warning = (
        select(_c.warn_at)
        .where(_c.warn_at > after, _warning_unfired())
        .order_by(_c.warn_at)
        .limit(1)
        .scalar_subquery()
    )
    due = (
        select(_c.due_at)
        .where(_c.due_at > after, _breach_unfired())
        .order_by(_c.due_at)
        .limit(1)
        .scalar_subquery()
    )
    ladder = (
        select(_c.ladder_next_at)
        .where(_c.ladder_next_at > after)
        .order_by(_c.ladder_next_at)
        .limit(1)
        .scalar_subquery()
    )
    return select(warning.label("warn_at"), due.label("due_at"), ladder.label("ladder_at"))


__all__ = ["DeadlineWatch", "FiredDeadlines", "Firing", "next_instant_statement"]
