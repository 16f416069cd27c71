"""The department directory and its routes: admins change them in one transaction each, every
operator reads them, and a refusal names every problem and writes nothing — on SQLite and on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import DepartmentKind
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.i18n import set_locale
from gridconsole.services.departments import DepartmentService
from gridconsole.services.dispatch_records import DepartmentRecord, DepartmentRef
from gridconsole.services.routing import NoDefaultRoute, RouteNotFound, RouteRecord
from gridconsole.store.engine import Database
from gridconsole.store.models import (
    CaseCategory,
    Department,
    DepartmentCategory,
    RoutingRule,
)
from tests.factories import OPERATORS, services_for

NON_ADMINS = ("disp", "lead", "liaison", "audit")
DEDICATED_GRID = "320102002002001"  # 总统府专属网格, in 长江路社区
CHANGJIANG = "320102002002"
DAXINGGONG_GRID = "320102002001001"


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def service(db: Database, clock: FrozenClock, username: str = "admin") -> DepartmentService:
    return services_for(db, username, clock).departments


@pytest.fixture
def admin(db: Database, clock: FrozenClock) -> DepartmentService:
    return service(db, clock)


def stored(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the directory and routing keep, to compare before and after a refusal."""
    with db.read() as session:
        return {
            "departments": sorted(
                (row.code, row.name, row.kind, row.duty_phone, row.active)
                for row in session.execute(select(Department)).scalars()
            ),
            "handles": sorted(
                (row.department_id, row.category_id)
                for row in session.execute(select(DepartmentCategory)).scalars()
            ),
            "rules": sorted(
                (row.category_id, row.community_id or 0, row.grid_id or 0, row.department_id)
                for row in session.execute(select(RoutingRule)).scalars()
            ),
            "defaults": sorted(
                (row.code, row.default_department_id or 0)
                for row in session.execute(select(CaseCategory)).scalars()
            ),
        }


def refused(db: Database, call: Callable[[], object]) -> dict[str, str]:
    """Run ``call``, expect a validation refusal that leaves the database as it was, and return
    its problems by field (several problems of one field joined with " | ")."""
    before = stored(db)
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert stored(db) == before
    problems: dict[str, str] = {}
    for problem in caught.value.problems:
        problems[problem.field] = " | ".join(
            filter(None, [problems.get(problem.field), problem.message])
        )
    return problems


# -- reading the directory ------------------------------------------------------------------------


def test_every_role_lists_the_directory_by_code(db: Database, clock: FrozenClock) -> None:
    expected = (
        DepartmentRecord(
            "CG", "城管执法中队", DepartmentKind.government, "", True, ("11-noise",), ("赵联络",)
        ),
        DepartmentRecord("GS", "供水公司", DepartmentKind.utility, "", True, ("11-water",), ()),
        DepartmentRecord(
            "SC", "市场监管所", DepartmentKind.government, "", True, ("03-food",), ("周联络",)
        ),
    )
    for username in OPERATORS:
        assert service(db, clock, username).list_departments() == expected


def test_liaisons_are_the_active_liaison_operators(admin: DepartmentService, db: Database) -> None:
    from gridconsole.store.models import Operator

    with db.write() as session:
        cg = session.execute(select(Department).where(Department.code == "CG")).scalar_one()  # type: ignore[arg-type]
        liaison = session.execute(
            select(Operator).where(Operator.username == "liaison")
        ).scalar_one()  # type: ignore[arg-type]
        liaison.active = False
        session.add(
            Operator(
                username="liaison3",
                display_name="吴联络",
                role=liaison.role,
                department_id=cg.id,
                created_at=liaison.created_at,
            )
        )
    (cg_record,) = [record for record in admin.list_departments() if record.code == "CG"]
    assert cg_record.liaison_names == ("吴联络",)


# -- adding and changing departments --------------------------------------------------------------


def test_add_cleans_the_input_and_returns_the_entry(admin: DepartmentService, db: Database) -> None:
    record = admin.add(
        code="ZSW",
        name="  总统府\u202e景区\t管理处 ",
        kind=DepartmentKind.unit,
        duty_phone="025-8457 8888",
    )
    assert record == DepartmentRecord(
        "ZSW", "总统府景区 管理处", DepartmentKind.unit, "02584578888", True, (), ()
    )
    assert [entry.code for entry in admin.list_departments()] == ["CG", "GS", "SC", "ZSW"]
    assert admin.list_departments()[-1] == record


def test_markup_in_a_name_is_kept_as_written(admin: DepartmentService) -> None:
    record = admin.add(code="x_1-A", name="[bold]燃气公司[/bold]", kind=DepartmentKind.utility)
    assert record.name == "[bold]燃气公司[/bold]"
    assert record.duty_phone == ""


def test_add_names_every_problem_and_writes_nothing(admin: DepartmentService, db: Database) -> None:
    problems = refused(
        db, lambda: admin.add(code="城管 1", name=" \t", kind=DepartmentKind.unit, duty_phone="12")
    )
    assert problems == {
        "code": "“城管 1”不是有效代码（1–32 个字母、数字、_ 或 -）",
        "name": "必填",
        "duty_phone": "“12”不是有效的电话号码",
    }
    problems = refused(
        db,
        lambda: admin.add(code="A" * 33, name="名" * 65, kind="bureau"),  # type: ignore[arg-type]
    )
    assert set(problems) == {"code", "name", "kind"}
    assert problems["name"] == "最多 64 个字符（现为 65 个）"
    assert problems["kind"] == "“bureau”不是可选值之一：government, utility, unit"
    assert refused(db, lambda: admin.add(code="", name="无代码", kind=DepartmentKind.unit)) == {
        "code": "必填"
    }


def test_a_code_is_unique(admin: DepartmentService, db: Database) -> None:
    problems = refused(
        db, lambda: admin.add(code="CG", name="另一个城管", kind=DepartmentKind.unit)
    )
    assert problems == {"code": "代码“CG”已被其他部门使用"}


def test_update_changes_only_what_is_given(admin: DepartmentService) -> None:
    record = admin.update("GS", duty_phone="96889")
    assert (record.name, record.kind, record.duty_phone) == (
        "供水公司",
        DepartmentKind.utility,
        "96889",
    )
    record = admin.update("GS", name="南京水务集团", kind=DepartmentKind.government)
    assert (record.name, record.kind, record.duty_phone) == (
        "南京水务集团",
        DepartmentKind.government,
        "96889",
    )
    assert admin.update("GS", duty_phone="").duty_phone == ""
    assert admin.update("GS") == admin.list_departments()[1]


def test_update_refusals(admin: DepartmentService, db: Database) -> None:
    assert refused(db, lambda: admin.update("XX", name="", duty_phone="abc")) == {
        "name": "必填",
        "duty_phone": "“abc”不是有效的电话号码",
        "department": "代码“XX”不存在",
    }
    assert refused(db, lambda: admin.update("CG", name="名" * 65)) == {
        "name": "最多 64 个字符（现为 65 个）"
    }


def test_disable_and_enable(admin: DepartmentService, db: Database) -> None:
    assert admin.set_active("SC", False).active is False
    assert [entry.code for entry in admin.list_departments(include_inactive=False)] == ["CG", "GS"]
    assert [entry.code for entry in admin.list_departments()] == ["CG", "GS", "SC"]
    assert admin.set_active("SC", True).active is True
    assert refused(db, lambda: admin.set_active("XX", False)) == {"department": "代码“XX”不存在"}


def test_set_categories_replaces_the_set(admin: DepartmentService, db: Database) -> None:
    record = admin.set_categories("SC", ["06-consult", "03-food", " 06-consult"])
    assert record.category_codes == ("03-food", "06-consult")
    record = admin.set_categories("GS", ["11-water", "11-noise"])
    assert record.category_codes == ("11-noise", "11-water")
    assert admin.set_categories("GS", ["11-noise", "11-water"]).category_codes == (
        "11-noise",
        "11-water",
    )
    record = admin.add(code="JD", name="街道办", kind=DepartmentKind.government)
    assert admin.set_categories("JD", ["06-consult"]).category_codes == ("06-consult",)
    assert admin.set_categories("JD", []).category_codes == ()
    handled = {entry.code: entry.category_codes for entry in admin.list_departments()}
    assert handled == {
        "CG": ("11-noise",),
        "GS": ("11-noise", "11-water"),
        "JD": (),
        "SC": ("03-food", "06-consult"),
    }


def test_set_categories_names_every_unknown_code(admin: DepartmentService, db: Database) -> None:
    assert refused(db, lambda: admin.set_categories("SC", ["03-food", "99-x", "98-y"])) == {
        "categories": "代码“99-x”不存在 | 代码“98-y”不存在"
    }
    assert refused(db, lambda: admin.set_categories("XX", ["99-x"])) == {
        "department": "代码“XX”不存在",
        "categories": "代码“99-x”不存在",
    }


def test_a_category_still_routed_to_the_department_cannot_be_dropped(
    admin: DepartmentService, db: Database
) -> None:
    # CG is 11-noise's default department
    assert refused(db, lambda: admin.set_categories("CG", ["03-food"])) == {
        "categories": "类别“11-noise”仍派往本部门：请先修改派遣规则"
    }
    # nor through a rule: GS takes 11-noise by default, CG keeps one grid
    admin.set_categories("GS", ["11-water", "11-noise"])
    admin.set_route(category_code="11-noise", department_code="GS")
    admin.set_route(category_code="11-noise", department_code="CG", grid_code=DAXINGGONG_GRID)
    assert set(refused(db, lambda: admin.set_categories("CG", []))) == {"categories"}
    admin.clear_route(category_code="11-noise", grid_code=DAXINGGONG_GRID)
    assert admin.set_categories("CG", []).category_codes == ()


# -- routes -------------------------------------------------------------------------------------


def route(
    category: str,
    scope: str,
    code: str,
    name: str,
    department: tuple[str, str],
    active: bool = True,
) -> RouteRecord:
    return RouteRecord(
        category,
        CATEGORY_NAMES[category],
        scope,
        code,
        name,
        DepartmentRef(*department),
        active,  # type: ignore[arg-type]
    )


CATEGORY_NAMES = {
    "11-noise": "噪音扰民",
    "11-water": "供水漏水",
    "06-consult": "政策咨询",
    "03-food": "食品安全",
}
CG = ("CG", "城管执法中队")
GS = ("GS", "供水公司")
SC = ("SC", "市场监管所")
ZSW = ("ZSW", "总统府景区管理处")


def test_the_reference_routes_are_the_category_defaults(db: Database, clock: FrozenClock) -> None:
    expected = (
        route("03-food", "category", "", "", SC),
        route("11-noise", "category", "", "", CG),
        route("11-water", "category", "", "", GS),
    )
    for username in OPERATORS:
        assert service(db, clock, username).routes() == expected


def test_set_routes_for_a_community_and_a_dedicated_grid(admin: DepartmentService) -> None:
    admin.add(code="ZSW", name="总统府景区管理处", kind=DepartmentKind.unit)
    admin.set_categories("ZSW", ["11-noise", "03-food"])
    admin.set_categories("SC", ["03-food", "11-noise"])
    grid_route = admin.set_route(
        category_code="11-noise", department_code="ZSW", grid_code=DEDICATED_GRID
    )
    assert grid_route == route("11-noise", "grid", DEDICATED_GRID, "总统府专属网格", ZSW)
    community_route = admin.set_route(
        category_code="11-noise", department_code="SC", community_code=CHANGJIANG
    )
    assert community_route == route("11-noise", "community", CHANGJIANG, "长江路社区", SC)
    admin.set_route(category_code="03-food", department_code="ZSW", grid_code=DEDICATED_GRID)
    assert admin.routes() == (
        route("03-food", "category", "", "", SC),
        route("03-food", "grid", DEDICATED_GRID, "总统府专属网格", ZSW),
        route("11-noise", "category", "", "", CG),
        route("11-noise", "community", CHANGJIANG, "长江路社区", SC),
        route("11-noise", "grid", DEDICATED_GRID, "总统府专属网格", ZSW),
        route("11-water", "category", "", "", GS),
    )
    # setting a scope again replaces its route: still one rule for it
    admin.set_route(category_code="11-noise", department_code="CG", grid_code=DEDICATED_GRID)
    assert admin.routes()[4] == route("11-noise", "grid", DEDICATED_GRID, "总统府专属网格", CG)
    assert len(admin.routes()) == 6
    # a disabled department's routes stay, marked
    admin.set_active("ZSW", False)
    assert admin.routes()[1] == route(
        "03-food", "grid", DEDICATED_GRID, "总统府专属网格", ZSW, active=False
    )


def test_set_the_default_department_of_a_category(admin: DepartmentService, db: Database) -> None:
    admin.set_categories("SC", ["03-food", "06-consult"])
    assert admin.set_route(category_code="06-consult", department_code="SC") == route(
        "06-consult", "category", "", "", SC
    )
    admin.set_categories("GS", ["11-water", "11-noise"])
    admin.set_route(category_code="11-noise", department_code="GS")
    with db.read() as session:
        defaults = dict(
            session.execute(
                select(CaseCategory.code, Department.code).join(
                    Department, Department.id == CaseCategory.default_department_id
                )
            ).all()
        )  # type: ignore[arg-type]
    assert defaults == {"03-food": "SC", "06-consult": "SC", "11-noise": "GS", "11-water": "GS"}


def test_set_route_names_every_problem_and_writes_nothing(
    admin: DepartmentService, db: Database
) -> None:
    assert refused(
        db,
        lambda: admin.set_route(
            category_code="99-x",
            department_code="XX",
            community_code="320102002009",
            grid_code="320102002009001",
        ),
    ) == {
        "grid": "社区和网格只能给出一个 | 代码“320102002009001”不存在",
        "department": "代码“XX”不存在",
        "category": "代码“99-x”不存在",
        "community": "代码“320102002009”不存在",
    }
    # a department that does not handle the category
    assert refused(
        db,
        lambda: admin.set_route(
            category_code="11-noise", department_code="SC", grid_code=DEDICATED_GRID
        ),
    ) == {
        "department": "部门“SC”不承办类别“11-noise”：请先用 gridconsole department categories 添加"
    }
    # nor an inactive one
    admin.set_active("CG", False)
    assert refused(
        db,
        lambda: admin.set_route(
            category_code="11-noise", department_code="CG", grid_code=DEDICATED_GRID
        ),
    ) == {"department": "部门“CG”已停用，不能设为派遣去向"}


def test_clear_route_returns_what_it_removed(admin: DepartmentService, db: Database) -> None:
    admin.set_route(category_code="11-noise", department_code="CG", community_code=CHANGJIANG)
    admin.set_route(category_code="11-noise", department_code="CG", grid_code=DEDICATED_GRID)
    assert admin.clear_route(category_code="11-noise", grid_code=DEDICATED_GRID) == route(
        "11-noise", "grid", DEDICATED_GRID, "总统府专属网格", CG
    )
    assert admin.clear_route(category_code="11-noise", community_code=CHANGJIANG) == route(
        "11-noise", "community", CHANGJIANG, "长江路社区", CG
    )
    assert admin.clear_route(category_code="11-noise") == route("11-noise", "category", "", "", CG)
    assert [entry.category_code for entry in admin.routes()] == ["03-food", "11-water"]


def test_clearing_a_route_that_is_not_there_is_refused(
    admin: DepartmentService, db: Database
) -> None:
    before = stored(db)
    with pytest.raises(RouteNotFound) as caught:
        admin.clear_route(category_code="11-noise", grid_code=DEDICATED_GRID)
    assert str(caught.value) == "类别“11-noise”在网格 320102002002001 没有派遣规则"
    with pytest.raises(NoDefaultRoute) as default_caught:
        admin.clear_route(category_code="06-consult")
    set_locale("en")
    assert str(default_caught.value) == "category 06-consult has no default department"
    assert stored(db) == before
    assert refused(
        db, lambda: admin.clear_route(category_code="11-noise", community_code="9", grid_code="8")
    ) == {
        "grid": "give a community or a grid, not both | no such code '8'",
        "community": "no such code '9'",
    }


# -- who may change it ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", NON_ADMINS)
def test_only_an_admin_changes_the_directory(
    db: Database, clock: FrozenClock, username: str
) -> None:
    other = service(db, clock, username)
    before = stored(db)
    calls: list[Callable[[], object]] = [
        lambda: other.add(code="JD", name="街道办", kind=DepartmentKind.government),
        lambda: other.update("CG", name="改名"),
        lambda: other.set_active("CG", False),
        lambda: other.set_categories("CG", ["11-noise", "06-consult"]),
        lambda: other.set_route(
            category_code="11-noise", department_code="CG", grid_code=DEDICATED_GRID
        ),
        lambda: other.clear_route(category_code="11-noise"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="无权执行“维护部门目录”"):
            call()
    assert stored(db) == before
    # and reading stays open to them
    assert len(other.list_departments()) == 3
    assert len(other.routes()) == 3
