"""The overdue board: running deadlines in warning or overdue, and what falls due soon.
T0 is Sunday 2026-11-29 09:30 in Nanjing (not a working day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.config import DeadlineSettings, Settings
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import DeadlineStep
from gridconsole.services.bundle import Services
from gridconsole.services.overdue_records import OverdueCounts, OverdueFilter
from gridconsole.store.engine import Database
from gridconsole.store.overdue_queries import overdue_conditions, overdue_page_statement
from tests.factories import T0, new_case_fields, services_for
from tests.overdue_cases import dispatch_directly

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def codes(services: Services, query: OverdueFilter | None = None) -> list[str]:
    return [row.code for row in services.overdue.page(query or OverdueFilter()).rows]


def test_lists_what_falls_due_within_the_horizon_soonest_first(
    dispatcher: Services, clock: FrozenClock
) -> None:
    normal = dispatcher.cases.report(new_case_fields())  # due Monday 09:30
    urgent = dispatcher.cases.report(new_case_fields(title="紧急", priority="urgent"))  # 09:45
    board = dispatcher.overdue.page(OverdueFilter())
    # four working hours from Sunday 09:30: Monday 08:30–12:00 and 13:30–14:00
    assert board.horizon == local(2026, 11, 30, 14, 0)
    assert [row.code for row in board.rows] == [urgent.code, normal.code]
    assert board.counts == OverdueCounts(warning=0, overdue=0, upcoming=2)
    assert board.total == 2
    urgent_row, normal_row = board.rows
    assert urgent_row.step is DeadlineStep.accept
    assert urgent_row.working_time is False  # 15 calendar minutes
    assert normal_row.working_time is True
    assert urgent_row.place == "大行宫第一网格"  # no department yet: the grid
    assert normal_row.community_name == "大行宫社区"


def test_warning_and_overdue_follow_the_clock(dispatcher: Services, clock: FrozenClock) -> None:
    dispatcher.cases.report(new_case_fields())
    dispatcher.cases.report(new_case_fields(title="紧急", priority="urgent"))
    clock.advance(timedelta(minutes=13))
    assert dispatcher.overdue.page(OverdueFilter()).counts == OverdueCounts(1, 0, 1)
    clock.set(local(2026, 11, 30, 9, 20))
    board = dispatcher.overdue.page(OverdueFilter())
    assert board.counts == OverdueCounts(warning=1, overdue=1, upcoming=0)
    countdown = board.countdown
    urgent_row, normal_row = board.rows
    reading = countdown.reading(
        clock.now(), normal_row.warn_at, normal_row.due_at, working_time=True
    )
    assert (reading.status, reading.seconds) == (DeadlineStatus.warning, 10 * 60)
    overdue = countdown.reading(
        clock.now(), urgent_row.warn_at, urgent_row.due_at, working_time=False
    )
    assert overdue.status is DeadlineStatus.overdue
    assert overdue.seconds < 0


def test_a_long_deadline_in_warning_is_listed_beyond_the_horizon(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    case = dispatcher.cases.report(new_case_fields(title="投诉"))
    dispatch_directly(db, case.code, "CG", local(2026, 11, 30, 8, 30))
    clock.set(local(2026, 11, 30, 8, 30))
    board = dispatcher.overdue.page(OverdueFilter())
    # 3 working days from Monday 08:30: due Wednesday 17:30, warning at 80 % on Wednesday
    assert board.rows == ()
    assert board.next_due_after_horizon == local(2026, 12, 2, 17, 30)
    assert board.next_warn_at is not None
    clock.set(board.next_warn_at)
    board = dispatcher.overdue.page(OverdueFilter())
    assert [row.code for row in board.rows] == [case.code]
    assert board.counts == OverdueCounts(warning=1, overdue=0, upcoming=0)
    assert board.rows[0].department_name == "城管执法中队"
    assert board.rows[0].place == "城管执法中队"


def test_filters_by_step_department_and_community(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    noise = dispatcher.cases.report(new_case_fields())
    water = dispatcher.cases.report(
        new_case_fields(title="漏水", category="11-water", grid="320102002002001")
    )
    food = dispatcher.cases.report(new_case_fields(title="食品", category="03-food"))
    dispatch_directly(db, water.code, "GS", T0)
    dispatch_directly(db, food.code, "SC", T0)
    clock.set(local(2026, 12, 3, 9, 0))  # every deadline is overdue by Thursday
    assert set(codes(dispatcher)) == {noise.code, water.code, food.code}
    assert codes(dispatcher, OverdueFilter(step=DeadlineStep.accept)) == [noise.code]
    assert codes(dispatcher, OverdueFilter(department_code="GS")) == [water.code]
    assert codes(dispatcher, OverdueFilter(department_code="nobody")) == []
    assert set(codes(dispatcher, OverdueFilter(community_code="320102002001"))) == {
        noise.code,
        food.code,
    }
    board = dispatcher.overdue.page(OverdueFilter())
    assert board.counts == OverdueCounts(warning=0, overdue=3, upcoming=0)
    assert {(item.name, item.counts.overdue) for item in board.departments} == {
        ("", 1),
        ("供水公司", 1),
        ("市场监管所", 1),
    }


def test_pages_by_due_instant_then_id(dispatcher: Services, clock: FrozenClock) -> None:
    reported = [dispatcher.cases.report(new_case_fields(title=f"第{i}件")) for i in range(5)]
    first = dispatcher.overdue.page(OverdueFilter(), limit=2)
    assert [row.code for row in first.rows] == [case.code for case in reported[:2]]
    assert first.total == 5
    assert first.next_cursor is not None
    second = dispatcher.overdue.page(OverdueFilter(), limit=2, after=first.next_cursor)
    assert [row.code for row in second.rows] == [case.code for case in reported[2:4]]
    third = dispatcher.overdue.page(OverdueFilter(), limit=2, after=second.next_cursor)
    assert [row.code for row in third.rows] == [reported[4].code]
    assert third.next_cursor is None


def test_the_horizon_is_configurable(db: Database, clock: FrozenClock) -> None:
    settings = Settings(deadlines=DeadlineSettings(upcoming_working_hours=0))
    services = services_for(db, "disp", clock, settings)
    services.cases.report(new_case_fields())
    assert services.overdue.page(OverdueFilter()).rows == ()


def test_filter_options_list_departments_and_communities(dispatcher: Services) -> None:
    options = dispatcher.overdue.filter_options()
    assert [choice.code for choice in options.departments] == ["CG", "GS", "SC"]
    assert [choice.code for choice in options.communities] == ["320102002001", "320102002002"]


def test_the_page_query_walks_the_due_index_without_sorting(
    db: Database, dispatcher: Services
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's is measured in the benchmarks")
    statement = overdue_page_statement(
        overdue_conditions(now=T0, horizon=T0 + timedelta(hours=4)), None, 101
    )
    compiled = statement.compile(db.reader)
    # the plan does not depend on the values: bind the instants as text
    values = tuple(
        value.isoformat() if isinstance(value, datetime) else value
        for value in compiled.params.values()
    )
    with db.reader.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "ix_cases_due_at" in details, details
    assert "TEMP B-TREE" not in details, details
