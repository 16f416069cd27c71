"""The statistics queries (绩效考评): every measure is an aggregate in the database.

Each measure is counted over a *fact set*: a statement with one row per fact (a lead dispatch
made, fed back or falling due, an event, a case reported) carrying the key of the row it belongs
to (department, community, grid, category, or one key for the centre's totals), the case, the
instant of the fact and 0/1 flags. The same fact set is aggregated (``GROUP BY key``) for the
tables and filtered for the cases behind a figure (drill-down), so the two never disagree. Each
fact set is anchored on one indexed instant in the period (``ix_dispatches_role_*``,
``ix_cases_reported``, ``ix_case_events_action_at``).

``dimension`` is ``"department"`` (the lead department, 主办: of the dispatch, or for an event the
department it judges, ``case_events.department_id``: the one it names, else the case's latest
lead dispatch made at or before it), ``"community"``, ``"grid"``, ``"category"`` (the case's) or
``"total"`` (one key, 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)

from gridconsole.domain.enums import (
    Action,
    CaseSource,
    CaseState,
    DeadlineStep,
    DispatchRole,
    Satisfaction,
)
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Community,
    Department,
    Dispatch,
    Escalation,
    EscalationReport,
    Grid,
    GridWorker,
    GridWorkerGrid,
)

DimensionName = Literal["department", "community", "grid", "category", "total"]

_c = Case.__table__.c  # type: ignore[attr-defined]
_d = Dispatch.__table__.c  # type: ignore[attr-defined]
_e = CaseEvent.__table__.c  # type: ignore[attr-defined]
_cat = CaseCategory.__table__.c  # type: ignore[attr-defined]
_com = Community.__table__.c  # type: ignore[attr-defined]
_g = Grid.__table__.c  # type: ignore[attr-defined]
_dep = Department.__table__.c  # type: ignore[attr-defined]
_w = GridWorker.__table__.c  # type: ignore[attr-defined]
_wg = GridWorkerGrid.__table__.c  # type: ignore[attr-defined]
_esc = Escalation.__table__.c  # type: ignore[attr-defined]
_rep = EscalationReport.__table__.c  # type: ignore[attr-defined]

LEAD = DispatchRole.lead.value
# the events counted, by measure
EVENT_ACTIONS: dict[str, tuple[Action, ...]] = {
    "returns": (Action.return_,),
    "refused_returns": (Action.refuse_return,),
    "extensions": (Action.approve_extension,),
    "reopenings": (Action.verify_fail, Action.reopen),
    "urges": (Action.urge,),
    "supervisions": (Action.supervise,),
    "follow_ups": (Action.follow_up,),
}
SATISFACTION_MEASURES: dict[str, Satisfaction] = {
    "satisfied": Satisfaction.satisfied,
    "basically": Satisfaction.basically,
    "unsatisfied": Satisfaction.unsatisfied,
}


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _case_key(dimension: DimensionName) -> ColumnElement[Any]:
    columns: dict[str, ColumnElement[Any]] = {
        "community": _c.community_id,
        "grid": _c.grid_id,
        "category": _c.category_id,
    }
    return columns.get(dimension, literal(0))


def _dispatch_key(dimension: DimensionName) -> ColumnElement[Any]:
    return _d.department_id if dimension == "department" else _case_key(dimension)


def _event_department() -> ColumnElement[Any]:
    """The department judged for an event: the one the event names, else the case's latest
    lead dispatch made at or before it (the department whose work it was), written with the
    event (:mod:`store.event_departments`): looking it up per event cost most of a department
    table, and it let SQLite walk the whole (role, dispatched_at) index for some events."""
    department: ColumnElement[Any] = _e.department_id
    return department


# -- fact sets ---------------------------------------------------------------------------------


def _dispatches_for(dimension: DimensionName) -> Any:
    """The dispatches, joined to their case only where the key is the case's."""
    if dimension in ("community", "grid", "category"):
        return Dispatch.__table__.join(Case.__table__, _c.id == _d.case_id)  # type: ignore[attr-defined]
    return Dispatch.__table__  # type: ignore[attr-defined]


def dispatched_facts(
    dimension: DimensionName, start: datetime, end: datetime, now: datetime
) -> Select[Any]:
    """Lead dispatches made in [start, end): received (a department's), whether the sign is
    judged (signed, or its deadline passed by now) and signed by the deadline."""
    return (
        select(
            _dispatch_key(dimension).label("key"),
            _d.case_id.label("case_id"),
            _d.dispatched_at.label("at"),
            _flag(or_(_d.signed_at.is_not(None), _d.sign_due_at <= now)).label("sign_judged"),
            _flag(and_(_d.signed_at.is_not(None), _d.signed_at <= _d.sign_due_at)).label(
                "signed_on_time"
            ),
        )
        .select_from(_dispatches_for(dimension))
        .where(_d.role == LEAD, _d.dispatched_at >= start, _d.dispatched_at < end)
    )


def completed_facts(dimension: DimensionName, start: datetime, end: datetime) -> Select[Any]:
    """Lead dispatches fed back in [start, end): on time when by the scored deadline; the
    handling time in working seconds (None where it was not recorded)."""
    return (
        select(
            _dispatch_key(dimension).label("key"),
            _d.case_id.label("case_id"),
            _d.feedback_at.label("at"),
            _flag(or_(_d.scored_due_at.is_(None), _d.feedback_at <= _d.scored_due_at)).label(
                "on_time"
            ),
            _d.handling_working_s.label("handling_s"),
        )
        .select_from(_dispatches_for(dimension))
        .where(_d.role == LEAD, _d.feedback_at >= start, _d.feedback_at < end)
    )


def due_facts(dimension: DimensionName, start: datetime, stop: datetime) -> Select[Any]:
    """Lead dispatches whose scored deadline fell in [start, stop) (``stop``: the period's end or
    now, whichever is earlier): missed when not fed back by it (nor returned by it); missed and
    still unfinished when neither fed back nor returned at all. A case standing suspended now
    has its deadline moved at resumption: it misses nothing meanwhile."""
    return (
        select(
            _dispatch_key(dimension).label("key"),
            _d.case_id.label("case_id"),
            _d.scored_due_at.label("at"),
            _flag(_missed()).label("missed"),
            _flag(and_(_d.feedback_at.is_(None), _d.returned_at.is_(None))).label("unfinished"),
        )
        .select_from(Dispatch)
        .join(Case, _c.id == _d.case_id)
        .where(*_due_conditions(start, stop))
    )


def _due_conditions(start: datetime, stop: datetime) -> list[ColumnElement[bool]]:
    return [
        _d.role == LEAD,
        _d.scored_due_at >= start,
        _d.scored_due_at < stop,
        or_(_d.feedback_at.is_not(None), _c.state != CaseState.suspended.value),
    ]


def _missed() -> ColumnElement[bool]:
    """Not fed back by the scored deadline, nor returned by it."""
    return and_(
        or_(_d.feedback_at.is_(None), _d.feedback_at > _d.scored_due_at),
        or_(_d.returned_at.is_(None), _d.returned_at > _d.scored_due_at),
    )


def overdue_now_facts(dimension: DimensionName, now: datetime) -> Select[Any]:
    """Cases being handled past their running handling deadline now, by their active lead
    dispatch (the overdue pane's 超期, handling step)."""
    return (
        select(
            _dispatch_key(dimension).label("key"),
            _d.case_id.label("case_id"),
            _c.due_at.label("at"),
        )
        .select_from(Case)
        .join(Dispatch, and_(_d.case_id == _c.id, _d.role == LEAD, _d.active == true()))
        .where(
            _c.due_at <= now,
            _c.step == DeadlineStep.handle.value,
            _d.feedback_at.is_(None),
        )
    )


def event_facts(
    dimension: DimensionName,
    start: datetime,
    end: datetime,
    actions: Sequence[Action],
    satisfaction: Satisfaction | None = None,
) -> Select[Any]:
    """Events of ``actions`` in [start, end) (one follow-up answer, where given)."""
    key = _event_department() if dimension == "department" else _case_key(dimension)
    conditions: list[ColumnElement[bool]] = [
        _e.action.in_([action.value for action in actions]),
        _e.at >= start,
        _e.at < end,
    ]
    if satisfaction is not None:
        conditions.append(_e.detail["satisfaction"].as_string() == satisfaction.value)
    return (
        select(key.label("key"), _e.case_id.label("case_id"), _e.at.label("at"))
        .select_from(CaseEvent)
        .join(Case, _c.id == _e.case_id)
        .where(*conditions)
    )


def reported_facts(dimension: DimensionName, start: datetime, end: datetime) -> Select[Any]:
    """Cases reported in [start, end): what a community, grid or category received."""
    return select(
        _case_key(dimension).label("key"), _c.id.label("case_id"), _c.reported_at.label("at")
    ).where(_c.reported_at >= start, _c.reported_at < end)


# -- aggregates -------------------------------------------------------------------------------


def count_statement(facts: Select[Any], *flags: str) -> Select[Any]:
    """Per key: how many facts, and the sum of each flag."""
    listed = facts.subquery()
    return select(
        listed.c.key,
        func.count().label("n"),
        *(func.coalesce(func.sum(listed.c[flag]), 0).label(flag) for flag in flags),
    ).group_by(listed.c.key)


def events_statement(dimension: DimensionName, start: datetime, end: datetime) -> Select[Any]:
    """Per key: the count of each event measure in the period and of each follow-up answer, in
    one pass over the period's events (the case is joined only for a case's key)."""
    wanted = [action.value for actions in EVENT_ACTIONS.values() for action in actions]
    key = _event_department() if dimension == "department" else _case_key(dimension)
    follow_up = _e.action == Action.follow_up.value
    facts = select(
        key.label("key"),
        _e.action.label("action"),
        # only a follow-up's row is read for its answer: a department's other events are
        # counted from the (action, at, department_id) index alone
        case((follow_up, _e.detail["satisfaction"].as_string())).label("answer"),
    ).select_from(CaseEvent)
    if dimension in ("community", "grid", "category"):
        facts = facts.join(Case, _c.id == _e.case_id)
    listed = facts.where(_e.action.in_(wanted), _e.at >= start, _e.at < end).subquery()
    answered = listed.c.action == Action.follow_up.value
    return select(
        listed.c.key,
        *(
            func.coalesce(
                func.sum(_flag(listed.c.action.in_([action.value for action in actions]))), 0
            ).label(name)
            for name, actions in EVENT_ACTIONS.items()
        ),
        *(
            func.coalesce(
                func.sum(_flag(and_(answered, listed.c.answer == answer.value))), 0
            ).label(name)
            for name, answer in SATISFACTION_MEASURES.items()
        ),
    ).group_by(listed.c.key)


def percentile_statement(dimension: DimensionName, start: datetime, end: datetime) -> Select[Any]:
    """Per key: the median and 90th percentile of the handling seconds of the lead dispatches
    fed back in the period, by nearest rank (the value at rank ⌈p·n⌉ in ascending order), and n.
    Window functions: the same on SQLite (≥ 3.25) and PostgreSQL."""
    facts = completed_facts(dimension, start, end).subquery()
    ranked = (
        select(
            facts.c.key,
            facts.c.handling_s,
            func.row_number()
            .over(partition_by=facts.c.key, order_by=facts.c.handling_s)
            .label("position"),
            func.count().over(partition_by=facts.c.key).label("n"),
        )
        .where(facts.c.handling_s.is_not(None))
        .subquery()
    )
    # ⌈n·p⌉ in integers: (n·p·100 + 99) // 100 with p in hundredths
    median_rank = (ranked.c.n * 50 + 99) // 100
    p90_rank = (ranked.c.n * 90 + 99) // 100
    return select(
        ranked.c.key,
        func.max(ranked.c.n).label("n"),
        func.max(case((ranked.c.position == median_rank, ranked.c.handling_s))).label("median"),
        func.max(case((ranked.c.position == p90_rank, ranked.c.handling_s))).label("p90"),
    ).group_by(ranked.c.key)


# -- the trend --------------------------------------------------------------------------------


def local_day(column: ColumnElement[Any], dialect: str, zone: str, offset_minutes: int) -> Any:
    """The centre's local date of an instant: PostgreSQL converts in the zone; SQLite (UTC
    text) shifts by the zone's offset at the period's start (the centre's zone has no DST)."""
    if dialect == "postgresql":
        return func.date(func.timezone(zone, column))
    return func.date(column, f"{offset_minutes:+d} minutes")


def daily_statement(facts: Select[Any], day: Any, flag: str | None = None) -> Select[Any]:
    """Per local day of the facts' instant: how many (or the sum of ``flag``)."""
    listed = facts.subquery()
    bucket = day(listed.c.at).label("day")
    value = func.sum(listed.c[flag]) if flag else func.count()
    return select(bucket, value.label("n")).group_by(bucket)


# -- drill-down -------------------------------------------------------------------------------


def drill_statement(
    facts: Select[Any], key: int | None, flag: str | None, limit: int
) -> tuple[Select[Any], Select[Any]]:
    """The cases behind one figure (newest fact first, one row per fact) and their count."""
    listed = facts.subquery()
    conditions: list[ColumnElement[bool]] = [
        listed.c.key.is_(None) if key is None else listed.c.key == key
    ]
    if flag is not None:
        conditions.append(listed.c[flag] == 1)
    rows = (
        select(
            _c.code,
            _c.title,
            _c.state,
            _cat.name.label("category_name"),
            _com.name.label("community_name"),
            listed.c.at,
        )
        .select_from(listed)
        .join(Case, _c.id == listed.c.case_id)
        .join(CaseCategory, _cat.id == _c.category_id)
        .outerjoin(Community, _com.id == _c.community_id)
        .where(*conditions)
        .order_by(listed.c.at.desc(), _c.id.desc())
        .limit(limit)
    )
    total = select(func.count()).select_from(listed).where(*conditions)
    return rows, total


def keyed(facts: Select[Any], key: int | None) -> Select[Any]:
    """The facts of one key only (a row of a table, for its trend)."""
    listed = facts.subquery()
    return select(listed).where(listed.c.key.is_(None) if key is None else listed.c.key == key)


# -- names ------------------------------------------------------------------------------------


def names_statement(dimension: DimensionName) -> Select[Any]:
    """id, code and name of every department / community / grid / category."""
    table = {
        "department": _dep,
        "community": _com,
        "grid": _g,
        "category": _cat,
    }[dimension]
    return select(table.id, table.code, table.name)


# -- grid workers -----------------------------------------------------------------------------


def worker_reports_statement(start: datetime, end: datetime) -> Select[Any]:
    """Per reporter phone of cases a grid worker reported in the period: how many, and how many
    of them were resolved in the grid (小事不出网格)."""
    resolved = (
        select(func.count())
        .select_from(CaseEvent)
        .where(_e.case_id == _c.id, _e.action == Action.resolve_in_grid.value)
        .correlate(Case)
        .scalar_subquery()
    )
    return (
        select(
            _c.reporter_phone,
            func.count().label("reported"),
            func.sum(case((resolved > 0, 1), else_=0)).label("resolved"),
        )
        .where(
            _c.reported_at >= start,
            _c.reported_at < end,
            _c.source == CaseSource.grid_worker.value,
            _c.reporter_phone != "",
        )
        .group_by(_c.reporter_phone)
    )


def worker_verifications_statement(start: datetime, end: datetime) -> Select[Any]:
    """Per worker covering a grid: the verifications (核查) in the period of cases in it, and
    those made by the verification deadline (recorded on the event)."""
    on_time = _e.detail["on_time"].as_boolean()
    return (
        select(
            _wg.worker_id,
            func.count().label("verifications"),
            func.coalesce(func.sum(_flag(on_time == true())), 0).label("on_time"),
        )
        .select_from(CaseEvent)
        .join(Case, _c.id == _e.case_id)
        .join(GridWorkerGrid, _wg.grid_id == _c.grid_id)
        .where(
            _e.action.in_([Action.verify_pass.value, Action.verify_fail.value]),
            _e.at >= start,
            _e.at < end,
        )
        .group_by(_wg.worker_id)
    )


def workers_statement() -> Select[Any]:
    """Every grid worker: id, name, mobile and the codes of the grids they cover."""
    return (
        select(_w.id, _w.name, _w.mobile, _g.code)
        .select_from(GridWorker)
        .outerjoin(GridWorkerGrid, _wg.worker_id == _w.id)
        .outerjoin(Grid, _g.id == _wg.grid_id)
        .order_by(_w.name_pinyin, _w.id, _g.code)
    )


# -- the report's lists ------------------------------------------------------------------------


def overdue_list_statement(start: datetime, stop: datetime, limit: int) -> Select[Any]:
    """The missed scored deadlines of the period (the report's overdue list), oldest first: the
    ``missed`` facts of :func:`due_facts`."""
    return (
        select(
            _c.code,
            _c.title,
            _cat.name.label("category_name"),
            _com.name.label("community_name"),
            _dep.name.label("department_name"),
            _d.dispatched_at,
            _d.scored_due_at,
            _d.feedback_at,
            _c.reporter_phone,
        )
        .select_from(Dispatch)
        .join(Case, _c.id == _d.case_id)
        .join(CaseCategory, _cat.id == _c.category_id)
        .join(Department, _dep.id == _d.department_id)
        .outerjoin(Community, _com.id == _c.community_id)
        .where(*_due_conditions(start, stop), _missed())
        .order_by(_d.scored_due_at, _d.id)
        .limit(limit)
    )


def escalations_statement(start: datetime, end: datetime) -> Select[Any]:
    """Escalations raised in the period, with how many reports were made and how many late."""
    reports = (
        select(func.count())
        .where(_rep.escalation_id == _esc.id)
        .correlate(Escalation)
        .scalar_subquery()
    )
    late = (
        select(func.count())
        .where(_rep.escalation_id == _esc.id, _rep.late == true())
        .correlate(Escalation)
        .scalar_subquery()
    )
    return (
        select(
            _c.code,
            _c.title,
            _esc.kind,
            _esc.severity,
            _esc.stage,
            _esc.raised_at,
            _esc.closed_at,
            reports.label("reports"),
            late.label("late_reports"),
        )
        .select_from(Escalation)
        .join(Case, _c.id == _esc.case_id)
        .where(_esc.raised_at >= start, _esc.raised_at < end)
        .order_by(_esc.raised_at, _esc.id)
    )


def open311_statement(start: datetime, end: datetime) -> Select[Any]:
    """The cases reported in [start, end) for the Open311 export, oldest first, with their
    category, grid and the department of their latest lead dispatch (active or not)."""
    latest_lead = (
        select(_dep.name)
        .select_from(Dispatch)
        .join(Department, _dep.id == _d.department_id)
        .where(_d.case_id == _c.id, _d.role == LEAD)
        .order_by(_d.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    return (
        select(
            _c.code,
            _c.state,
            _c.description,
            _c.address,
            _c.lat,
            _c.lon,
            _c.reported_at,
            _c.updated_at,
            _c.due_at,
            _cat.code.label("category_code"),
            _cat.name.label("category_name"),
            _g.code.label("grid_code"),
            latest_lead.label("department_name"),
        )
        .select_from(Case)
        .join(CaseCategory, _cat.id == _c.category_id)
        .outerjoin(Grid, _g.id == _c.grid_id)
        .where(_c.reported_at >= start, _c.reported_at < end)
        .order_by(_c.reported_at, _c.id)
    )
