"""Performance evaluation (issue 7): every measure against a hand-built history with known
answers, made through the services with a frozen clock, on SQLite and PostgreSQL.

Working time 08:30–12:00, 13:30–17:30 (7.5 h a day); handling 3 working days, signing 1 working
hour (the defaults). The period is December 2026; the statistics are read on 5 January 2027.

| case | department | what happens (local times) |
|---|---|---|
| A | CG | dispatched Tue 1 Dec 09:00, signed 09:30, fed back 2 Dec 09:00 (7.5 h, due 4 Dec), 满意 |
| B | CG | dispatched Wed 2 Dec 09:00, signed 11:00 (late), extension to 10 Dec 17:00 approved; fed back 8 Dec 10:00: late against the original 7 Dec 09:00 (31 h); check fails (返工); redispatched 9 Dec 09:00, signed 09:10, fed back 15:00 (4.5 h), passed, 基本满意 |
| C | SC | dispatched Thu 3 Dec 09:00, never signed, return approved 10:00 |
| D | SC | (长江路社区) dispatched Fri 4 Dec 09:00, return refused 10:00, signed 10:30 (late), fed back 16:00 (5.5 h) |
| E | CG | dispatched Mon 7 Dec 09:00, signed 09:30, suspended 11:00 – Wed 9 Dec 09:00 (13 working hours): due 10 Dec 09:00 moves to 11 Dec 16:00; fed back 11 Dec 15:00, on time (21.5 h); 不满意, reopened 14 Dec |
| F | CG | dispatched Mon 14 Dec 09:00, signed 09:05, due 17 Dec 09:00, never fed back; urged 17 Dec, supervised 18 Dec |
| G | CG | reported and dispatched Thu 26 Nov 09:00 (before the period), urged 30 Nov; due Tue 1 Dec 09:00, fed back 10:00 (late, 23.5 h) |
| H | CG | dispatched Thu 31 Dec 09:00, signed 09:10, fed back Mon 4 Jan 2027 (after the period) |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import ContactChannel, Satisfaction
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.periods import PeriodKind, custom, month
from gridconsole.services.bundle import Services
from gridconsole.services.statistics import score
from gridconsole.services.statistics_records import Dimension, Measure, Measures, StatisticsTable
from gridconsole.store.engine import Database
from tests.conftest import TEMPLATE_DATA
from tests.dispatch_cases import NANJING
from tests.event_departments import judged, misjudged
from tests.factories import T0, build_reference_database, new_case_fields, services_for

DECEMBER = month("2026-12")
HOUR = 3600


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


@dataclass
class History:
    disp: Services
    lead: Services
    clock: FrozenClock
    codes: dict[str, str]


class Steps:
    """The services' operations at given local instants, each sending the version it saw."""

    def __init__(self, disp: Services, lead: Services, clock: FrozenClock) -> None:
        self.disp, self.lead, self.clock = disp, lead, clock

    def at(self, *when: int) -> None:
        self.clock.set(local(*when))

    def version(self, code: str) -> int:
        return self.disp.queue.detail(code).version

    def new(self, day: tuple[int, int, int], **fields: object) -> str:
        """Reported at 08:50, accepted at 08:55 and dispatched at 09:00 on ``day``."""
        self.at(*day, 8, 50)
        code = self.disp.cases.report(new_case_fields(**fields)).code
        self.at(*day, 8, 55)
        self.disp.cases.accept(code, self.version(code))
        return code

    def dispatch(self, code: str, lead: str, *when: int) -> None:
        self.at(*when)
        self.disp.dispatch.dispatch(code, self.version(code), lead=lead)

    def sign(self, code: str, *when: int) -> None:
        self.at(*when)
        self.disp.desk.sign(code, self.version(code))

    def feedback(self, code: str, *when: int) -> None:
        self.at(*when)
        self.disp.desk.feedback(code, self.version(code), text="已处理")

    def verify(self, code: str, passed: bool, *when: int) -> None:
        self.at(*when)
        self.disp.closure.verify(code, self.version(code), passed=passed, note="网格员核查")

    def follow_up(self, code: str, answer: Satisfaction, *when: int) -> None:
        self.at(*when)
        self.disp.closure.follow_up(code, self.version(code), satisfaction=answer)

    def decide(self, code: str, approve: bool, *when: int) -> None:
        self.at(*when)
        request = self.lead.approvals.for_case(code)[-1]
        if approve:
            self.lead.approvals.approve(request.id, request.case_version, reason="同意")
        else:
            self.lead.approvals.refuse(request.id, request.case_version, reason="不同意")


def build_history(url: str) -> tuple[dict[str, str], datetime]:
    """The history, built once per run as a template (tens of transactions: seconds a test):
    its case codes and the instant its clock stopped at."""
    db = build_reference_database(url)
    clock = FrozenClock(T0)
    codes = _make_history(services_for(db, "disp", clock), services_for(db, "lead", clock), clock)
    db.dispose()
    return codes, clock.now()


# any_db is a copy of the history's template (see build_history)
HISTORY = pytest.mark.any_db_template("statistics-history", build_history)


@pytest.fixture
def history(any_db: Database, clock: FrozenClock, request: pytest.FixtureRequest) -> History:
    codes, now = request.node.stash[TEMPLATE_DATA]
    clock.set(now)
    return History(
        services_for(any_db, "disp", clock), services_for(any_db, "lead", clock), clock, codes
    )


def _make_history(disp: Services, lead: Services, clock: FrozenClock) -> dict[str, str]:
    s = Steps(disp, lead, clock)
    codes: dict[str, str] = {}

    # G: dispatched in November, due and fed back (late) on 1 December
    codes["G"] = g = s.new((2026, 11, 26))
    s.dispatch(g, "CG", 2026, 11, 26, 9, 0)
    s.sign(g, 2026, 11, 26, 9, 30)
    s.at(2026, 11, 30, 10, 0)
    disp.cases.urge(g, s.version(g), note="请抓紧", channel=ContactChannel.phone)
    s.feedback(g, 2026, 12, 1, 10, 0)
    s.verify(g, True, 2026, 12, 1, 11, 0)

    # A: on time, satisfied
    codes["A"] = a = s.new((2026, 12, 1))
    s.dispatch(a, "CG", 2026, 12, 1, 9, 0)
    s.sign(a, 2026, 12, 1, 9, 30)
    s.feedback(a, 2026, 12, 2, 9, 0)
    s.verify(a, True, 2026, 12, 2, 10, 0)
    s.follow_up(a, Satisfaction.satisfied, 2026, 12, 2, 11, 0)

    # B: late sign, extension, late against the original deadline, reworked, redone
    codes["B"] = b = s.new((2026, 12, 2))
    s.dispatch(b, "CG", 2026, 12, 2, 9, 0)
    s.sign(b, 2026, 12, 2, 11, 0)
    s.at(2026, 12, 3, 9, 0)
    disp.desk.request_extension(
        b, s.version(b), new_due=local(2026, 12, 10, 17, 0), reason="需协调施工单位"
    )
    s.decide(b, True, 2026, 12, 3, 10, 0)
    s.feedback(b, 2026, 12, 8, 10, 0)
    s.verify(b, False, 2026, 12, 8, 14, 0)
    s.dispatch(b, "CG", 2026, 12, 9, 9, 0)
    s.sign(b, 2026, 12, 9, 9, 10)
    s.feedback(b, 2026, 12, 9, 15, 0)
    s.verify(b, True, 2026, 12, 9, 16, 0)
    s.follow_up(b, Satisfaction.basically, 2026, 12, 10, 9, 0)

    # C: a return granted before signing
    codes["C"] = c = s.new((2026, 12, 3), category="03-food", title="过期食品")
    s.dispatch(c, "SC", 2026, 12, 3, 9, 0)
    s.at(2026, 12, 3, 9, 30)
    disp.desk.request_return(c, s.version(c), reason="不属于本所", basis="三定方案")
    s.decide(c, True, 2026, 12, 3, 10, 0)

    # D: a return refused, signed late, fed back on time (another community)
    codes["D"] = d = s.new(
        (2026, 12, 4), category="03-food", title="无证经营", grid="320102002002001"
    )
    s.dispatch(d, "SC", 2026, 12, 4, 9, 0)
    s.at(2026, 12, 4, 9, 30)
    disp.desk.request_return(d, s.version(d), reason="不属于本所", basis="三定方案")
    s.decide(d, False, 2026, 12, 4, 10, 0)
    s.sign(d, 2026, 12, 4, 10, 30)
    s.feedback(d, 2026, 12, 4, 16, 0)

    # E: suspended for 13 working hours: on time against the moved deadline; reopened
    codes["E"] = e = s.new((2026, 12, 7))
    s.dispatch(e, "CG", 2026, 12, 7, 9, 0)
    s.sign(e, 2026, 12, 7, 9, 30)
    s.at(2026, 12, 7, 10, 0)
    disp.desk.request_suspension(e, s.version(e), resume_planned=date(2026, 12, 9), reason="待鉴定")
    s.decide(e, True, 2026, 12, 7, 11, 0)
    s.at(2026, 12, 9, 9, 0)
    lead.cases.resume(e, s.version(e), reason="鉴定完成")
    s.feedback(e, 2026, 12, 11, 15, 0)
    s.verify(e, True, 2026, 12, 11, 16, 0)
    s.follow_up(e, Satisfaction.unsatisfied, 2026, 12, 14, 9, 0)
    s.at(2026, 12, 14, 9, 30)
    disp.closure.reopen(e, s.version(e), reason="群众不满意")

    # F: never fed back; urged and supervised
    codes["F"] = f = s.new((2026, 12, 14))
    s.dispatch(f, "CG", 2026, 12, 14, 9, 0)
    s.sign(f, 2026, 12, 14, 9, 5)
    s.at(2026, 12, 17, 10, 0)
    disp.cases.urge(f, s.version(f), note="已超期", channel=ContactChannel.platform)
    s.at(2026, 12, 18, 10, 0)
    lead.cases.supervise(f, s.version(f), note="督办")

    # H: dispatched on the last day, fed back after the period
    codes["H"] = h = s.new((2026, 12, 31))
    s.dispatch(h, "CG", 2026, 12, 31, 9, 0)
    s.sign(h, 2026, 12, 31, 9, 10)
    s.feedback(h, 2027, 1, 4, 10, 0)

    s.at(2027, 1, 5, 10, 0)
    return codes


CG = Measures(
    received=6,  # A B B' E F H
    sign_judged=6,
    signed_on_time=5,  # B late
    completed=5,  # G A B B' E
    completed_on_time=3,  # A B' E (B against its original deadline, G late)
    missed_unfinished=1,  # F
    overdue_now=1,  # F
    overdue_ever=3,  # G B F
    handling_median_s=77_400,  # 21.5 h (E): of 4.5, 7.5, 21.5, 23.5, 31 h
    handling_p90_s=111_600,  # 31 h (B)
    handling_timed=5,
    returns=0,
    refused_returns=0,
    extensions=1,
    reopenings=2,  # B's failed check, E's reopening
    urges=1,  # F (G's urge was in November)
    supervisions=1,
    follow_ups=3,
    satisfied=1,
    basically=1,
    unsatisfied=1,
)
SC = Measures(
    received=2,
    sign_judged=2,
    signed_on_time=0,
    completed=1,
    completed_on_time=1,
    handling_median_s=19_800,
    handling_p90_s=19_800,
    handling_timed=1,
    returns=1,
    refused_returns=1,
)


@HISTORY
def test_department_measures(history: History) -> None:
    table = history.disp.statistics.table(Dimension.department, DECEMBER)
    rows = {row.code: row for row in table.rows}
    assert rows["CG"].measures == CG
    assert rows["SC"].measures == SC
    assert rows["GS"].measures == Measures()
    assert CG.on_time_rate == 0.5  # 3 / (5 + 1)
    assert CG.sign_on_time_rate == pytest.approx(5 / 6)
    assert CG.handling_median_hours == 21.5
    assert CG.rework_rate == pytest.approx(2 / 5)


@HISTORY
def test_every_event_carries_the_department_it_judges(history: History, any_db: Database) -> None:
    """The services wrote ``case_events.department_id`` on each event of the history as the join
    it replaced computes it: named by the event's detail, or the latest lead dispatch."""
    assert misjudged(any_db) == []
    covered = judged(any_db)
    for named in ("return", "refuse_return", "verify_fail", "reopen", "supervise", "follow_up"):
        assert covered[(named, True)] > 0, named
    assert covered[("dispatch", False)] == 9  # G A B B' C D E F H
    # looked up: B's approved extension (counted as the department's), E's suspension
    assert covered[("approve_extension", False)] == 1
    assert covered[("suspend", False)] == covered[("resume", False)] == 1


@HISTORY
def test_score_and_ranking(history: History) -> None:
    table = history.disp.statistics.table(Dimension.department, DECEMBER)
    # CG: (40·0.5 + 10·5/6 + 30·(1 + 0.8)/3 + 10·1 + 10·0.6) / 100
    # SC: (40·1 + 10·0 + 10·0.5 + 10·1) / 70 (no follow-up: satisfaction left out)
    assert [(row.code, row.score, row.rank) for row in table.rows] == [
        ("SC", 78.6, 1),
        ("CG", 62.3, 2),
        ("GS", None, None),
    ]


@HISTORY
def test_weights_come_from_the_settings(history: History) -> None:
    settings = history.disp.context.settings.statistics
    only_on_time = settings.model_copy(
        update={
            "weights": settings.weights.model_copy(
                update={"sign_on_time": 0, "satisfaction": 0, "no_return": 0, "no_rework": 0}
            )
        }
    )
    assert score(CG, only_on_time) == 50.0
    assert score(Measures(), settings) is None


@HISTORY
def test_totals_are_the_centres(history: History) -> None:
    table = history.disp.statistics.table(Dimension.department, DECEMBER)
    totals = table.totals
    assert totals.received == CG.received + SC.received
    assert totals.completed == CG.completed + SC.completed
    assert totals.overdue_ever == 3
    assert totals.returns == 1
    assert totals.refused_returns == 1
    # the median of every handling time: 4.5, 5.5, 7.5, 21.5, 23.5, 31 h -> rank 3
    assert totals.handling_median_s == 7.5 * HOUR
    assert totals.handling_p90_s == 31 * HOUR


@HISTORY
def test_places_and_categories(history: History) -> None:
    statistics = history.disp.statistics
    communities = {
        row.name: row.measures for row in statistics.table(Dimension.community, DECEMBER).rows
    }
    # received = cases reported in the period (G was reported in November)
    assert communities["大行宫社区"].received == 6
    assert communities["长江路社区"].received == 1
    assert communities["长江路社区"].refused_returns == 1
    assert communities["大行宫社区"].returns == 1
    # a place table's totals are its rows' sums, with the centre's percentiles
    totals = statistics.table(Dimension.community, DECEMBER).totals
    assert totals.received == 7  # every case reported in December
    assert totals.completed == 6
    assert totals.overdue_ever == 3
    assert totals.handling_median_s == 7.5 * HOUR
    categories = {
        row.code: row.measures for row in statistics.table(Dimension.category, DECEMBER).rows
    }
    assert categories["11-noise"].completed == 5
    assert categories["03-food"].completed == 1
    assert categories["11-noise"].overdue_ever == 3
    grids = {row.code: row.measures for row in statistics.table(Dimension.grid, DECEMBER).rows}
    assert grids["320102002001001"].received == 6


@HISTORY
def test_drill_down_lists_the_cases_behind_a_figure(history: History) -> None:
    statistics, codes = history.disp.statistics, history.codes
    table = statistics.table(Dimension.department, DECEMBER)
    cg = next(row for row in table.rows if row.code == "CG")
    names = {code: name for name, code in codes.items()}

    def behind(measure: Measure) -> list[str]:
        page = statistics.drill(DECEMBER, Dimension.department, cg.key, measure)
        assert page.total == len(page.rows) == cg.measures.count(measure)
        return sorted(names[row.code] for row in page.rows)

    assert behind(Measure.overdue_ever) == ["B", "F", "G"]
    assert behind(Measure.completed_on_time) == ["A", "B", "E"]
    assert behind(Measure.reopenings) == ["B", "E"]
    assert behind(Measure.overdue_now) == ["F"]
    assert behind(Measure.unsatisfied) == ["E"]
    everything = statistics.drill(DECEMBER, None, None, Measure.returns)
    assert [names[row.code] for row in everything.rows] == ["C"]


@HISTORY
def test_trend_per_day(history: History) -> None:
    trend = history.disp.statistics.trend(DECEMBER)
    assert len(trend) == 31
    by_day = {day.day.day: day for day in trend}
    assert [d for d, day in by_day.items() if day.received] == [1, 2, 3, 4, 7, 14, 31]
    assert {d: day.completed for d, day in by_day.items() if day.completed} == {
        1: 1,  # G
        2: 1,  # A
        4: 1,  # D
        8: 1,  # B
        9: 1,  # B again
        11: 1,  # E
    }
    assert [d for d, day in by_day.items() if day.overdue] == [1, 7, 17]  # G B F
    cg = next(
        row
        for row in history.disp.statistics.table(Dimension.department, DECEMBER).rows
        if row.code == "CG"
    )
    own = history.disp.statistics.trend(DECEMBER, Dimension.department, cg.key, whole_centre=False)
    assert sum(day.received for day in own) == 6


@HISTORY
def test_the_period_boundary(history: History) -> None:
    """November sees G's dispatch and urge; a week in December only what fell in it."""
    statistics = history.disp.statistics
    november = {
        row.code: row.measures
        for row in statistics.table(Dimension.department, month("2026-11")).rows
    }
    assert november["CG"].received == 1
    assert november["CG"].urges == 1
    assert november["CG"].completed == 0
    first_week = custom(date(2026, 12, 1), date(2026, 12, 6))
    week = {
        row.code: row.measures for row in statistics.table(Dimension.department, first_week).rows
    }
    assert week["CG"].received == 2  # A B
    assert week["CG"].completed == 2  # G A
    assert week["CG"].overdue_ever == 1  # G (B's deadline is the 7th)
    assert week["SC"].returns == 1


def test_periods() -> None:
    today = date(2026, 11, 29)  # a Sunday
    service_periods = {
        PeriodKind.this_week: (date(2026, 11, 23), today),
        PeriodKind.this_month: (date(2026, 11, 1), today),
        PeriodKind.last_month: (date(2026, 10, 1), date(2026, 10, 31)),
    }
    from gridconsole.domain.periods import named

    for kind, (first, last) in service_periods.items():
        period = named(kind, today)
        assert (period.first, period.last) == (first, last)
    assert month("2026-12").label == "2026-12"
    with pytest.raises(ValidationFailed):
        month("2026-13")
    with pytest.raises(ValidationFailed):
        custom(date(2026, 12, 2), date(2026, 12, 1))


@HISTORY
def test_the_suspension_and_extension_are_written_for_scoring(history: History) -> None:
    from sqlalchemy import select
    from sqlmodel import col

    from gridconsole.store.models import Case, Dispatch

    with history.disp.context.db.read() as session:
        rows = session.execute(
            select(
                col(Case.code),
                col(Dispatch.handle_due_at),
                col(Dispatch.scored_due_at),
                col(Dispatch.suspended_working_s),
            )
            .join(Case, col(Case.id) == col(Dispatch.case_id))
            .where(col(Case.code).in_([history.codes["B"], history.codes["E"]]))
            .order_by(col(Dispatch.id))
        ).all()
    b_first, e, _b_again = (
        rows[0],
        next(r for r in rows if r.code == history.codes["E"]),
        rows[-1],
    )
    assert b_first.scored_due_at == local(2026, 12, 7, 9, 0)  # not the extended 10 Dec 17:00
    assert e.handle_due_at == local(2026, 12, 10, 9, 0)
    assert e.scored_due_at == local(2026, 12, 11, 16, 0)
    assert e.suspended_working_s == 13 * HOUR


@HISTORY
def test_grid_workers(history: History, any_db: Database) -> None:
    from gridconsole.domain.enums import WorkerRole
    from gridconsole.store.models import Grid, GridWorker, GridWorkerGrid

    with any_db.write() as session:
        worker = GridWorker(name="陈网格", role=WorkerRole.full_time, mobile="13900001111")
        session.add(worker)
        session.flush()
        grid = session.query(Grid).filter(Grid.code == "320102002001001").one()
        session.add(GridWorkerGrid(worker_id=worker.id, grid_id=grid.id))
    s = Steps(history.disp, history.lead, history.clock)
    s.at(2026, 12, 21, 9, 0)
    reported = history.disp.cases.report(
        new_case_fields(source="grid_worker", reporter_phone="13900001111", title="楼道堆物")
    )
    s.at(2026, 12, 21, 9, 10)
    history.disp.cases.resolve_in_grid(reported.code, reported.version, note="已劝导清理")
    s.verify(reported.code, True, 2026, 12, 23, 9, 0)  # due 22 Dec 09:10: late
    s.at(2027, 1, 5, 10, 0)
    rows = history.disp.statistics.workers(DECEMBER)
    assert [(r.name, r.reported, r.resolved_in_grid) for r in rows] == [("陈网格", 1, 1)]
    # the grid's verifications in December: G A B B' E (on time) and the late one
    assert rows[0].verifications == 6
    assert rows[0].verified_on_time == 5


# -- the monthly report and the Open311 export ----------------------------------------------------


@HISTORY
def test_the_workbook_reads_back_with_the_services_figures(
    history: History, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from gridconsole.services.statistics_report import ReportFormat, build_report, write_report

    context = history.disp.context
    report = build_report(context, history.disp.statistics, DECEMBER)
    path = tmp_path / "report.xlsx"
    assert write_report(report, path, ReportFormat.xlsx, context) == (path,)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "部门考评",
        "社区考评",
        "类别统计",
        "超期清单",
        "升级事件",
        "网格员",
    ]
    departments = workbook["部门考评"]
    assert departments.freeze_panes == "A3"
    header = [cell.value for cell in departments[2]]
    assert header[:5] == ["排名", "编码", "名称", "得分", "接收"]
    rows = {row[1]: row for row in departments.iter_rows(min_row=3, values_only=True)}
    received, on_time_rate, median = (
        header.index("接收"),
        header.index("按期办结率"),
        header.index("办理中位(工时)"),
    )
    assert rows["CG"][received] == 6
    assert rows["CG"][on_time_rate] == 0.5
    assert rows["CG"][median] == 21.5
    assert rows["SC"][header.index("得分")] == 78.6
    total = next(
        row for row in departments.iter_rows(min_row=3, values_only=True) if row[2] == "合计"
    )
    table = history.disp.statistics.table(Dimension.department, DECEMBER)
    assert total[received] == table.totals.received == 8
    assert total[header.index("办结")] == table.totals.completed == 6
    assert departments.cell(3, on_time_rate + 1).number_format == "0.0%"
    # the header and the totals in bold, the rows between not
    total_row = departments.max_row
    assert departments.cell(total_row, 3).value == "合计"
    assert all(departments.cell(row, 3).font.b for row in (2, total_row))
    assert not departments.cell(3, 3).font.b
    assert departments.cell(total_row, on_time_rate + 1).number_format == "0.0%"
    assert departments.column_dimensions["C"].width >= 12  # 城管执法中队: 12 cells + margin
    overdue = list(workbook["超期清单"].iter_rows(min_row=3, values_only=True))
    assert sorted(row[0] for row in overdue) == sorted(
        history.codes[name] for name in ("B", "F", "G")
    )
    assert {row[8] for row in overdue} == {"138****1234"}  # the reporter's phone, masked
    assert isinstance(overdue[0][6], datetime)  # the scored deadline, a date cell
    assert workbook["超期清单"].cell(3, 7).number_format == "yyyy-mm-dd hh:mm"


@HISTORY
def test_csv_and_json(history: History, tmp_path: Path) -> None:
    import csv
    import json

    from gridconsole.services.statistics_report import ReportFormat, build_report, write_report

    context = history.disp.context
    report = build_report(context, history.disp.statistics, DECEMBER)
    written = write_report(report, tmp_path / "m.csv", ReportFormat.csv, context)
    assert [path.name for path in written] == [
        "m-department.csv",
        "m-community.csv",
        "m-category.csv",
        "m-overdue.csv",
        "m-escalations.csv",
        "m-workers.csv",
    ]
    with written[0].open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:3] == ["排名", "编码", "名称"]
    assert lines[-1][2] == "合计"
    (path,) = write_report(report, tmp_path / "m.json", ReportFormat.json, context)
    document = json.loads(path.read_text(encoding="utf-8"))
    cg = next(row for row in document["sheets"]["department"]["rows"] if row["code"] == "CG")
    assert (cg["received"], cg["on_time_rate"], cg["handling_p90"]) == (6, 0.5, 31.0)
    assert document["sheets"]["department"]["total"]["received"] == 8


@HISTORY
def test_open311_export(history: History, tmp_path: Path) -> None:
    import json

    from gridconsole.services.statistics_report import write_open311

    path = tmp_path / "open311.json"
    assert write_open311(history.disp.context, DECEMBER, path) == 7  # G was reported in November
    text = path.read_text(encoding="utf-8")
    assert "13812341234" not in text
    assert "张三" not in text
    requests = {request["service_request_id"]: request for request in json.loads(text)}
    a = requests[history.codes["A"]]
    assert a["status"] == "closed"
    assert a["service_code"] == "11-noise"
    assert a["agency_responsible"] == "城管执法中队"
    assert a["requested_datetime"] == "2026-12-01T08:50:00+08:00"
    assert a["expected_datetime"] is None
    f = requests[history.codes["F"]]
    assert f["status"] == "open"
    assert f["expected_datetime"] is not None


@HISTORY
def test_report_from_the_command_line(history: History, any_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from gridconsole.domain.enums import Role
    from gridconsole.services.operators import ensure_operator
    from tests.unit.test_cli import ME, invoke

    url = any_db.writer.url.render_as_string(hide_password=False)
    ensure_operator(
        any_db, history.clock, username=ME, display_name="值班测试", role=Role.shift_lead
    )
    out = tmp_path / "2026-12.xlsx"
    now = "2027-01-05T10:00:00+08:00"
    result = invoke(
        tmp_path,
        "--db",
        url,
        "--now",
        now,
        "report",
        "monthly",
        "--month",
        "2026-12",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "已写入" in result.stdout
    assert load_workbook(out)["部门考评"].cell(2, 1).value == "排名"
    bad = invoke(
        tmp_path,
        "--db",
        url,
        "--now",
        now,
        "report",
        "monthly",
        "--month",
        "2026-13",
        "--out",
        str(out),
    )
    assert bad.exit_code == 1
    assert "YYYY-MM" in bad.stderr
    result = invoke(
        tmp_path, "--db", url, "--now", now, "report", "open311",
        "--from", "2026-12-01", "--to", "2026-12-31", "--out", str(tmp_path / "o.json"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "7" in result.stdout


@HISTORY
def test_a_table_is_read_again_after_the_cache_or_when_asked(history: History) -> None:
    from datetime import timedelta

    from gridconsole.services.statistics import TABLE_CACHE

    statistics = history.disp.statistics
    first = statistics.table(Dimension.department, DECEMBER)
    assert statistics.table(Dimension.department, DECEMBER) is first
    assert statistics.table(Dimension.department, DECEMBER, fresh=True) is not first
    history.clock.set(history.clock.now() + TABLE_CACHE + timedelta(seconds=1))
    assert statistics.table(Dimension.department, DECEMBER).read_at == history.clock.now()


@HISTORY
def test_the_centres_percentiles_are_read_once_for_every_dimension(history: History) -> None:
    """Each table's totals carry the centre's handling-time percentiles: read with the first
    table of a period and kept as the tables are (the report's three tables read them once),
    read again when a table is asked fresh."""
    period = custom(date(2026, 12, 1), date(2027, 1, 31))
    statistics = history.disp.statistics

    def centre(table: StatisticsTable) -> tuple[int | None, int | None]:
        return table.totals.handling_median_s, table.totals.handling_p90_s

    before = centre(statistics.table(Dimension.department, period))
    f = history.codes["F"]  # fed back now, three weeks after its dispatch: the slowest
    history.disp.desk.feedback(f, history.disp.queue.detail(f).version, text="已处理")
    assert centre(statistics.table(Dimension.community, period)) == before
    after = centre(statistics.table(Dimension.community, period, fresh=True))
    assert after[1] is not None
    assert before[1] is not None
    assert after[1] > before[1]
    assert centre(statistics.table(Dimension.category, period)) == after
