"""``gridconsole roster``: the roster from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from tests.unit.test_cli import ME, on

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def me_admin(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=ME, display_name="名册管理", role=Role.admin)
    return db


def run(db_url: str, tmp_path: Path, *args: str, lang: str = "zh") -> Result:
    return on(db_url, tmp_path, *args, lang=lang)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_import_list_show_notice_and_coverage(
    me_admin: Database, db_url: str, tmp_path: Path
) -> None:
    ok(run(db_url, tmp_path, "roster", "reindex"))
    out = ok(
        run(
            db_url,
            tmp_path,
            "roster",
            "import",
            str(DATA / "roster_grids_good.csv"),
            "--kind",
            "grids",
        )
    )
    assert "已导入 3 行" in out
    ok(
        run(
            db_url,
            tmp_path,
            "roster",
            "import",
            str(DATA / "roster_workers_good.csv"),
            "--kind",
            "workers",
        )
    )
    listed = ok(run(db_url, tmp_path, "roster", "list", "--search", "chenj"))
    assert "陈静" in listed
    assert "138****1234" in listed
    assert "显示 1 / 1 人" in listed
    data = json.loads(ok(run(db_url, tmp_path, "roster", "list", "--json")))
    assert data["total"] == 3
    worker_id = next(row["id"] for row in data["rows"] if row["name"] == "陈静")
    shown = ok(run(db_url, tmp_path, "roster", "show", str(worker_id)))
    # no full number on stdout without a reveal, not even the admin's who keeps the roster
    assert "138****1234" in shown
    assert "13851001234" not in shown
    notice = ok(run(db_url, tmp_path, "roster", "notice", "-"))
    assert "网格长：陈静 13851001234" in notice
    coverage = run(db_url, tmp_path, "roster", "coverage")
    # the new grids have no head yet: a breach, exit status 1
    assert coverage.exit_code == 1
    assert "未确定网格长" in coverage.stdout
    ok(run(db_url, tmp_path, "roster", "duty", str(worker_id), "on"))
    assert "今日值班" in ok(run(db_url, tmp_path, "roster", "list", "--search", "chenj"))


def test_bad_file_is_refused_with_rows_on_stderr(
    me_admin: Database, db_url: str, tmp_path: Path
) -> None:
    result = run(
        db_url,
        tmp_path,
        "roster",
        "import",
        str(DATA / "roster_workers_bad.csv"),
        "--kind",
        "workers",
    )
    assert result.exit_code == 1
    assert "roster_workers_bad.csv:2: id_number: 未满十八周岁" in result.stderr
    assert "整个文件未导入" in result.stderr
    data = json.loads(ok(run(db_url, tmp_path, "roster", "list", "--all", "--json")))
    assert data["total"] == 0


def test_complaint_from_the_command_line(me_admin: Database, db_url: str, tmp_path: Path) -> None:
    ok(
        run(
            db_url,
            tmp_path,
            "roster",
            "import",
            str(DATA / "roster_workers_good.csv"),
            "--kind",
            "workers",
        )
    )
    data = json.loads(ok(run(db_url, tmp_path, "roster", "list", "--json")))
    worker_id = data["rows"][0]["id"]
    out = ok(
        run(
            db_url,
            tmp_path,
            "roster",
            "complain",
            str(worker_id),
            "--source",
            "hotline",
            "--content",
            "未按时走访",
        )
    )
    assert "已登记投诉 #1" in out
    out = ok(
        run(
            db_url,
            tmp_path,
            "roster",
            "handle",
            "1",
            "--outcome",
            "unsubstantiated",
            "--note",
            "核实无此事",
        )
    )
    assert "不属实" in out
