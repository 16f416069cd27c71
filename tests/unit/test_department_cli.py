"""``gridconsole department`` and ``gridconsole route``: the directory and routing from the
command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import DepartmentKind, Role
from gridconsole.services.departments import DepartmentService
from gridconsole.services.dispatch_records import DepartmentRecord
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.unit.test_cli import ME, on

DEDICATED_GRID = "320102002002001"
CHANGJIANG = "320102002002"


@pytest.fixture
def me_admin(db: Database, clock: FrozenClock) -> Database:
    """The OS user is an admin of the reference database."""
    ensure_operator(db, clock, username=ME, display_name="目录管理", role=Role.admin)
    return db


@pytest.fixture
def me_dispatcher(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    return db


def directory(db: Database, clock: FrozenClock) -> DepartmentService:
    return services_for(db, "audit", clock).departments


def run(db_url: str, tmp_path: Path, *args: str, lang: str = "en") -> Result:
    return on(db_url, tmp_path, *args, lang=lang)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def test_list_in_chinese_by_default_and_as_json(
    me_admin: Database, db_url: str, tmp_path: Path
) -> None:
    lines = ok(run(db_url, tmp_path, "department", "list", lang="zh")).splitlines()
    assert lines[0].split() == ["代码", "名称", "类型", "值班电话", "状态", "承办类别", "联络员"]
    assert [line.split() for line in lines[2:]] == [
        ["CG", "城管执法中队", "政府部门", "-", "启用", "11-noise", "赵联络"],
        ["GS", "供水公司", "公用事业单位", "-", "启用", "11-water", "-"],
        ["SC", "市场监管所", "政府部门", "-", "启用", "03-food", "周联络"],
    ]
    listed = json.loads(ok(run(db_url, tmp_path, "department", "list", "--json")))
    assert listed[0] == {
        "code": "CG",
        "name": "城管执法中队",
        "kind": "government",
        "duty_phone": "",
        "active": True,
        "category_codes": ["11-noise"],
        "liaison_names": ["赵联络"],
    }
    assert [entry["code"] for entry in listed] == ["CG", "GS", "SC"]


def test_add_change_disable_and_give_categories(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    args = (
        "department",
        "add",
        "ZSW",
        "总统府景区管理处",
        "--kind",
        "unit",
        "--phone",
        "025-84578888",
    )
    assert ok(run(db_url, tmp_path, *args)) == "department ZSW added: 总统府景区管理处\n"
    out = ok(run(db_url, tmp_path, "department", "categories", "ZSW", "11-noise", "03-food"))
    assert out == "department ZSW handles: 03-food 11-noise\n"
    out = ok(
        run(db_url, tmp_path, "department", "set", "ZSW", "--name", "总统府管理处", "--phone", "")
    )
    assert out == "department ZSW updated: 总统府管理处\n"
    out = ok(run(db_url, tmp_path, "department", "disable", "ZSW", lang="zh"))
    assert out == "已停用部门 ZSW：总统府管理处（派遣规则保留，派遣到该部门将被拒绝）\n"
    assert directory(me_admin, clock).list_departments()[-1] == DepartmentRecord(
        "ZSW", "总统府管理处", DepartmentKind.unit, "", False, ("03-food", "11-noise"), ()
    )
    out = ok(run(db_url, tmp_path, "department", "enable", "ZSW"))
    assert out == "department ZSW enabled: 总统府管理处\n"
    out = ok(run(db_url, tmp_path, "department", "set", "ZSW", "--kind", "government"))
    assert out == "department ZSW updated: 总统府管理处\n"
    record = directory(me_admin, clock).list_departments()[-1]
    assert (record.kind, record.active) == (DepartmentKind.government, True)


def test_routes_set_list_and_clear(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    ok(run(db_url, tmp_path, "department", "add", "ZSW", "总统府景区管理处", "--kind", "unit"))
    ok(run(db_url, tmp_path, "department", "categories", "ZSW", "11-noise"))
    out = ok(run(db_url, tmp_path, "route", "set", "11-noise", "ZSW", "--grid", DEDICATED_GRID))
    assert out == (
        "route set: 11-noise 噪音扰民 (grid 320102002002001 总统府专属网格) → ZSW 总统府景区管理处\n"
    )
    out = ok(
        run(
            db_url,
            tmp_path,
            "route",
            "set",
            "11-noise",
            "CG",
            "--community",
            CHANGJIANG,
            lang="zh",
        )
    )
    assert (
        out
        == "已设置派遣规则：11-noise 噪音扰民（社区 320102002002 长江路社区）→ CG 城管执法中队\n"
    )
    ok(run(db_url, tmp_path, "department", "categories", "SC", "03-food", "06-consult"))
    out = ok(run(db_url, tmp_path, "route", "set", "06-consult", "SC"))
    assert out == "route set: 06-consult 政策咨询 (category default) → SC 市场监管所\n"
    ok(run(db_url, tmp_path, "department", "disable", "ZSW"))
    lines = ok(run(db_url, tmp_path, "route", "list")).splitlines()
    assert lines[0].split() == ["category", "scope", "community/grid", "department"]
    assert [line.split() for line in lines[2:]] == [
        ["03-food", "食品安全", "category", "default", "-", "SC", "市场监管所"],
        ["06-consult", "政策咨询", "category", "default", "-", "SC", "市场监管所"],
        ["11-noise", "噪音扰民", "category", "default", "-", "CG", "城管执法中队"],
        ["11-noise", "噪音扰民", "community", CHANGJIANG, "长江路社区", "CG", "城管执法中队"],
        [
            "11-noise",
            "噪音扰民",
            "grid",
            DEDICATED_GRID,
            "总统府专属网格",
            "ZSW",
            "总统府景区管理处",
            "(inactive)",
        ],
        ["11-water", "供水漏水", "category", "default", "-", "GS", "供水公司"],
    ]
    routes = json.loads(ok(run(db_url, tmp_path, "route", "list", "--json")))
    assert routes[4] == {
        "category_code": "11-noise",
        "category_name": "噪音扰民",
        "scope": "grid",
        "scope_code": DEDICATED_GRID,
        "scope_name": "总统府专属网格",
        "department": {"code": "ZSW", "name": "总统府景区管理处"},
        "department_active": False,
    }
    out = ok(run(db_url, tmp_path, "route", "clear", "11-noise", "--grid", DEDICATED_GRID))
    assert out == (
        "route cleared: 11-noise 噪音扰民 (grid 320102002002001 总统府专属网格), "
        "it went to ZSW 总统府景区管理处\n"
    )
    out = ok(run(db_url, tmp_path, "route", "clear", "11-noise"))
    assert (
        out == "route cleared: 11-noise 噪音扰民 (category default), it went to CG 城管执法中队\n"
    )
    assert [
        (route.category_code, route.scope) for route in directory(me_admin, clock).routes()
    ] == [
        ("03-food", "category"),
        ("06-consult", "category"),
        ("11-noise", "community"),
        ("11-water", "category"),
    ]


def test_refusals_exit_1_with_the_reason(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    before = directory(me_admin, clock).list_departments()
    result = run(
        db_url, tmp_path, "department", "add", "bad code", " ", "--kind", "unit", "--phone", "12"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "invalid input: code: 'bad code' is not a code (1–32 letters, digits, _ or -); "
        "name: required; duty_phone: '12' is not a valid phone number\n"
    )
    result = run(db_url, tmp_path, "department", "categories", "CG", "03-food", lang="zh")
    assert result.exit_code == 1
    assert result.stderr == "输入有误：categories: 类别“11-noise”仍派往本部门：请先修改派遣规则\n"
    result = run(db_url, tmp_path, "route", "set", "11-noise", "SC", "--grid", DEDICATED_GRID)
    assert result.exit_code == 1
    assert result.stderr == (
        "invalid input: department: department SC does not handle category 11-noise: "
        "add it with gridconsole department categories first\n"
    )
    result = run(db_url, tmp_path, "route", "clear", "11-noise", "--community", CHANGJIANG)
    assert result.exit_code == 1
    assert result.stderr == "category 11-noise has no route for community 320102002002\n"
    result = run(db_url, tmp_path, "department", "disable", "XX")
    assert result.exit_code == 1
    assert result.stderr == "invalid input: department: no such code 'XX'\n"
    assert directory(me_admin, clock).list_departments() == before


def test_usage_errors_exit_2(me_admin: Database, db_url: str, tmp_path: Path) -> None:
    result = run(
        db_url,
        tmp_path,
        "route",
        "set",
        "11-noise",
        "CG",
        "--grid",
        DEDICATED_GRID,
        "--community",
        CHANGJIANG,
    )
    assert result.exit_code == 2
    assert "give --community or --grid, not both" in result.stderr
    result = run(db_url, tmp_path, "route", "clear", "11-noise", "--grid", "x", "--community", "y")
    assert result.exit_code == 2
    result = run(db_url, tmp_path, "department", "set", "CG")
    assert result.exit_code == 2
    assert "nothing to change: give --name, --kind or --phone" in result.stderr
    assert (
        run(db_url, tmp_path, "department", "add", "JD", "街道办", "--kind", "bureau").exit_code
        == 2
    )
    assert run(db_url, tmp_path, "department", "add", "JD", "街道办").exit_code == 2
    assert run(db_url, tmp_path, "department", "categories", "CG").exit_code == 2


def test_only_an_admin_changes_the_directory(
    me_dispatcher: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    before = (
        directory(me_dispatcher, clock).list_departments(),
        directory(me_dispatcher, clock).routes(),
    )
    for args in (
        ("department", "add", "JD", "街道办", "--kind", "government"),
        ("department", "set", "CG", "--name", "改名"),
        ("department", "disable", "CG"),
        ("department", "enable", "CG"),
        ("department", "categories", "CG", "11-noise", "06-consult"),
        ("route", "set", "11-noise", "CG", "--grid", DEDICATED_GRID),
        ("route", "clear", "11-noise"),
    ):
        result = run(db_url, tmp_path, *args, lang="zh")
        assert result.exit_code == 1, result.output
        assert result.stderr == "值班测试（调度员）无权执行“维护部门目录”\n"
    assert (
        directory(me_dispatcher, clock).list_departments(),
        directory(me_dispatcher, clock).routes(),
    ) == before
    # reading is for everyone
    ok(run(db_url, tmp_path, "department", "list"))
    ok(run(db_url, tmp_path, "route", "list"))
