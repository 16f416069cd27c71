"""``gridconsole cases import``: good and bad files in each format, all or nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from gridconsole.cli import main
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.import_formats import open311_title, parse_csv
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, CaseEvent

DATA = Path(__file__).parent.parent / "data"
NOW = "2026-11-29T09:30:00+08:00"
CLEAN_ENV = {
    "GRIDCONSOLE_DB": None,
    "GRIDCONSOLE_NOW": None,
    "GRIDCONSOLE_LANG": None,
    "GRIDCONSOLE_CONFIG": None,
}


@pytest.fixture
def operator_db(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=os_username(), display_name="导入员", role=Role.dispatcher)
    return db


def run(db_url: str, tmp_path: Path, *args: str, lang: str = "en") -> Result:
    config = tmp_path / "empty.toml"
    config.touch()
    return CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "--db",
            db_url,
            "--lang",
            lang,
            "--now",
            NOW,
            *args,
        ],
        env=CLEAN_ENV,
    )


def dump(db_url: str) -> str:
    """Every row of every stored table, in order."""
    if make_url(db_url).get_backend_name() == "postgresql":
        return dump_postgres(db_url)
    return dump_sqlite(Path(make_url(db_url).database or ""))


def dump_sqlite(path: Path) -> str:
    """(A contentless FTS5 table cannot be scanned, so ``iterdump`` fails on it; its shadow
    tables hold what it stores and are compared.)"""
    assert path.is_file(), path  # sqlite3 would create an empty one, and compare nothing
    connection = sqlite3.connect(path)
    try:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
        lines: list[str] = []
        for name, sql in tables:
            lines.append(sql)
            if sql.upper().startswith("CREATE VIRTUAL TABLE"):
                continue
            quoted = name.replace('"', '""')
            lines.extend(
                repr(row) for row in connection.execute(f'SELECT * FROM "{quoted}" ORDER BY 1')
            )
        return "\n".join(lines)
    finally:
        connection.close()


def dump_postgres(url: str) -> str:
    """(Sequences are left out: a rolled-back insert advances them, and writes nothing.)"""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            lines: list[str] = []
            for name in sorted(tables):
                columns = [c["name"] for c in inspect(connection).get_columns(name)]
                lines.append(f"{name}({', '.join(columns)})")
                quoted = name.replace('"', '""')
                lines.extend(
                    repr(tuple(row))
                    for row in connection.execute(text(f'SELECT * FROM "{quoted}" ORDER BY 1'))
                )
            return "\n".join(lines)
    finally:
        engine.dispose()


def copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def refused(result: Result, path: Path) -> list[str]:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert "nothing was imported" in lines[-1]
    return [line.removeprefix(f"{path}:") for line in lines[:-1]]


# -- good files ---------------------------------------------------------------------------------


def test_csv_with_bom_crlf_and_multiline_field(
    operator_db: Database, db_url: str, tmp_path: Path
) -> None:
    path = copy(tmp_path, "cases_good.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 3 case(s) (csv)" in result.stdout
    assert "MY-20261129-0001 … MY-20261129-0003" in result.stdout
    with operator_db.read() as session:
        cases = session.execute(select(Case).order_by(Case.id)).scalars().all()
        events = session.execute(select(CaseEvent)).scalars().all()
    assert [case.external_id for case in cases] == ["H-001", "H-002", "H-003"]
    assert cases[1].description == "长江路2号楼道水管破裂，\n水流到一楼，\n居民无法通行。"
    assert cases[1].reporter_name == "李四, 王五"
    assert cases[1].reporter_phone == "02584561234"
    assert cases[0].priority.name == "urgent"
    assert cases[0].lat == pytest.approx(32.04)
    assert cases[2].grid_id is None
    assert len(events) == 3
    assert {event.action.value for event in events} == {"report"}


def test_jsonl(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    result = run(db_url, tmp_path, "cases", "import", str(DATA / "cases_good.jsonl"))
    assert result.exit_code == 0, result.output
    assert "imported 2 case(s) (jsonl)" in result.stdout
    with operator_db.read() as session:
        cases = session.execute(select(Case).order_by(Case.id)).scalars().all()
    assert [case.title for case in cases] == ["井盖缺失", "食品过期"]
    assert cases[0].source.value == "patrol"
    assert cases[1].priority.name == "urgent"


def test_open311(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    result = run(db_url, tmp_path, "cases", "import", str(DATA / "open311_good.json"))
    assert result.exit_code == 0, result.output
    assert "(open311)" in result.stdout
    with operator_db.read() as session:
        cases = session.execute(select(Case).order_by(Case.id)).scalars().all()
    first, second = cases
    assert first.external_id == "638344"
    assert first.title == "汉府街工地夜间施工"
    assert first.description == "汉府街工地夜间施工。已多次反映！"
    assert first.source.value == "platform"
    assert first.lon == pytest.approx(118.795)
    assert first.address == "汉府街8号"
    assert first.reported_at.isoformat() == "2026-11-28T14:10:00+00:00"
    # the bell is removed; markup-looking text is kept as written
    assert second.description == "咨询[bold]社保[/bold]转移手续"
    assert second.external_id == "638345"


def test_markup_and_escapes_stored_literally_without_controls(
    operator_db: Database, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.jsonl"
    record = {
        "title": "[@click=app.quit]点我[/]\x1b[2J",
        "description": "张三[/] \x1b]52;c;aGk=\x07 $variable \u202eevil\u200b \x9b6n 第二行\n保留",
        "category": "11-noise",
        "reporter_name": "[bold red]李四[/bold red]\x00",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert result.exit_code == 0, result.output
    with operator_db.read() as session:
        case = session.execute(select(Case)).scalar_one()
    assert case.title == "[@click=app.quit]点我[/][2J"
    assert case.description == "张三[/] ]52;c;aGk= $variable evil 6n 第二行\n保留"
    assert case.reporter_name == "[bold red]李四[/bold red]"


def test_dry_run_writes_nothing(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    before = dump(db_url)
    result = run(db_url, tmp_path, "cases", "import", "--dry-run", str(DATA / "cases_good.csv"))
    assert result.exit_code == 0, result.output
    assert "3 record(s) valid (csv)" in result.stdout
    assert dump(db_url) == before


def test_duplicate_candidates_are_named(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    record = {
        "title": "夜间施工噪音扰民",
        "description": "中山东路18号工地每晚十一点后仍在施工，噪音很大。",
        "category": "11-noise",
        "grid": "320102002001001",
    }
    other = {
        **record,
        "title": "食品过期",
        "description": "超市出售过期牛奶",
        "category": "03-food",
    }
    lines = [json.dumps(item, ensure_ascii=False) for item in (record, other, record)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert result.exit_code == 0, result.output
    hints = [line for line in result.stdout.splitlines() if "possible duplicate" in line]
    assert hints == [
        f"{path}:3: MY-20261129-0003 is a possible duplicate of MY-20261129-0001 (similarity 1.00)"
        " — merge with `gridconsole case merge MY-20261129-0003 --into MY-20261129-0001`"
    ]


# -- refused files ------------------------------------------------------------------------------


def test_bad_csv_lists_every_problem_and_writes_nothing(
    operator_db: Database, db_url: str, tmp_path: Path
) -> None:
    path = copy(tmp_path, "cases_bad.csv")
    before = dump(db_url)
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert refused(result, path) == [
        "2: reporter_phone: '12' is not a valid phone number",
        "2: grid: no such code '999999'",
        # line 2's description spans lines 2–3: the next record starts on line 4
        "4: title: required",
        "4: category: no such code 'nope'",
        "5: external_id: 'X-1' is also on line 2",
        "6: row: 7 fields, the header has 6",
    ]
    assert dump(db_url) == before


def test_bad_jsonl(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    path = copy(tmp_path, "cases_bad.jsonl")
    before = dump(db_url)
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert refused(result, path) == [
        "1: colour: unknown field",
        "2: json: JSON syntax error: Expecting ',' delimiter (column 76)",
        "3: json: a record must be a JSON object",
        "4: grid: must be text or a number",
        "4: title: required",
        "4: reported_at: '2026-11-29 07:15' has no time zone (e.g. +08:00)",
    ]
    assert dump(db_url) == before


def test_bad_open311_names_the_line_where_each_request_starts(
    operator_db: Database, db_url: str, tmp_path: Path
) -> None:
    path = copy(tmp_path, "open311_bad.json")
    before = dump(db_url)
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert refused(result, path) == [
        "2: status: the request is closed: only open requests are imported (remove it from the file)",
        "8: long: '200' must be between 73.0 and 136.0",
        "8: service_code: no such code '99-unknown'",
        "15: requested_datetime: 'yesterday' is not an ISO-8601 time (e.g. 2026-11-29T09:30:00+08:00)",
        "15: service_request_id: 'A1' is also on line 2",
    ]
    assert dump(db_url) == before


def test_external_id_already_in_the_database(
    operator_db: Database, db_url: str, tmp_path: Path
) -> None:
    assert run(db_url, tmp_path, "cases", "import", str(DATA / "cases_good.csv")).exit_code == 0
    before = dump(db_url)
    path = copy(tmp_path, "cases_good.csv")
    # another file (a blank row more: other bytes, another batch) holding the same records
    path.write_bytes(path.read_bytes() + b"\r\n")
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert refused(result, path) == [
        "2: external_id: 'H-001' was already imported as case MY-20261129-0001",
        "3: external_id: 'H-002' was already imported as case MY-20261129-0002",
        "6: external_id: 'H-003' was already imported as case MY-20261129-0003",
    ]
    assert dump(db_url) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", ["1: file: the file is empty"]),
        ("blank.jsonl", b"\n  \n", ["1: file: the file is empty"]),
        (
            "gbk.csv",
            "title,description,category\n噪音,很吵,11-noise\n".encode("gbk"),
            [
                "2: encoding: not UTF-8 text: byte 0xD4 at byte offset 27"
                ' (save the file as UTF-8, e.g. Excel\'s "CSV UTF-8")'
            ],
        ),
        (
            "columns.csv",
            b"title,description,category,colour,size\nx,y,11-noise,red,1\n",
            [
                "1: header: unknown columns: colour, size (known: title, description, category,"
                " grid, source, priority, address, reporter_name, reporter_phone, reported_at,"
                " external_id, lat, lon, people_involved, escalation_kind, severity,"
                " escalation_reason)"
            ],
        ),
        (
            "header-only.csv",
            b"title,description,category\n",
            ["1: file: the file holds no records"],
        ),
        (
            "broken.json",
            b'[\n  {"service_code": "11-noise",\n   "description": "x"\n  ,\n]\n',
            [
                "5: json: JSON syntax error: Expecting property name enclosed in double quotes (column 1)"
            ],
        ),
    ],
)
def test_unreadable_files(
    operator_db: Database,
    db_url: str,
    tmp_path: Path,
    name: str,
    content: bytes,
    expected: list[str],
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = dump(db_url)
    result = run(db_url, tmp_path, "cases", "import", str(path))
    assert refused(result, path) == expected
    assert dump(db_url) == before


def test_problems_in_chinese(operator_db: Database, db_url: str, tmp_path: Path) -> None:
    path = copy(tmp_path, "cases_bad.csv")
    result = run(db_url, tmp_path, "cases", "import", str(path), lang="zh")
    assert result.exit_code == 1
    assert f"{path}:6: row: 有 7 个字段，表头有 6 个" in result.stderr.splitlines()
    assert "整个文件未导入" in result.stderr


def test_import_needs_an_operator(db: Database, db_url: str, tmp_path: Path) -> None:
    result = run(db_url, tmp_path, "cases", "import", str(DATA / "cases_good.csv"))
    assert result.exit_code == 1
    assert f"system account {os_username()} is not an operator" in result.stderr


# -- parsing details ----------------------------------------------------------------------------


def test_csv_records_start_on_their_physical_line() -> None:
    text = 'title,description,category\r\na,"one\ntwo\r\nthree",c\n\nb,x,c\n'
    records, problems = parse_csv(text)
    assert problems == []
    assert [record.line for record in records] == [2, 6]
    assert records[0].values["description"] == "one\ntwo\r\nthree"


def test_open311_title() -> None:
    assert open311_title("路灯不亮。已经三天了", "路灯") == "路灯不亮"
    assert open311_title("Streetlight out. Since Monday.", "Lights") == "Streetlight out"
    assert open311_title("", "路灯") == "路灯"
    long = "很" * 80
    assert open311_title(long, "") == "很" * 59 + "…"
