"""Routing: the most specific configured route (grid, then community, then the category's
default) and the history suggestion (who completed this category in this community lately, and
how punctually), for a page of cases in a bounded number of queries — on SQLite and on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    CaseSource,
    CaseState,
    DepartmentKind,
    DispatchRole,
    Priority,
)
from gridconsole.domain.errors import ValidationFailed
from gridconsole.services.departments import DepartmentService
from gridconsole.services.dispatch_records import DepartmentRef, RoutingSuggestion
from gridconsole.services.routing import (
    HISTORY_WINDOW,
    RoutingService,
    configured_route,
    department_by_code,
    handles_category,
    history_suggestions,
)
from gridconsole.store.engine import Database
from gridconsole.store.models import (
    Case,
    CaseCategory,
    Community,
    Department,
    Dispatch,
    Grid,
    Street,
    row_id,
)
from tests.factories import T0, services_for

DAXINGGONG, CHANGJIANG = "320102002001", "320102002002"
DXG_GRID_1, DXG_GRID_2 = "320102002001001", "320102002001002"
DEDICATED_GRID = "320102002002001"  # 总统府专属网格 in 长江路社区
SINCE = T0 - HISTORY_WINDOW
CG = DepartmentRef("CG", "城管执法中队")
GS = DepartmentRef("GS", "供水公司")
SC = DepartmentRef("SC", "市场监管所")
ZSW = DepartmentRef("ZSW", "总统府景区管理处")
JD = DepartmentRef("JD", "街道办事处")


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


@pytest.fixture
def admin(db: Database, clock: FrozenClock) -> DepartmentService:
    return services_for(db, "admin", clock).departments


@pytest.fixture
def routing(db: Database, clock: FrozenClock) -> RoutingService:
    return services_for(db, "disp", clock).routing


def ids(session: Session, model: Any, *codes: str) -> list[int]:
    found = {
        row.code: row_id(row)
        for row in session.execute(select(model).where(model.code.in_(codes))).scalars()
    }
    return [found[code] for code in codes]


class Seeder:
    """Cases and dispatches written straight into the tables (fast, and every figure known)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.street_id = row_id(session.execute(select(Street)).scalars().one())
        self.categories = {
            row.code: row_id(row) for row in session.execute(select(CaseCategory)).scalars()
        }
        self.grids = {row.code: row for row in session.execute(select(Grid)).scalars()}
        self.communities = {
            row.code: row_id(row) for row in session.execute(select(Community)).scalars()
        }
        self.departments = {
            row.code: row_id(row) for row in session.execute(select(Department)).scalars()
        }
        # codes go on from the cases already there, whichever seeding wrote them
        self.count = session.execute(select(func.count()).select_from(Case)).scalar_one()

    def case(self, category: str, grid: str | None, code: str | None = None) -> Case:
        self.count += 1
        grid_row = self.grids[grid] if grid is not None else None
        case = Case(
            code=code or f"MY-20261001-{self.count:04d}",
            street_id=self.street_id,
            community_id=grid_row.community_id if grid_row is not None else None,
            grid_id=grid_row.id if grid_row is not None else None,
            category_id=self.categories[category],
            source=CaseSource.phone,
            priority=Priority.normal,
            state=CaseState.closed,
            title="历史事件",
            description="用于派遣建议的历史事件",
            reported_at=T0 - timedelta(days=200),
            updated_at=T0 - timedelta(days=200),
        )
        self.session.add(case)
        self.session.flush()
        return case

    def completed(
        self,
        category: str,
        grid: str | None,
        department: str,
        *,
        days_ago: float = 10,
        on_time: bool = True,
        role: DispatchRole = DispatchRole.lead,
        feedback: bool = True,
    ) -> Case:
        """A case of ``category`` in ``grid`` whose ``department`` gave feedback ``days_ago``."""
        case = self.case(category, grid)
        feedback_at = T0 - timedelta(days=days_ago)
        self.session.add(
            Dispatch(
                case_id=row_id(case),
                department_id=self.departments[department],
                role=role,
                dispatched_at=feedback_at - timedelta(days=3),
                handle_due_at=feedback_at + (timedelta(0) if on_time else -timedelta(seconds=1)),
                feedback_at=feedback_at if feedback else None,
                active=False,
            )
        )
        return case


@contextmanager
def seeding(db: Database) -> Iterator[Seeder]:
    with db.write() as session:
        yield Seeder(session)


@pytest.fixture
def dedicated_unit(admin: DepartmentService) -> None:
    """总统府景区管理处 handles 噪音 in its 专属 grid (Art. 42); 街道办 in all of 长江路社区."""
    admin.add(code="ZSW", name="总统府景区管理处", kind=DepartmentKind.unit)
    admin.set_categories("ZSW", ["11-noise"])
    admin.add(code="JD", name="街道办事处", kind=DepartmentKind.government)
    admin.set_categories("JD", ["11-noise", "06-consult"])
    admin.set_route(category_code="11-noise", department_code="ZSW", grid_code=DEDICATED_GRID)
    admin.set_route(category_code="11-noise", department_code="JD", community_code=CHANGJIANG)
    admin.set_route(category_code="06-consult", department_code="JD", community_code=DAXINGGONG)


# -- the configured route -------------------------------------------------------------------------


def route_of(
    db: Database, category: str, *, community: str | None = None, grid: str | None = None
) -> tuple[str | None, str | None]:
    with db.read() as session:
        (category_id,) = ids(session, CaseCategory, category)
        community_id = ids(session, Community, community)[0] if community else None
        grid_id = ids(session, Grid, grid)[0] if grid else None
        department, scope = configured_route(
            session, category_id=category_id, community_id=community_id, grid_id=grid_id
        )
        return (department.code if department is not None else None), scope


@pytest.mark.usefixtures("dedicated_unit")
def test_the_most_specific_route_wins(db: Database, admin: DepartmentService) -> None:
    # the 专属 grid's own unit, before the community's rule and the category's default
    assert route_of(db, "11-noise", community=CHANGJIANG, grid=DEDICATED_GRID) == ("ZSW", "grid")
    # the grid alone is enough: its community is found
    assert route_of(db, "11-noise", grid=DEDICATED_GRID) == ("ZSW", "grid")
    # elsewhere in the community: the community's rule
    assert route_of(db, "11-noise", community=CHANGJIANG) == ("JD", "community")
    # another community: the category's default
    assert route_of(db, "11-noise", community=DAXINGGONG, grid=DXG_GRID_1) == ("CG", "category")
    assert route_of(db, "11-noise") == ("CG", "category")
    # a rule of one category does not route another
    assert route_of(db, "11-water", community=CHANGJIANG, grid=DEDICATED_GRID) == ("GS", "category")
    # 政策咨询 has no default: only 大行宫社区 has a route
    assert route_of(db, "06-consult", community=DAXINGGONG, grid=DXG_GRID_2) == ("JD", "community")
    assert route_of(db, "06-consult", community=CHANGJIANG, grid=DEDICATED_GRID) == (None, None)
    # taking the grid's rule away falls back to the community's
    admin.clear_route(category_code="11-noise", grid_code=DEDICATED_GRID)
    assert route_of(db, "11-noise", grid=DEDICATED_GRID) == ("JD", "community")


@pytest.mark.usefixtures("dedicated_unit")
def test_an_inactive_department_is_still_the_configured_route(
    db: Database, admin: DepartmentService
) -> None:
    admin.set_active("ZSW", False)
    assert route_of(db, "11-noise", community=CHANGJIANG, grid=DEDICATED_GRID) == ("ZSW", "grid")
    with db.read() as session:
        (category_id,) = ids(session, CaseCategory, "11-noise")
        (grid_id,) = ids(session, Grid, DEDICATED_GRID)
        department, _scope = configured_route(
            session, category_id=category_id, community_id=None, grid_id=grid_id
        )
        assert department is not None
        assert department.active is False


def test_department_by_code_and_handles_category(db: Database) -> None:
    with db.read() as session:
        cg = department_by_code(session, "CG")
        assert (cg.code, cg.name) == ("CG", "城管执法中队")
        noise, food = ids(session, CaseCategory, "11-noise", "03-food")
        assert handles_category(session, row_id(cg), noise)
        assert not handles_category(session, row_id(cg), food)
        with pytest.raises(ValidationFailed) as caught:
            department_by_code(session, "XX", field="lead")
        assert [(p.field, p.message) for p in caught.value.problems] == [("lead", "代码“XX”不存在")]
        with pytest.raises(ValidationFailed) as caught:
            department_by_code(session, "cg")
        assert caught.value.problems[0].field == "department"


# -- history ----------------------------------------------------------------------------------------


@pytest.fixture
def history(db: Database, admin: DepartmentService) -> None:
    """Known history in the 90 days before T0, and some that must not count."""
    admin.add(code="OLD", name="撤并前的供水所", kind=DepartmentKind.utility)
    with seeding(db) as seed:
        # 噪音 in 大行宫: CG completed 4 (3 on time), SC 2 (both on time) -> CG, 4, 75 %
        for on_time in (True, True, True, False):
            seed.completed("11-noise", DXG_GRID_1, "CG", on_time=on_time)
        seed.completed("11-noise", DXG_GRID_2, "SC")
        seed.completed("11-noise", DXG_GRID_2, "SC", days_ago=89.9)
        # ...that SC would win with what must not count: older than 90 days, assisting, open
        for _ in range(3):
            seed.completed("11-noise", DXG_GRID_1, "SC", days_ago=90.01)
            seed.completed("11-noise", DXG_GRID_1, "SC", role=DispatchRole.assist)
            seed.completed("11-noise", DXG_GRID_1, "SC", feedback=False)
        # 噪音 in 长江路: 2 each; SC more punctual -> SC, 2, 100 %
        seed.completed("11-noise", DEDICATED_GRID, "CG", on_time=False)
        seed.completed("11-noise", DEDICATED_GRID, "CG")
        seed.completed("11-noise", DEDICATED_GRID, "SC")
        seed.completed("11-noise", DEDICATED_GRID, "SC", days_ago=90)  # exactly at the edge
        # 漏水 in 大行宫: one each, both on time -> the smaller code, CG
        seed.completed("11-water", DXG_GRID_1, "GS")
        seed.completed("11-water", DXG_GRID_2, "CG")
        # 漏水 in 长江路: an inactive department does not count -> GS, 1, 0 %
        for _ in range(3):
            seed.completed("11-water", DEDICATED_GRID, "OLD")
        seed.completed("11-water", DEDICATED_GRID, "GS", on_time=False)
        # a case without a grid (and so without a community)
        seed.completed("06-consult", None, "SC", on_time=False)
        seed.completed("06-consult", None, "SC")
    admin.set_active("OLD", False)


def keys(session: Session, *pairs: tuple[str, str | None]) -> list[tuple[int, int | None]]:
    return [
        (
            ids(session, CaseCategory, category)[0],
            ids(session, Community, community)[0] if community else None,
        )
        for category, community in pairs
    ]


@pytest.mark.usefixtures("history")
def test_history_suggestions(db: Database) -> None:
    pairs: list[tuple[str, str | None]] = [
        ("11-noise", DAXINGGONG),
        ("11-noise", CHANGJIANG),
        ("11-water", DAXINGGONG),
        ("11-water", CHANGJIANG),
        ("06-consult", None),
        ("03-food", CHANGJIANG),
        ("06-consult", DAXINGGONG),
    ]
    with db.read() as session:
        wanted = keys(session, *pairs)
        found = history_suggestions(session, wanted, since=SINCE)
    by_pair = {pair: found.get(key) for pair, key in zip(pairs, wanted, strict=True)}
    assert by_pair == {
        ("11-noise", DAXINGGONG): (CG, 4, 0.75),
        ("11-noise", CHANGJIANG): (SC, 2, 1.0),
        ("11-water", DAXINGGONG): (CG, 1, 1.0),
        ("11-water", CHANGJIANG): (GS, 1, 0.0),
        ("06-consult", None): (SC, 2, 0.5),
        ("03-food", CHANGJIANG): None,
        ("06-consult", DAXINGGONG): None,
    }
    assert set(found) <= set(wanted)


@pytest.mark.usefixtures("history")
def test_history_is_one_query_for_every_key(db: Database) -> None:
    with db.read() as session:
        wanted = keys(
            session,
            ("11-noise", DAXINGGONG),
            ("11-noise", CHANGJIANG),
            ("11-water", DAXINGGONG),
            ("06-consult", None),
        )
        with counted_statements(db) as statements:
            history_suggestions(session, wanted, since=SINCE)
        assert len(statements) == 1
        assert history_suggestions(session, [], since=SINCE) == {}


@pytest.mark.usefixtures("history")
def test_a_later_window_forgets_what_fell_out_of_it(db: Database) -> None:
    with db.read() as session:
        (noise,) = keys(session, ("11-noise", DAXINGGONG))
        later = history_suggestions(session, [noise], since=T0 - timedelta(days=50))
        assert later[noise] == (CG, 4, 0.75)
        assert history_suggestions(session, [noise], since=T0 - timedelta(days=5)) == {}
        # from further back, SC's older work (three completions 90.01 days ago) wins
        earlier = history_suggestions(session, [noise], since=T0 - timedelta(days=91))
        assert earlier[noise] == (SC, 5, 1.0)


# -- the read service -------------------------------------------------------------------------------


@pytest.mark.usefixtures("dedicated_unit", "history")
def test_suggest_for_a_page_of_cases(db: Database, routing: RoutingService) -> None:
    with seeding(db) as seed:
        seed.case("11-noise", DEDICATED_GRID, code="MY-20261129-0001")
        seed.case("11-noise", DXG_GRID_1, code="MY-20261129-0002")
        seed.case("06-consult", DEDICATED_GRID, code="MY-20261129-0003")
        seed.case("06-consult", None, code="MY-20261129-0004")
    found = routing.suggest(
        ["MY-20261129-0001", "MY-20261129-0002", "MY-20261129-0003", "MY-20261129-0004", "NOPE"]
    )
    assert found == {
        "MY-20261129-0001": RoutingSuggestion(ZSW, "grid", SC, 2, 1.0),
        "MY-20261129-0002": RoutingSuggestion(CG, "category", CG, 4, 0.75),
        "MY-20261129-0003": RoutingSuggestion(None, None, None, 0, None),
        "MY-20261129-0004": RoutingSuggestion(None, None, SC, 2, 0.5),
    }
    assert routing.suggest([]) == {}
    assert routing.suggest(["NOPE"]) == {}


@pytest.mark.usefixtures("dedicated_unit", "history")
def test_suggest_for_a_form(routing: RoutingService) -> None:
    assert routing.suggest_for("11-noise", DEDICATED_GRID) == RoutingSuggestion(
        ZSW, "grid", SC, 2, 1.0
    )
    assert routing.suggest_for("11-noise", DXG_GRID_2) == RoutingSuggestion(
        CG, "category", CG, 4, 0.75
    )
    assert routing.suggest_for("06-consult", DXG_GRID_1) == RoutingSuggestion(
        JD, "community", None, 0, None
    )
    assert routing.suggest_for("11-water", None) == RoutingSuggestion(GS, "category", None, 0, None)
    with pytest.raises(ValidationFailed) as caught:
        routing.suggest_for("99-x", "320102002009001")
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("category", "代码“99-x”不存在"),
        ("grid", "代码“320102002009001”不存在"),
    ]


@pytest.mark.parametrize("username", ["disp", "lead", "liaison", "admin", "audit"])
def test_every_role_reads_suggestions(db: Database, clock: FrozenClock, username: str) -> None:
    suggestion = services_for(db, username, clock).routing.suggest_for("03-food", DXG_GRID_1)
    assert suggestion == RoutingSuggestion(SC, "category", None, 0, None)


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    statements: list[str] = []

    def count(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        statements.append(statement)

    event.listen(db.reader, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.reader, "before_cursor_execute", count)


@pytest.mark.usefixtures("dedicated_unit")
def test_a_page_costs_the_same_few_queries_as_one_case(
    db: Database, routing: RoutingService
) -> None:
    grids = [DXG_GRID_1, DXG_GRID_2, DEDICATED_GRID]
    categories = ["11-noise", "11-water", "06-consult", "03-food"]
    with seeding(db) as seed:
        page = [
            seed.case(categories[n % 4], grids[n % 3], code=f"MY-20261129-{n:04d}").code
            for n in range(50)
        ]
        departments = list(seed.departments)
        for n in range(150):
            seed.completed(categories[n % 4], grids[n % 3], departments[n % len(departments)])
    with counted_statements(db) as one:
        assert len(routing.suggest(page[:1])) == 1
    with counted_statements(db) as fifty:
        suggestions = routing.suggest(page)
    assert len(suggestions) == 50
    assert len(fifty) == len(one)
    assert len([s for s in fifty if s.lstrip().upper().startswith("SELECT")]) <= 4
    # and it is the same answer as asking case by case
    with seeding(db) as seed:
        keys_of = {
            case.code: (case.category_id, case.grid_id)
            for case in seed.session.execute(select(Case).where(col(Case.code).in_(page))).scalars()
        }
        category_codes = {ident: code for code, ident in seed.categories.items()}
        grid_codes = {row_id(grid): code for code, grid in seed.grids.items()}
    for code in page[:12]:
        category_id, grid_id = keys_of[code]
        assert grid_id is not None
        assert suggestions[code] == routing.suggest_for(
            category_codes[category_id], grid_codes[grid_id]
        )


def test_the_window_is_ninety_days_before_the_clock(
    db: Database, routing: RoutingService, clock: FrozenClock
) -> None:
    with seeding(db) as seed:
        seed.completed("03-food", DXG_GRID_1, "SC", days_ago=30)
    assert routing.suggest_for("03-food", DXG_GRID_1).history_completed == 1
    clock.advance(timedelta(days=61))
    assert routing.suggest_for("03-food", DXG_GRID_1).history is None


def test_history_is_read_again_only_after_the_cache_time(
    db: Database, routing: RoutingService, clock: FrozenClock
) -> None:
    """The dispatch pane re-reads its page whenever any console changes a case; the 90-day
    history behind its suggestions is read again only once it is older than HISTORY_CACHE."""
    from gridconsole.services.routing import HISTORY_CACHE

    with seeding(db) as seed:
        code = seed.case("03-food", DXG_GRID_1, code="MY-20261129-0001").code
        seed.completed("03-food", DXG_GRID_1, "SC", days_ago=3)
    assert routing.suggest([code])[code].history_completed == 1
    with seeding(db) as seed:
        seed.completed("03-food", DXG_GRID_1, "SC", days_ago=2)
    with counted_statements(db) as cached:
        assert routing.suggest([code])[code].history_completed == 1  # not yet read again
    clock.advance(HISTORY_CACHE)
    with counted_statements(db) as expired:
        assert routing.suggest([code])[code].history_completed == 2
    assert len(expired) == len(cached) + 1  # exactly the history aggregate, once more
