"""``gridconsole calendar``: hand-entered holiday notices from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.domain.work_calendar import DayKind
from gridconsole.services.calendar import CalendarService
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from tests.factories import services_for
from tests.unit.test_cli import ME, on


@pytest.fixture
def me_admin(db: Database, clock: FrozenClock) -> Database:
    """The OS user is an admin of the reference database."""
    ensure_operator(db, clock, username=ME, display_name="日历管理", role=Role.admin)
    return db


@pytest.fixture
def me_dispatcher(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    return db


def days(db: Database, clock: FrozenClock) -> dict[date, DayKind]:
    return CalendarService(services_for(db, "audit", clock).context).overrides()


def run(db_url: str, tmp_path: Path, *args: str, lang: str = "en") -> Result:
    return on(db_url, tmp_path, "calendar", *args, lang=lang)


def test_set_list_and_remove(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    result = run(db_url, tmp_path, "set", "2027-01-01", "holiday", "元旦")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2027-01-01 is now a holiday: 元旦\n"
    result = run(db_url, tmp_path, "set", "2027/2/7", "班", "春节调休上班", lang="zh")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2027-02-07 已设为上班：春节调休上班\n"
    assert days(me_admin, clock) == {
        date(2027, 1, 1): DayKind.holiday,
        date(2027, 2, 7): DayKind.workday,
    }

    result = run(db_url, tmp_path, "list", "--year", "2027")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "weekday", "kind", "note", "entered", "by", "entered", "at"]
    assert lines[2].split() == [
        "2027-01-01",
        "Fri",
        "holiday",
        "元旦",
        "日历管理",
        "2026-11-29",
        "09:30",
    ]
    assert lines[3].split()[:3] == ["2027-02-07", "Sun", "workday"]
    assert len(lines) == 4

    result = run(db_url, tmp_path, "list", "--json")
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]
    # --now starts a clock that runs on: the entry is stamped a moment after 09:30
    assert first.pop("entered_at").startswith("2026-11-29T09:30:")
    assert first == {
        "day": "2027-01-01",
        "kind": "holiday",
        "note": "元旦",
        "entered_by_name": "日历管理",
    }
    assert run(db_url, tmp_path, "list", "--year", "2026").stdout == "no hand-entered days\n"

    result = run(db_url, tmp_path, "remove", "2027-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2027-01-01 removed (it was a holiday: 元旦)")
    assert days(me_admin, clock) == {date(2027, 2, 7): DayKind.workday}
    result = run(db_url, tmp_path, "remove", "2027-01-01")
    assert result.exit_code == 1
    assert result.stderr == "no hand-entered day 2027-01-01\n"


def test_usage_errors_exit_2(me_admin: Database, db_url: str, tmp_path: Path) -> None:
    result = run(db_url, tmp_path, "set", "2027-02-30", "holiday", "坏日期")
    assert result.exit_code == 2
    assert "'2027-02-30' is not a date (e.g. 2027-01-01)" in result.stderr
    result = run(db_url, tmp_path, "set", "2027-01-01", "rest", "元旦")
    assert result.exit_code == 2
    assert "'rest' is not one of" in result.stderr
    assert run(db_url, tmp_path, "set", "2027-01-01", "holiday").exit_code == 2


def test_an_empty_note_is_refused(me_admin: Database, db_url: str, tmp_path: Path) -> None:
    result = run(db_url, tmp_path, "set", "2027-01-01", "holiday", " ")
    assert result.exit_code == 1
    assert result.stderr.startswith("invalid input: note:")


def test_only_an_admin_changes_the_calendar(
    me_dispatcher: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    notice = tmp_path / "notice.csv"
    notice.write_text("date,kind,note\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    for args in (
        ("set", "2027-01-01", "holiday", "元旦"),
        ("remove", "2027-01-01"),
        ("import", str(notice)),
    ):
        result = run(db_url, tmp_path, *args, lang="zh")
        assert result.exit_code == 1, result.output
        assert result.stderr == "值班测试（调度员）无权执行“维护工作日历”\n"
    assert days(me_dispatcher, clock) == {}
    result = run(db_url, tmp_path, "list")
    assert result.exit_code == 0, result.output


def test_import_dry_run_then_import(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    notice = tmp_path / "2027.csv"
    notice.write_bytes(
        "\ufeffdate,kind,note\r\n2027-01-01,休,元旦\r\n2027-02-07,上班,春节调休\r\n".encode()
    )
    result = run(db_url, tmp_path, "import", str(notice), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 day(s) valid, 2 would change; nothing written (--dry-run)\n"
    assert days(me_admin, clock) == {}
    result = run(db_url, tmp_path, "import", str(notice))
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 day(s) entered, 2 of them changed\n"
    assert days(me_admin, clock) == {
        date(2027, 1, 1): DayKind.holiday,
        date(2027, 2, 7): DayKind.workday,
    }


def test_a_bad_file_exits_1_with_every_problem_and_writes_nothing(
    me_admin: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    assert run(db_url, tmp_path, "set", "2027-01-01", "holiday", "元旦").exit_code == 0
    notice = tmp_path / "2027.jsonl"
    notice.write_text(
        '{"date": "2027-01-01", "kind": "workday", "note": "改"}\n'
        '{"date": "2027-02-07", "kind": "workday", "note": "春节调休"}\n'
        '{"date": "2027-02-07", "kind": "weekend", "note": "春节调休"}\n',
        encoding="utf-8",
    )
    result = run(db_url, tmp_path, "import", str(notice))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"{notice}:3: date: 2027-02-07 is also on line 2",
        f"{notice}:3: kind: 'weekend' is not one of: workday, 班, 上班, holiday, 休, 放假",
        "2 problem(s) in 3 record(s): the file was refused and nothing was imported",
    ]
    assert result.stdout == ""
    assert days(me_admin, clock) == {date(2027, 1, 1): DayKind.holiday}
