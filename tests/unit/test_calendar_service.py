"""Hand-entered holiday notices: admins write them, every operator reads them, files are all or
nothing — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gridconsole.clock import FrozenClock
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.domain.work_calendar import DayKind, DaySource, DayStatus
from gridconsole.services import calendar as calendar_module
from gridconsole.services.calendar import (
    CalendarDayNotFound,
    CalendarEntry,
    CalendarService,
    load_work_calendar,
)
from gridconsole.store.engine import Database
from gridconsole.store.models import CalendarDay
from tests.factories import T0, services_for

NEW_YEAR = date(2027, 1, 1)
NON_ADMINS = ("disp", "lead", "liaison", "audit")


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def service(db: Database, clock: FrozenClock, username: str = "admin") -> CalendarService:
    return CalendarService(services_for(db, username, clock).context)


@pytest.fixture
def admin(db: Database, clock: FrozenClock) -> CalendarService:
    return service(db, clock)


def stored(db: Database) -> list[tuple[date, DayKind, str]]:
    with db.read() as session:
        rows = session.execute(select(CalendarDay).order_by(CalendarDay.day)).scalars()  # type: ignore[arg-type]
        return [(row.day, row.kind, row.note) for row in rows]


def import_text(
    admin: CalendarService, text: str, name: str = "notice.csv", *, dry_run: bool = False
) -> calendar_module.CalendarImportReport:
    return admin.import_days(Path(name), text.encode("utf-8"), dry_run=dry_run)


def rendered(report: calendar_module.CalendarImportReport, name: str = "notice.csv") -> list[str]:
    return [problem.render(name) for problem in report.problems]


# -- one day at a time --------------------------------------------------------------------------


def test_set_day_stores_and_returns_plain_data(admin: CalendarService, db: Database) -> None:
    entry = admin.set_day(NEW_YEAR, DayKind.holiday, "  元旦\u202e\t放假 ")
    assert entry == CalendarEntry(NEW_YEAR, DayKind.holiday, "元旦 放假", "孙管理", T0)
    assert stored(db) == [(NEW_YEAR, DayKind.holiday, "元旦 放假")]


def test_setting_a_day_again_replaces_it(
    admin: CalendarService, db: Database, clock: FrozenClock
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")
    clock.advance(timedelta(hours=1))
    entry = admin.set_day(NEW_YEAR, DayKind.workday, "更正：调休上班")
    assert entry.kind is DayKind.workday
    assert entry.entered_at == T0 + timedelta(hours=1)
    assert stored(db) == [(NEW_YEAR, DayKind.workday, "更正：调休上班")]
    assert admin.list_days() == (entry,)


@pytest.mark.parametrize("note", ["", "   ", "\u200b\x07"])
def test_a_note_is_required(admin: CalendarService, db: Database, note: str) -> None:
    with pytest.raises(ValidationFailed, match="note: 必填"):
        admin.set_day(NEW_YEAR, DayKind.holiday, note)
    assert stored(db) == []


def test_a_note_has_at_most_200_characters(admin: CalendarService, db: Database) -> None:
    with pytest.raises(ValidationFailed, match="最多 200 个字符（现为 201 个）"):
        admin.set_day(NEW_YEAR, DayKind.holiday, "节" * 201)
    admin.set_day(NEW_YEAR, DayKind.holiday, "节" * 200)
    assert stored(db) == [(NEW_YEAR, DayKind.holiday, "节" * 200)]


@pytest.mark.parametrize("username", NON_ADMINS)
def test_only_an_admin_changes_the_calendar(
    admin: CalendarService, db: Database, clock: FrozenClock, username: str
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")
    other = service(db, clock, username)
    with pytest.raises(PermissionDenied, match="无权执行“维护工作日历”"):
        other.set_day(date(2027, 1, 2), DayKind.holiday, "元旦")
    with pytest.raises(PermissionDenied):
        other.remove_day(NEW_YEAR)
    with pytest.raises(PermissionDenied):
        import_text(other, "date,kind,note\n2027-01-02,holiday,元旦\n", dry_run=True)
    assert stored(db) == [(NEW_YEAR, DayKind.holiday, "元旦")]
    # but everyone reads it
    assert [entry.day for entry in other.list_days()] == [NEW_YEAR]
    assert other.overrides() == {NEW_YEAR: DayKind.holiday}


def test_remove_day(admin: CalendarService, db: Database) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")
    removed = admin.remove_day(NEW_YEAR)
    assert (removed.day, removed.kind, removed.note) == (NEW_YEAR, DayKind.holiday, "元旦")
    assert stored(db) == []
    with pytest.raises(CalendarDayNotFound, match="没有手工录入 2027-01-01 的日历"):
        admin.remove_day(NEW_YEAR)


def test_list_days_by_year_in_date_order(admin: CalendarService, clock: FrozenClock) -> None:
    for day in (date(2028, 1, 1), date(2027, 12, 31), date(2026, 12, 31), NEW_YEAR):
        admin.set_day(day, DayKind.holiday, f"假 {day}")
    assert [entry.day for entry in admin.list_days(2027)] == [NEW_YEAR, date(2027, 12, 31)]
    assert [entry.day.year for entry in admin.list_days()] == [2026, 2027, 2027, 2028]
    assert admin.list_days(2030) == ()


def test_load_work_calendar_puts_hand_entered_days_first(
    admin: CalendarService, db: Database, clock: FrozenClock
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")  # a Friday
    admin.set_day(date(2027, 2, 7), DayKind.workday, "春节调休上班")  # a Sunday
    admin.set_day(date(2026, 10, 10), DayKind.holiday, "改为休息")  # the notice says: worked
    work_calendar = load_work_calendar(services_for(db, "disp", clock).context)
    assert work_calendar.periods == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    assert str(work_calendar.zone) == "Asia/Shanghai"
    assert work_calendar.day_status(NEW_YEAR) == DayStatus(NEW_YEAR, False, DaySource.override)
    assert work_calendar.day_status(date(2027, 2, 7)).working
    assert work_calendar.day_status(date(2026, 10, 10)) == DayStatus(
        date(2026, 10, 10), False, DaySource.override
    )
    assert work_calendar.day_status(date(2027, 1, 4)) == DayStatus(
        date(2027, 1, 4), True, DaySource.assumed
    )


# -- files --------------------------------------------------------------------------------------

GOOD_CSV = (
    "\ufeffdate,kind,note\r\n"
    "2027-01-01,holiday,元旦\r\n"
    "2027/2/6,休,春节\r\n"
    "2027-02-07,班,春节调休\r\n"
    "\r\n"
    "2027-02-08,放假,春节\r\n"
    '2027-02-20,上班,"春节调休，周六上班"\r\n'
)


def test_import_a_csv_file_with_bom_and_chinese_kinds(admin: CalendarService, db: Database) -> None:
    report = import_text(admin, GOOD_CSV)
    assert report.accepted
    assert not report.dry_run
    assert report.records == 5
    assert stored(db) == [
        (NEW_YEAR, DayKind.holiday, "元旦"),
        (date(2027, 2, 6), DayKind.holiday, "春节"),
        (date(2027, 2, 7), DayKind.workday, "春节调休"),
        (date(2027, 2, 8), DayKind.holiday, "春节"),
        (date(2027, 2, 20), DayKind.workday, "春节调休，周六上班"),
    ]
    assert [entry.day for entry in report.entries] == [day for day, _, _ in stored(db)]
    assert report.changed_days == tuple(day for day, _, _ in stored(db))


def test_import_reports_only_the_days_whose_kind_changed(
    admin: CalendarService, db: Database
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦（旧说明）")
    admin.set_day(date(2027, 2, 7), DayKind.holiday, "录错了")
    report = import_text(admin, GOOD_CSV)
    # 1 January only got a new note; 7 February turned from holiday to workday
    assert report.changed_days == (
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
        date(2027, 2, 20),
    )
    assert stored(db)[0] == (NEW_YEAR, DayKind.holiday, "元旦")
    again = import_text(admin, GOOD_CSV)
    assert again.accepted
    assert again.changed_days == ()
    assert len(again.entries) == 5


def test_import_json_lines(admin: CalendarService, db: Database) -> None:
    text = (
        '{"date": "2027-10-01", "kind": "holiday", "note": "国庆节"}\n'
        "\n"
        '{"date": "2027-09-26", "kind": "workday", "note": "国庆调休"}\n'
    )
    report = import_text(admin, text, "notice.jsonl")
    assert report.accepted
    assert stored(db) == [
        (date(2027, 9, 26), DayKind.workday, "国庆调休"),
        (date(2027, 10, 1), DayKind.holiday, "国庆节"),
    ]


def test_dry_run_writes_nothing_but_says_what_would_change(
    admin: CalendarService, db: Database
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")
    report = import_text(admin, GOOD_CSV, dry_run=True)
    assert report.accepted
    assert report.dry_run
    assert report.entries == ()
    assert report.changed_days == (
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
        date(2027, 2, 20),
    )
    assert stored(db) == [(NEW_YEAR, DayKind.holiday, "元旦")]


def test_a_bad_csv_is_refused_whole_with_every_problem(
    admin: CalendarService, db: Database
) -> None:
    admin.set_day(NEW_YEAR, DayKind.holiday, "元旦")
    text = (
        "date,kind,note\n"
        "2027-01-01,workday,改成上班\n"  # fine on its own: must not be written
        "2027-13-01,holiday,坏日期\n"
        "2027-02-06,rest,春节\n"
        "2027-02-07,班,\n"
        "2027-01-01,holiday,又一次\n"
        ",,\n"  # blank row: skipped
        "2027-02-08,holiday\n"
        f"2027-02-09,holiday,{'节' * 201}\n"
        ",holiday,缺日期\n"
    )
    report = import_text(admin, text)
    assert not report.accepted
    assert rendered(report) == [
        "notice.csv:3: date: “2027-13-01”不是日期（例如 2027-01-01）",
        "notice.csv:4: kind: “rest”不是可选值之一：workday, 班, 上班, holiday, 休, 放假",
        "notice.csv:5: note: 必填",
        "notice.csv:6: date: 2027-01-01 在第 2 行也有",
        "notice.csv:8: row: 有 2 个字段，表头有 3 个",
        "notice.csv:9: note: 最多 200 个字符（现为 201 个）",
        "notice.csv:10: date: 必填",
    ]
    assert report.entries == ()
    assert report.changed_days == ()
    assert stored(db) == [(NEW_YEAR, DayKind.holiday, "元旦")]


def test_a_bad_json_lines_file_names_lines_and_fields(admin: CalendarService, db: Database) -> None:
    text = (
        '{"date": "2027-10-01", "kind": "holiday", "note": "国庆节"}\n'
        '{"date": 20271002, "kind": "holiday", "note": "国庆节", "extra": 1}\n'
        "[1, 2]\n"
        '{"date": "2027-10-03", "kind": "holiday", "note": "国庆节"\n'
        '{"date": "2027-10-01", "kind": ["holiday"]}\n'
    )
    report = import_text(admin, text, "notice.jsonl")
    assert [(problem.line, problem.field) for problem in report.problems] == [
        (2, "date"),
        (2, "extra"),
        (3, "json"),
        (4, "json"),
        (5, "kind"),
        (5, "date"),
        (5, "note"),
    ]
    assert report.problems[0].message == "必须是文本"
    assert report.problems[5].message == "2027-10-01 在第 1 行也有"
    assert stored(db) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "notice.csv:1: file: 文件为空"),
        (b"date,kind,note\n", "notice.csv:1: file: 文件中没有记录"),
        (b"date,kind\n2027-01-01,holiday\n", "notice.csv:1: header: 缺少必需的列：note"),
        ("date,kind,note\n2027-01-01,休,元旦\n".encode("gb18030"), "notice.csv:2: encoding: "),
    ],
)
def test_unreadable_files(admin: CalendarService, db: Database, data: bytes, expected: str) -> None:
    report = admin.import_days(Path("notice.csv"), data)
    assert not report.accepted
    assert rendered(report)[0].startswith(expected), rendered(report)
    assert stored(db) == []
