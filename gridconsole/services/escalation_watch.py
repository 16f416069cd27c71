"""The escalation board's timers: a report window about to close, and one missed.

Driven by the same timers as the case deadlines (:class:`DeadlineWatch` calls these in its
batches): each firing is a compare-and-set ``UPDATE … RETURNING`` of the window instant it was
fired for (``due_fired_for`` / ``missed_fired_for`` against ``next_report_at``), so two consoles
and the headless scheduler firing the same window write one alert and one event. A new window
(a report made, the level raised) is a new instant and fires afresh. Events carry the true
instant; a warning whose window has already closed (after downtime) is marked fired silently:
the miss says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from gridconsole.domain.enums import Action, AlertKind, ReportDue
from gridconsole.services.audit import audit_timer_events
from gridconsole.services.deadline_records import Firing
from gridconsole.store.event_departments import fill_judged_departments
from gridconsole.store.models import Case, CaseEvent, Escalation, EscalationAlert

_e = Escalation.__table__.c  # type: ignore[attr-defined]
_c = Case.__table__.c  # type: ignore[attr-defined]
_events = CaseEvent.__table__  # type: ignore[attr-defined]
_alerts = EscalationAlert.__table__  # type: ignore[attr-defined]


def _due_unfired() -> Any:
    return or_(_e.due_fired_for.is_(None), _e.due_fired_for != _e.next_report_at)


def _missed_unfired() -> Any:
    return or_(_e.missed_fired_for.is_(None), _e.missed_fired_for != _e.next_report_at)


def next_window_statement(after: datetime) -> Any:
    """The earliest unfired warning and window instants after ``after``, as one row."""
    warning = (
        select(_e.report_warn_at)
        .where(_e.report_warn_at > after, _due_unfired())
        .order_by(_e.report_warn_at)
        .limit(1)
        .scalar_subquery()
    )
    window = (
        select(_e.next_report_at)
        .where(_e.next_report_at > after, _missed_unfired())
        .order_by(_e.next_report_at)
        .limit(1)
        .scalar_subquery()
    )
    return select(warning.label("report_warn_at"), window.label("next_report_at"))


def fire_report_warnings(session: Session, now: datetime, batch: int) -> list[Firing]:
    """Windows closing within the warning time: one 'report_due' alert and event each."""
    due = (
        select(_e.id)
        .where(_e.report_warn_at <= now, _e.next_report_at.is_not(None), _due_unfired())
        .order_by(_e.report_warn_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(Escalation.__table__)  # type: ignore[attr-defined]
        .where(_e.id.in_(due.scalar_subquery()), _e.report_warn_at <= now, _due_unfired())
        .values(due_fired_for=_e.next_report_at)
        .returning(_e.id, _e.case_id, _e.report_warn_at, _e.next_report_at, _e.next_report_due)
    ).all()
    live = [row for row in rows if row.next_report_at > now]
    return _record(session, live, AlertKind.report_due, Action.report_window_due, "report_warn_at")


def fire_report_misses(session: Session, now: datetime, batch: int) -> list[Firing]:
    """Windows closed without their report: a 'report_missed' alert and event each; the card
    turns red and counts the miss."""
    due = (
        select(_e.id)
        .where(_e.next_report_at <= now, _missed_unfired())
        .order_by(_e.next_report_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(Escalation.__table__)  # type: ignore[attr-defined]
        .where(_e.id.in_(due.scalar_subquery()), _e.next_report_at <= now, _missed_unfired())
        .values(missed_fired_for=_e.next_report_at, missed_count=_e.missed_count + 1)
        .returning(_e.id, _e.case_id, _e.report_warn_at, _e.next_report_at, _e.next_report_due)
    ).all()
    return _record(
        session, rows, AlertKind.report_missed, Action.report_window_missed, "next_report_at"
    )


def _record(
    session: Session, rows: Sequence[Any], kind: AlertKind, action: Action, instant: str
) -> list[Firing]:
    if not rows:
        return []
    codes: dict[int, str] = dict(
        session.execute(
            select(_c.id, _c.code).where(_c.id.in_({row.case_id for row in rows}))
        ).all()
    )
    alerts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    firings: list[Firing] = []
    for row in rows:
        at = getattr(row, instant)
        alerts.append(
            {"escalation_id": row.id, "kind": kind.value, "at": at, "due_at": row.next_report_at}
        )
        events.append(
            {
                "case_id": row.case_id,
                "at": at,
                "operator_id": None,
                "action": action.value,
                "reason": "",
                "on_behalf": False,
                "detail": {
                    "escalation_id": row.id,
                    "due": ReportDue(row.next_report_due).value,
                    "due_at": row.next_report_at.isoformat(),
                },
            }
        )
        firings.append(Firing(row.case_id, codes[row.case_id], None, at))
    session.connection().execute(insert(_alerts), alerts)
    fill_judged_departments(session.connection(), events)
    session.connection().execute(insert(_events), events)
    audit_timer_events(session, events)
    return firings
