"""Queue pages, filters, search, counts and duplicate candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import CaseSource, CaseState, Priority, RejectReason
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueCursor, QueueFilter
from gridconsole.store.case_queries import case_filter_conditions, queue_page_statement
from gridconsole.store.engine import Database
from tests.factories import new_case_fields


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def make_cases(services: Services, clock: FrozenClock, n: int) -> list[str]:
    codes = []
    for i in range(n):
        clock.advance(timedelta(minutes=1))
        detail = services.cases.report(
            new_case_fields(
                title=f"案件{i:03d}",
                priority="urgent" if i % 5 == 0 else "normal",
                category="11-noise" if i % 2 else "11-water",
                source="hotline" if i % 3 == 0 else "phone",
            )
        )
        codes.append(detail.code)
    return codes


def all_pages(services: Services, query: QueueFilter, limit: int) -> list[str]:
    seen: list[str] = []
    cursor: QueueCursor | None = None
    while True:
        page = services.queue.page(query, cursor, limit=limit)
        seen.extend(row.code for row in page.rows)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_pages_are_urgent_first_then_oldest_and_cover_everything_once(
    dispatcher: Services, clock: FrozenClock
) -> None:
    codes = make_cases(dispatcher, clock, 23)
    first = dispatcher.queue.page(QueueFilter(), limit=10)
    assert first.total == 23
    assert len(first.rows) == 10
    assert [row.priority for row in first.rows[:5]] == [Priority.urgent] * 5
    urgent = [code for i, code in enumerate(codes) if i % 5 == 0]
    normal = [code for i, code in enumerate(codes) if i % 5]
    for limit in (1, 7, 10, 23, 50):
        assert all_pages(dispatcher, QueueFilter(), limit) == urgent + normal


def test_filters_combine(dispatcher: Services, clock: FrozenClock) -> None:
    make_cases(dispatcher, clock, 12)
    page = dispatcher.queue.page(
        QueueFilter(category_code="11-noise", source=CaseSource.hotline, priority=Priority.normal)
    )
    assert {row.title for row in page.rows} == {"案件003", "案件009"}
    assert page.total == 2
    by_grid = dispatcher.queue.page(QueueFilter(grid_code="320102002001002"))
    assert by_grid.total == 0
    by_community = dispatcher.queue.page(QueueFilter(community_code="320102002001"))
    assert by_community.total == 12


def test_state_filter_defaults_and_choices(dispatcher: Services, clock: FrozenClock) -> None:
    codes = make_cases(dispatcher, clock, 3)
    detail = dispatcher.queue.detail(codes[0])
    dispatcher.cases.reject(detail.code, detail.version, reason=RejectReason.malicious, note="x")
    queue = dispatcher.queue.page(QueueFilter(states=(CaseState.reported, CaseState.returned)))
    assert queue.total == 2
    rejected = dispatcher.queue.page(QueueFilter(states=(CaseState.rejected,)))
    assert [row.code for row in rejected.rows] == [codes[0]]


def test_search_matches_code_text_address_and_reporter_literally(
    dispatcher: Services, clock: FrozenClock
) -> None:
    first = dispatcher.cases.report(new_case_fields(title="楼道堆物", address="太平北路100号"))
    second = dispatcher.cases.report(
        new_case_fields(title="漏水", description="100%漏水_严重", reporter_name="欧阳娜娜")
    )

    def search(term: str) -> set[str]:
        return {row.code for row in dispatcher.queue.page(QueueFilter(search=term)).rows}

    assert search("太平北路") == {first.code}
    assert search("欧阳") == {second.code}
    assert search(second.code) == {second.code}
    assert search("100%") == {second.code}  # % and _ are literal, not wildcards
    assert search("_严") == {second.code}
    assert search("[bold]") == set()


def test_header_counts(dispatcher: Services, clock: FrozenClock) -> None:
    codes = make_cases(dispatcher, clock, 4)
    detail = dispatcher.queue.detail(codes[1])
    dispatcher.cases.accept(detail.code, detail.version)
    counts = dispatcher.queue.header_counts()
    assert (counts.waiting, counts.working) == (3, 1)


def test_change_token_moves_with_any_change(dispatcher: Services, lead: Services) -> None:
    before = dispatcher.queue.change_token()
    case = lead.cases.report(new_case_fields())
    after_report = dispatcher.queue.change_token()
    assert after_report > before
    lead.cases.set_priority(case.code, case.version, priority=Priority.urgent)
    assert dispatcher.queue.change_token() > after_report


def test_duplicate_candidates_same_grid_category_close_text_within_window(
    dispatcher: Services, clock: FrozenClock
) -> None:
    original = dispatcher.cases.report(new_case_fields())
    dispatcher.cases.report(
        new_case_fields(title="路灯不亮", description="路灯坏了三天", category="11-water")
    )
    text = "夜间施工噪音扰民 中山东路18号工地每晚十一点后仍在施工，噪音很大"
    found = dispatcher.queue.duplicate_candidates(
        grid_code=original.grid_code, category_code="11-noise", text=text
    )
    assert [candidate.code for candidate in found] == [original.code]
    assert found[0].similarity >= 0.6
    other_grid = dispatcher.queue.duplicate_candidates(
        grid_code="320102002001002", category_code="11-noise", text=text
    )
    assert other_grid == ()
    clock.advance(timedelta(hours=73))
    assert (
        dispatcher.queue.duplicate_candidates(
            grid_code=original.grid_code, category_code="11-noise", text=text
        )
        == ()
    )


def test_queue_query_uses_the_queue_index(db: Database) -> None:
    """The plan as the ORM emits it: the composite index, never a scan of the table."""
    if db.dialect != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's is measured in the benchmarks")
    conditions = case_filter_conditions(states=(CaseState.reported, CaseState.returned))
    statement = queue_page_statement(conditions, None, 50)
    compiled = statement.compile(db.reader, compile_kwargs={"literal_binds": True})
    with db.reader.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    details = " | ".join(row[-1] for row in plan)
    assert "ix_cases_queue" in details
    assert "SCAN cases" not in details.replace("SCAN cases USING", "")


def test_a_list_over_every_state_walks_the_order_index(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's is measured in the benchmarks")
    conditions = case_filter_conditions(states=tuple(CaseState))
    assert conditions == []
    compiled = queue_page_statement(conditions, None, 50).compile(
        db.reader, compile_kwargs={"literal_binds": True}
    )
    with db.reader.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    details = " | ".join(row[-1] for row in plan)
    assert "ix_cases_order" in details
    assert "TEMP B-TREE" not in details
