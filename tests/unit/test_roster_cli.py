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
from tests.factories import services_for
from tests.unit.test_cli import ME, on
from tests.unit.test_privacy_reveal import reveals

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
    assert "手机: 138****1234" in shown
    assert "13851001234" not in shown
    assert "320102198806150219" not in shown
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


def test_show_masks_and_reveals_only_with_a_reason(
    me_admin: Database, db_url: str, tmp_path: Path
) -> None:
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
    worker_id = str(next(row["id"] for row in data["rows"] if row["name"] == "陈静"))
    masked = json.loads(ok(run(db_url, tmp_path, "roster", "show", worker_id, "--json")))
    assert (masked["mobile"], masked["id_number"]) == ("138****1234", "3201**********0219")
    assert masked["revealed"] == {}
    assert "13851001234" not in json.dumps(masked)
    assert reveals(me_admin) == []
    shown = ok(run(db_url, tmp_path, "roster", "show", worker_id, "--reveal", "核对身份证号码"))
    assert "手机: 13851001234（已查看，已记录）" in shown
    assert "身份证: 320102198806150219（已查看，已记录）" in shown
    entries = reveals(me_admin)
    assert [(entry.subject, json.loads(entry.detail)["reason"]) for entry in entries] == [
        (f"worker:{worker_id}", "核对身份证号码")
    ]
    data = json.loads(
        ok(run(db_url, tmp_path, "roster", "show", worker_id, "--json", "--reveal", "核对"))
    )
    assert data["revealed"] == {
        "worker_mobile": "13851001234",
        "worker_id_number": "320102198806150219",
    }
    assert data["mobile"] == "138****1234"  # the record itself stays masked
    assert len(reveals(me_admin)) == 2
    # no reason: refused, nothing shown, nothing recorded
    empty = run(db_url, tmp_path, "roster", "show", worker_id, "--reveal", "  ")
    assert empty.exit_code == 1
    assert "13851001234" not in empty.output
    assert len(reveals(me_admin)) == 2


@pytest.mark.parametrize(
    ("role", "mobile", "id_number"),
    [
        # a dispatcher may reveal a worker's mobile, not the ID number
        (Role.dispatcher, "13851001234（已查看，已记录）", "3201**********0219"),
        (Role.auditor, None, None),  # reads the roster, reveals nothing
    ],
)
def test_show_reveal_follows_the_role(
    db: Database,
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    role: Role,
    mobile: str | None,
    id_number: str | None,
) -> None:
    ensure_operator(db, clock, username=ME, display_name="名册读者", role=role)
    admin = services_for(db, "admin", clock)
    worker = admin.roster.add_worker(
        {
            "name": "陈静",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": "13851001234",
            "id_number": "320102198806150219",
            "grids": "320102002001001",
        }
    )
    worker_id = str(worker.row.id)
    result = run(db_url, tmp_path, "roster", "show", worker_id, "--reveal", "电话联系核查")
    if mobile is None:
        assert result.exit_code == 1
        assert "无权执行“查看网格员手机号码”" in result.stderr
        assert "13851001234" not in result.output
        assert reveals(db) == []
        return
    shown = ok(result)
    assert f"手机: {mobile}" in shown
    assert f"身份证: {id_number}" in shown
    assert "320102198806150219" not in shown
    assert len(reveals(db)) == 1
