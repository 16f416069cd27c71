"""Roster import (all-or-nothing, row-numbered problems), export round trip, public notice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gridconsole.clock import FrozenClock
from gridconsole.domain.errors import PermissionDenied
from gridconsole.services.bundle import Services
from gridconsole.services.roster_files import (
    GRID_COLUMNS,
    RosterKind,
    export_roster,
    import_roster,
    notice_text,
    write_notice,
)
from gridconsole.services.roster_records import RosterQuery
from gridconsole.store.engine import Database
from tests.factories import build_reference_database, services_for

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def admin(any_db: Database, clock: FrozenClock) -> Services:
    services = services_for(any_db, "admin", clock)
    services.roster.refresh_search_keys()
    return services


def rendered(report_problems: tuple[object, ...], name: str) -> list[str]:
    return [problem.render(name) for problem in report_problems]  # type: ignore[attr-defined]


def test_good_grid_and_worker_files_import(admin: Services) -> None:
    grids = import_roster(admin.roster, DATA / "roster_grids_good.csv", RosterKind.grids)
    assert grids.accepted, rendered(grids.problems, "grids")
    assert grids.written == 3
    workers = import_roster(admin.roster, DATA / "roster_workers_good.csv", RosterKind.workers)
    assert workers.accepted, rendered(workers.problems, "workers")
    assert workers.written == 3
    page = admin.roster.page(RosterQuery(text="chenj"))
    assert [row.name for row in page.rows] == ["陈静"]
    assert page.rows[0].heads == ("320102002001001",)
    liu = admin.roster.page(RosterQuery(text="刘洋")).rows[0]
    assert liu.heads == ("320102002001002", "320102002002001")
    dedicated = admin.roster.grid("320102002002003")
    assert (dedicated.unit_name, dedicated.units, dedicated.staff) == ("江苏省美术馆", 1, 120)
    assert len(admin.roster.grid_changes()) == 3  # each new grid filed as 新划分


def test_a_bad_grid_file_is_refused_with_every_problem_and_nothing_written(
    admin: Services,
) -> None:
    report = import_roster(admin.roster, DATA / "roster_grids_bad.csv", RosterKind.grids)
    lines = rendered(report.problems, "grids.csv")
    assert lines == [
        "grids.csv:2: code: 网格编码 320102002001001 已被“大行宫第一网格”使用",
        "grids.csv:3: code: “32010200200100X”应为 15 位数字（社区区划代码加序号）",
        "grids.csv:4: community: 社区“999999999999”不存在",
        "grids.csv:5: unit_name: 专属网格须填写所属单位（第六条）",
        "grids.csv:6: households: “很多”不是非负整数",
    ]
    assert report.written == 0
    assert len(admin.roster.tree()[0].grids) == 2


def test_a_bad_worker_file_is_refused_by_row_and_column(admin: Services) -> None:
    report = import_roster(admin.roster, DATA / "roster_workers_bad.csv", RosterKind.workers)
    lines = rendered(report.problems, "w.csv")
    assert lines[0].startswith("w.csv:2: id_number: 未满十八周岁（现年 16 岁）")
    assert lines[1].startswith("w.csv:3: id_number: “")
    assert "校验码不正确" in lines[1]
    assert lines[2].startswith("w.csv:4: criminal: 受过刑事处罚")
    assert lines[3] == "w.csv:5: id_number: “320102198806150219”在第 4 行已出现"
    assert lines[4].startswith("w.csv:6: head_of: 网格长须由网格长或专职网格员担任")
    assert lines[5].startswith("w.csv:7: mobile: “1385100”不是有效的手机号码")
    assert lines[6] == "w.csv:7: grids: 网格“320102009009009”不存在"
    assert len(lines) == 7
    assert admin.roster.page(RosterQuery(include_left=True)).total == 0


def test_header_problems_stop_the_file(admin: Services, tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("姓名,身份,shoe size\n张三,full_time,42\n", encoding="utf-8")
    report = import_roster(admin.roster, path, RosterKind.workers)
    lines = rendered(report.problems, "w.csv")
    # 身份 is a heading of the role column; 姓名 is not one of ours (名称 is)
    assert lines[0].startswith("w.csv:1: header: 未知的列：姓名, shoe size（可用：name, role,")
    assert lines[1] == "w.csv:1: header: 缺少必需的列：name"
    assert len(lines) == 2


def test_chinese_headings_are_read(admin: Services, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "社区编码,网格编码,名称,户数\n320102002001,320102002001005,第五网格,400\n", encoding="utf-8"
    )
    report = import_roster(admin.roster, path, RosterKind.grids)
    assert report.accepted, rendered(report.problems, "g.csv")


def test_excel_import_reports_sheet_rows_and_numeric_id_cells(
    admin: Services, tmp_path: Path
) -> None:
    path = tmp_path / "workers.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "role", "mobile", "id_number", "grids", "citizen", "criminal"])
    sheet.append(
        ["陈静", "full_time", 13851001234, 320102198806150215, "320102002001001", "是", "否"]
    )
    workbook.save(path)
    report = import_roster(admin.roster, path, RosterKind.workers)
    lines = rendered(report.problems, "workers.xlsx")
    assert lines[0].startswith("workers.xlsx:2: id_number: Excel 中为数字格式")
    # the numeric mobile cell is read as its digits; without its ID number the row fails
    assert lines[1:] == [
        "workers.xlsx:2: id_number: 专职网格员须登记居民身份证号码（第十四条核验年龄）"
    ]
    assert report.written == 0


def test_export_round_trips_into_an_empty_roster(
    admin: Services, tmp_path: Path, clock: FrozenClock, new_empty_db_url: Callable[[], str]
) -> None:
    assert import_roster(admin.roster, DATA / "roster_grids_good.csv", RosterKind.grids).accepted
    assert import_roster(
        admin.roster, DATA / "roster_workers_good.csv", RosterKind.workers
    ).accepted
    for suffix in ("csv", "xlsx"):
        grids_file = tmp_path / f"grids.{suffix}"
        workers_file = tmp_path / f"workers.{suffix}"
        assert export_roster(admin.roster, grids_file, RosterKind.grids) == 6
        assert export_roster(admin.roster, workers_file, RosterKind.workers) == 3
        other = build_reference_database(new_empty_db_url())
        try:
            target = services_for(other, "admin", clock)
            # the reference grids are in the other database already: import only the new ones
            if suffix == "xlsx":
                book = load_workbook(grids_file)
                sheet = book.worksheets[0]
                assert [cell.value for cell in sheet[1]] == list(GRID_COLUMNS)
                for row in range(sheet.max_row, 1, -1):
                    if sheet.cell(row, 2).value in (
                        "320102002001001",
                        "320102002001002",
                        "320102002002001",
                    ):
                        sheet.delete_rows(row)
                book.save(grids_file)
            else:
                kept = [
                    line
                    for line in grids_file.read_text(encoding="utf-8-sig").splitlines()
                    if line.split(",")[1]
                    not in ("320102002001001", "320102002001002", "320102002002001")
                ]
                grids_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
            report = import_roster(target.roster, grids_file, RosterKind.grids)
            assert report.accepted, rendered(report.problems, grids_file.name)
            report = import_roster(target.roster, workers_file, RosterKind.workers)
            assert report.accepted, rendered(report.problems, workers_file.name)
            assert target.roster.page(RosterQuery()).total == 3
        finally:
            other.dispose()


def test_export_needs_the_admin(any_db: Database, clock: FrozenClock, tmp_path: Path) -> None:
    dispatcher = services_for(any_db, "disp", clock)
    with pytest.raises(PermissionDenied):
        export_roster(dispatcher.roster, tmp_path / "w.csv", RosterKind.workers)


def test_formula_looking_text_is_exported_as_text(admin: Services, tmp_path: Path) -> None:
    admin.roster.add_worker(
        {"name": "=HYPERLINK(1)", "role": "part_time", "part_time_category": "志愿者"}
    )
    path = tmp_path / "w.csv"
    export_roster(admin.roster, path, RosterKind.workers)
    assert "'=HYPERLINK(1)" in path.read_text(encoding="utf-8-sig")


def test_public_notice_as_text_and_excel(admin: Services, tmp_path: Path) -> None:
    import_roster(admin.roster, DATA / "roster_workers_good.csv", RosterKind.workers)
    notice = admin.roster.public_notice()
    text = notice_text(notice, "梅园街道网格化服务管理中心")
    assert "第十九条" in text
    assert "网格长：陈静 13851001234" in text
    assert "专职网格员：陈静 13851001234" in text
    assert "周敏" not in text  # part-time workers are not published
    path = tmp_path / "notice.xlsx"
    assert write_notice(notice, path, "梅园街道网格化服务管理中心") == 3
    sheet = load_workbook(path).worksheets[0]
    assert "第十九条" in str(sheet["A1"].value)
    assert [cell.value for cell in sheet[3]][:6] == [
        "大行宫社区",
        "320102002001001",
        "大行宫第一网格",
        None,
        "陈静",
        "13851001234",
    ]
