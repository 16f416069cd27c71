"""Performance evaluation (绩效考评, Art. 5 and 35): the measures of departments, communities,
grids, categories and grid workers over a period, a configurable score that ranks them, the
daily trend and the cases behind any figure.

Every figure is a ``GROUP BY`` aggregate in the database (:mod:`store.statistics_queries`): a
table costs a fixed handful of queries whatever the number of cases, and Python only merges a
few dozen result rows by key. The formulas are documented in the README ("Performance
evaluation") and in the statistics pane's help (i18n ``statistics.help``).

Periods are the centre's local days; a period's instants are [first day 00:00, day after the
last 00:00) in the centre's zone. Handling times are working seconds written when a department
feeds back (:mod:`services.scoring_clocks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from gridconsole.config import StatisticsSettings
from gridconsole.domain import permissions
from gridconsole.domain.enums import Action, CaseState, Satisfaction
from gridconsole.domain.periods import Period, PeriodKind, custom, named
from gridconsole.domain.periods import month as month_period
from gridconsole.domain.privacy import mask_phone
from gridconsole.services.context import ServiceContext
from gridconsole.services.statistics_records import (
    Dimension,
    DrillPage,
    DrillRow,
    EscalationListRow,
    Measure,
    Measures,
    OverdueListRow,
    StatisticsRow,
    StatisticsTable,
    TrendDay,
    WorkerRow,
)
from gridconsole.store import statistics_queries as q

DRILL_LIMIT = 200
OVERDUE_LIST_LIMIT = 10_000

__all__ = ["DRILL_LIMIT", "TABLE_CACHE", "StatisticsService", "score"]


def score(measures: Measures, settings: StatisticsSettings) -> float | None:
    """The weighted mean of the rates the row has, ×100 (None: no rate to judge).

    on_time = 按期办结率; sign_on_time = 按时签收率; satisfaction = (满意 + credit × 基本满意) /
    回访; no_return = 1 − 退单 / 接收; no_rework = 1 − 返工 / 办结 (both floored at 0).
    """
    weights = settings.weights
    satisfaction = (
        (measures.satisfied + settings.basically_satisfied_credit * measures.basically)
        / measures.follow_ups
        if measures.follow_ups
        else None
    )
    rates: list[tuple[float, float | None]] = [
        (weights.on_time, measures.on_time_rate),
        (weights.sign_on_time, measures.sign_on_time_rate),
        (weights.satisfaction, satisfaction),
        (
            weights.no_return,
            None if measures.return_rate is None else max(0.0, 1 - measures.return_rate),
        ),
        (
            weights.no_rework,
            None if measures.rework_rate is None else max(0.0, 1 - measures.rework_rate),
        ),
    ]
    judged = [(weight, rate) for weight, rate in rates if rate is not None and weight > 0]
    total_weight = sum(weight for weight, _rate in judged)
    if not total_weight:
        return None
    return round(100 * sum(weight * rate for weight, rate in judged) / total_weight, 1)


# How long one console trusts a table it has read. A month's ranking barely moves in minutes,
# while a table costs ~0.5 s at 100,000 cases and several seconds at a million (bench/): the
# pane switching back to a dimension, or exporting what it shows, reads it once. F5 reads anew.
TABLE_CACHE = timedelta(minutes=5)


class StatisticsService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        # (dimension, first day, last day) -> the table read (with its read_at): this console's
        self._tables: dict[tuple[Dimension, date, date], StatisticsTable] = {}
        # (first day, last day) -> the centre's handling-time median and P90, and when they were
        # read: every dimension's totals carry them, so the report's three tables read them once
        self._centre: dict[tuple[date, date], tuple[datetime, int | None, int | None]] = {}

    def _require_reader(self) -> None:
        actor = self.context.actor
        permissions.require_statistics_reader(actor.role, operator=actor.display_name)

    # -- periods ---------------------------------------------------------------------------

    def today(self) -> date:
        return self.context.local(self.context.now()).date()

    def named_period(self, kind: PeriodKind) -> Period:
        return named(kind, self.today())

    def month(self, text: str) -> Period:
        return month_period(text)

    def custom_period(self, first: date, last: date) -> Period:
        return custom(first, last)

    def _bounds(self, period: Period) -> tuple[datetime, datetime]:
        zone = self.context.settings.centre.zone
        return period.start(zone), period.end(zone)

    # -- tables ----------------------------------------------------------------------------

    def table(
        self, dimension: Dimension, period: Period, *, fresh: bool = False
    ) -> StatisticsTable:
        """Every department / community / grid / category with its measures and score, best
        score first (ties by code); the centre's totals over the same facts. A table read less
        than :data:`TABLE_CACHE` ago is returned as it was, unless ``fresh``."""
        self._require_reader()
        now = self.context.now()
        cache_key = (dimension, period.first, period.last)
        cached = self._tables.get(cache_key)
        if not fresh and cached is not None and timedelta(0) <= now - cached.read_at < TABLE_CACHE:
            return cached
        table = self._read_table(dimension, period, now, fresh=fresh)
        self._tables[cache_key] = table
        return table

    def _centre_percentiles(
        self, session: Session, period: Period, now: datetime, *, fresh: bool
    ) -> tuple[int | None, int | None]:
        """The centre's handling-time median and P90 over the period, read again when older
        than :data:`TABLE_CACHE` or ``fresh``."""
        key = (period.first, period.last)
        cached = self._centre.get(key)
        if not fresh and cached is not None and timedelta(0) <= now - cached[0] < TABLE_CACHE:
            return cached[1], cached[2]
        start, end = self._bounds(period)
        centre = session.execute(q.percentile_statement("total", start, end)).one_or_none()
        median = int(centre.median) if centre and centre.median is not None else None
        p90 = int(centre.p90) if centre and centre.p90 is not None else None
        self._centre[key] = (now, median, p90)
        return median, p90

    def _read_table(
        self, dimension: Dimension, period: Period, now: datetime, *, fresh: bool
    ) -> StatisticsTable:
        start, end = self._bounds(period)
        settings = self.context.settings.statistics
        with self.context.db.read(scan=True) as session:
            by_key = _measures(session, _name(dimension), dimension, start, end, now)
            # every fact has one key (or none, a group of its own: a case without a community,
            # an event on a case no department led): the totals are the sums over every key,
            # with the centre's percentiles
            totals = _summed(
                by_key.values(), self._centre_percentiles(session, period, now, fresh=fresh)
            )
            names = {
                row.id: (row.code, row.name)
                for row in session.execute(q.names_statement(_name(dimension)))
            }
        keys: list[int | None] = list(names)
        if dimension is not Dimension.department and None in by_key:
            keys.append(None)  # cases without a community / grid
        rows = [
            StatisticsRow(
                key=key,
                code=names[key][0] if key is not None else "",
                name=names[key][1] if key is not None else "",
                measures=by_key.get(key, Measures()),
                score=score(by_key.get(key, Measures()), settings),
                rank=None,
            )
            for key in keys
        ]
        rows.sort(key=lambda row: (row.score is None, -(row.score or 0), row.code))
        ranked = tuple(
            StatisticsRow(row.key, row.code, row.name, row.measures, row.score, index)
            if row.score is not None
            else row
            for index, row in enumerate(rows, start=1)
        )
        return StatisticsTable(
            dimension=dimension,
            period=period,
            rows=ranked,
            totals=totals,
            total_score=score(totals, settings),
            read_at=now,
        )

    def trend(
        self,
        period: Period,
        dimension: Dimension = Dimension.department,
        key: int | None = None,
        *,
        whole_centre: bool = True,
    ) -> tuple[TrendDay, ...]:
        """Per local day of the period: received (cases reported; a department's: its lead
        dispatches made), completed (lead dispatches fed back) and overdue (scored deadlines
        missed, on the day they fell). The centre's, or one row's (``whole_centre`` False)."""
        self._require_reader()
        now = self.context.now()
        start, end = self._bounds(period)
        stop = min(end, now)
        zone = self.context.settings.centre.zone
        offset = start.utcoffset()
        offset_minutes = int(offset.total_seconds() // 60) if offset else 0
        name = _name(None if whole_centre else dimension)
        by_dispatch = not whole_centre and dimension is Dimension.department
        received = (
            q.dispatched_facts(name, start, end, now)
            if by_dispatch
            else q.reported_facts(name, start, end)
        )
        completed = q.completed_facts(name, start, end)
        due = q.due_facts(name, start, stop) if stop > start else None
        if not whole_centre:
            received, completed = q.keyed(received, key), q.keyed(completed, key)
            due = q.keyed(due, key) if due is not None else None
        with self.context.db.read(scan=True) as session:
            dialect = session.get_bind().dialect.name

            def day(column: Any) -> Any:
                return q.local_day(column, dialect, str(zone), offset_minutes)

            counts = {
                "received": _daily(session, q.daily_statement(received, day)),
                "completed": _daily(session, q.daily_statement(completed, day)),
                "overdue": _daily(session, q.daily_statement(due, day, "missed"))
                if due is not None
                else {},
            }
        return tuple(
            TrendDay(
                day=when,
                received=counts["received"].get(when, 0),
                completed=counts["completed"].get(when, 0),
                overdue=counts["overdue"].get(when, 0),
            )
            for when in period.dates()
        )

    def workers(self, period: Period) -> tuple[WorkerRow, ...]:
        """Every grid worker with any figure in the period: cases reported (source 网格员上报,
        matched by their mobile), of those resolved in the grid, verifications of cases in
        their grids and those made by the verification deadline."""
        self._require_reader()
        start, end = self._bounds(period)
        with self.context.db.read(scan=True) as session:
            reports = {
                row.reporter_phone: (int(row.reported), int(row.resolved or 0))
                for row in session.execute(q.worker_reports_statement(start, end))
            }
            checks = {
                row.worker_id: (int(row.verifications), int(row.on_time or 0))
                for row in session.execute(q.worker_verifications_statement(start, end))
            }
            workers: dict[int, tuple[str, str, list[str]]] = {}
            for row in session.execute(q.workers_statement()):
                entry = workers.setdefault(row.id, (row.name, row.mobile, []))
                if row.code:
                    entry[2].append(row.code)
        found: list[WorkerRow] = []
        for worker_id, (name, mobile, grids) in workers.items():
            reported, resolved = reports.get(mobile, (0, 0)) if mobile else (0, 0)
            verifications, on_time = checks.get(worker_id, (0, 0))
            if reported or verifications:
                found.append(
                    WorkerRow(
                        worker_id, name, " ".join(grids), reported, resolved, verifications, on_time
                    )
                )
        return tuple(found)

    # -- drill-down ------------------------------------------------------------------------

    def drill(
        self,
        period: Period,
        dimension: Dimension | None,
        key: int | None,
        measure: Measure,
        *,
        limit: int = DRILL_LIMIT,
    ) -> DrillPage:
        """The cases behind one figure of a table (``dimension`` None: the centre's totals),
        newest fact first, at most ``limit``, with how many there are in all."""
        self._require_reader()
        now = self.context.now()
        start, end = self._bounds(period)
        name = _name(dimension)
        received_from_dispatches = dimension is Dimension.department
        facts, flag = _fact_set(
            name, measure, start, end, now, received_from_dispatches=received_from_dispatches
        )
        rows_statement, total_statement = q.drill_statement(
            facts, 0 if dimension is None else key, flag, limit
        )
        with self.context.db.read(scan=True) as session:
            total = int(session.execute(total_statement).scalar_one())
            rows = tuple(
                DrillRow(
                    code=row.code,
                    title=row.title,
                    state=CaseState(row.state),
                    category_name=row.category_name,
                    community_name=row.community_name or "",
                    at=row.at,
                )
                for row in session.execute(rows_statement)
            )
        return DrillPage(rows=rows, total=total)

    def export(self, period: Period, path: Path) -> tuple[Path, ...]:
        """The monthly report of ``period`` written to ``path`` (its suffix says the format:
        .xlsx, .csv per sheet, .json); returns the files written."""
        self._require_reader()
        from gridconsole.services.statistics_report import ReportFormat, build_report, write_report

        report = build_report(self.context, self, period)
        return write_report(report, path, ReportFormat.of(path), self.context)

    # -- the report's lists ----------------------------------------------------------------

    def overdue_list(
        self, period: Period, *, limit: int = OVERDUE_LIST_LIMIT
    ) -> tuple[OverdueListRow, ...]:
        """The scored deadlines of the period that were missed, oldest first (phones masked)."""
        self._require_reader()
        now = self.context.now()
        start, end = self._bounds(period)
        stop = min(end, now)
        if stop <= start:
            return ()
        with self.context.db.read(scan=True) as session:
            return tuple(
                OverdueListRow(
                    code=row.code,
                    title=row.title,
                    category_name=row.category_name,
                    community_name=row.community_name or "",
                    department_name=row.department_name,
                    dispatched_at=row.dispatched_at,
                    scored_due_at=row.scored_due_at,
                    feedback_at=row.feedback_at,
                    reporter_phone=mask_phone(row.reporter_phone),
                )
                for row in session.execute(q.overdue_list_statement(start, stop, limit))
            )

    def escalations(self, period: Period) -> tuple[EscalationListRow, ...]:
        """The escalations raised in the period, with their reports made and late."""
        self._require_reader()
        start, end = self._bounds(period)
        with self.context.db.read() as session:
            return tuple(
                EscalationListRow(
                    code=row.code,
                    title=row.title,
                    kind=str(row.kind),
                    severity=str(row.severity),
                    stage=str(row.stage),
                    raised_at=row.raised_at,
                    closed_at=row.closed_at,
                    reports=int(row.reports),
                    late_reports=int(row.late_reports),
                )
                for row in session.execute(q.escalations_statement(start, end))
            )


# -- inside a read ---------------------------------------------------------------------------


def _name(dimension: Dimension | None) -> q.DimensionName:
    """The queries' name of a dimension (None: the centre's totals)."""
    names: dict[Dimension | None, q.DimensionName] = {
        None: "total",
        Dimension.department: "department",
        Dimension.community: "community",
        Dimension.grid: "grid",
        Dimension.category: "category",
    }
    return names[dimension]


def _daily(session: Session, statement: Select[Any]) -> dict[date, int]:
    found: dict[date, int] = {}
    for row in session.execute(statement):
        if row.day is None:
            continue
        day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        found[day] = int(row.n or 0)
    return found


def _summed(rows: Iterable[Measures], centre: tuple[int | None, int | None]) -> Measures:
    """The sum of rows' counts, with the centre's handling-time percentiles (median, P90)."""
    counts: dict[str, int] = defaultdict(int)
    for measures in rows:
        for field in fields(Measures):
            value = getattr(measures, field.name)
            if field.name.startswith("handling_") and field.name != "handling_timed":
                continue
            counts[field.name] += int(value or 0)
    median, p90 = centre
    return Measures(**counts, handling_median_s=median, handling_p90_s=p90)


def _fact_set(
    name: q.DimensionName,
    measure: Measure,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    received_from_dispatches: bool,
) -> tuple[Select[Any], str | None]:
    """The facts a measure counts, and the flag that selects them (None: every fact)."""
    stop = max(start, min(end, now))
    if measure is Measure.received:
        if received_from_dispatches:
            return q.dispatched_facts(name, start, end, now), None
        return q.reported_facts(name, start, end), None
    if measure in (Measure.sign_judged, Measure.signed_on_time):
        return q.dispatched_facts(name, start, end, now), measure.value
    if measure is Measure.completed:
        return q.completed_facts(name, start, end), None
    if measure is Measure.completed_on_time:
        return q.completed_facts(name, start, end), "on_time"
    if measure is Measure.missed_unfinished:
        return q.due_facts(name, start, stop), "unfinished"
    if measure is Measure.overdue_ever:
        return q.due_facts(name, start, stop), "missed"
    if measure is Measure.overdue_now:
        return q.overdue_now_facts(name, now), None
    if measure.value in q.SATISFACTION_MEASURES:
        answer = Satisfaction(q.SATISFACTION_MEASURES[measure.value])
        return q.event_facts(name, start, end, (Action.follow_up,), answer), None
    return q.event_facts(name, start, end, q.EVENT_ACTIONS[measure.value]), None


def _measures(
    session: Session,
    name: q.DimensionName,
    dimension: Dimension,
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[int | None, Measures]:
    """Per key: the measures, from seven aggregate queries."""
    stop = min(end, now)
    values: dict[int | None, dict[str, Any]] = defaultdict(dict)

    def merge(rows: Iterable[Any], columns: Mapping[str, str]) -> None:
        for row in rows:
            target = values[row.key]
            for column, field in columns.items():
                value = getattr(row, column)
                target[field] = int(value) if value is not None else None

    merge(
        session.execute(
            q.count_statement(
                q.dispatched_facts(name, start, end, now), "sign_judged", "signed_on_time"
            )
        ),
        {
            "sign_judged": "sign_judged",
            "signed_on_time": "signed_on_time",
            **({"n": "received"} if dimension is Dimension.department else {}),
        },
    )
    if dimension is not Dimension.department:
        merge(
            session.execute(q.count_statement(q.reported_facts(name, start, end))),
            {"n": "received"},
        )
    merge(
        session.execute(q.count_statement(q.completed_facts(name, start, end), "on_time")),
        {"n": "completed", "on_time": "completed_on_time"},
    )
    if stop > start:
        merge(
            session.execute(
                q.count_statement(q.due_facts(name, start, stop), "missed", "unfinished")
            ),
            {"missed": "overdue_ever", "unfinished": "missed_unfinished"},
        )
    merge(
        session.execute(q.count_statement(q.overdue_now_facts(name, now))),
        {"n": "overdue_now"},
    )
    merge(
        session.execute(q.events_statement(name, start, end)),
        {measure: measure for measure in (*q.EVENT_ACTIONS, *q.SATISFACTION_MEASURES)},
    )
    merge(
        session.execute(q.percentile_statement(name, start, end)),
        {"n": "handling_timed", "median": "handling_median_s", "p90": "handling_p90_s"},
    )
    return {
        key: Measures(**{field: value for field, value in fields.items() if value is not None})
        for key, fields in values.items()
    }
