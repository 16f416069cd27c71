"""The command line through click's CliRunner: every command, its refusals and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gridconsole.cli import main
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import DatabasePurpose, Role
from gridconsole.services import database
from gridconsole.services.bundle import Services
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from tests.factories import new_case_fields, services_for, sqlite_url

NOW = "2026-11-29T09:30:00+08:00"
CLEAN_ENV = {
    "GRIDCONSOLE_DB": None,
    "GRIDCONSOLE_NOW": None,
    "GRIDCONSOLE_LANG": None,
    "GRIDCONSOLE_CONFIG": None,
}
ME = os_username()
SQL_PACKAGES = ("sqlalchemy", "sqlmodel", "alembic")


def invoke(tmp_path: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    config = tmp_path / "empty.toml"
    config.touch()
    return CliRunner().invoke(
        main, ["--config", str(config), *args], env={**CLEAN_ENV, **(env or {})}
    )


def on(db_url: str, tmp_path: Path, *args: str, lang: str = "en") -> Result:
    return invoke(tmp_path, "--db", db_url, "--lang", lang, "--now", NOW, *args)


@pytest.fixture
def me(db: Database, clock: FrozenClock) -> Database:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    return db


@pytest.fixture
def two_cases(me: Database, dispatcher: Services) -> tuple[str, str]:
    first = dispatcher.cases.report(new_case_fields())
    second = dispatcher.cases.report(
        new_case_fields(title="漏水", description="水管破裂", category="11-water")
    )
    return first.code, second.code


# -- start-up -------------------------------------------------------------------------------------


def test_help_imports_neither_textual_nor_sqlalchemy() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom gridconsole.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\nassert result.exit_code == 0\n"
        "assert 'textual' not in sys.modules and 'sqlalchemy' not in sys.modules, "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[ui]\nlocal = 'zh'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "db", "status"], env=CLEAN_ENV)
    assert result.exit_code == 2
    assert "ui.local: unknown setting" in result.stderr


def run_console_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console, really run, without a terminal: it opens its services in its worker."""
    app = pytest.importorskip("gridconsole.app")
    monkeypatch.setattr(app, "run_console", partial(app.run_console, headless=True))


def test_schema_not_current_on_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_db_url: str
) -> None:
    run_console_headless(monkeypatch)
    for args in ([], ["cases", "list"]):
        result = on(empty_db_url, tmp_path, *args)
        assert result.exit_code == 1, result.output
        # the console's message is wrapped to the terminal's width
        stderr = " ".join(result.stderr.split())
        assert "is an empty database: run gridconsole db upgrade first" in stderr
        assert "Traceback" not in result.output


def test_console_refusals_exit_1_with_the_message(
    me: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_console_headless(monkeypatch)
    database.set_purpose(me, DatabasePurpose.production)
    result = on(db_url, tmp_path, lang="zh")  # --now on production data
    assert result.exit_code == 1, result.output
    stderr = "".join(result.stderr.split())
    assert stderr.endswith("是正式数据库：--now（模拟时钟）只能用于演示或培训数据库"), stderr
    assert "Traceback" not in result.output


@pytest.mark.sqlite_only("a SQLite file that is not there")
def test_missing_database_file_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = pytest.importorskip("gridconsole.app")
    monkeypatch.setattr(app, "run_console", lambda *args: pytest.fail("the console ran"))
    missing = tmp_path / "typo.db"
    for args in ([], ["cases", "list"]):
        result = on(sqlite_url(missing), tmp_path, *args)
        assert result.exit_code == 1
        assert f"no database file {missing}" in result.stderr
        assert not missing.exists()


def test_importing_the_app_and_the_cli_imports_no_sqlalchemy() -> None:
    code = (
        "import sys\nimport gridconsole.app, gridconsole.cli\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in SQL)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", f"SQL = {SQL_PACKAGES!r}\n{code}"], check=True)


def test_the_console_runs_before_sqlalchemy_is_imported(
    me: Database, db_url: str, tmp_path: Path
) -> None:
    """The first frame must not wait for SQLAlchemy: the CLI hands the app an opener."""
    config = tmp_path / "empty.toml"
    config.touch()
    code = (
        "import sys\nfrom click.testing import CliRunner\nimport gridconsole.app\n"
        "from gridconsole.cli import main\n"
        "loaded = []\n"
        "def run_console(opener, settings, **options):\n"
        "    loaded.extend(m for m in sys.modules if m.split('.')[0] in SQL)\n"
        "    assert opener.open().context.actor.username\n"
        "    return 0\n"
        "gridconsole.app.run_console = run_console\n"
        "result = CliRunner().invoke(main, ARGS, env=ENV)\n"
        "assert result.exit_code == 0, result.output\n"
        "assert not loaded, sorted(loaded)\n"
    )
    args = ["--config", str(config), "--db", db_url, "--now", NOW]
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"SQL = {SQL_PACKAGES!r}\nARGS = {args!r}\nENV = {CLEAN_ENV!r}\n{code}",
        ],
        check=True,
    )


def test_console_opens_with_services(
    me: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = pytest.importorskip("gridconsole.app")
    opened: list[Services] = []
    monkeypatch.setattr(
        app, "run_console", lambda opener, settings, **_: opened.append(opener.open())
    )
    result = on(db_url, tmp_path)
    assert result.exit_code == 0, result.output
    assert opened[0].context.actor.username == ME
    assert opened[0].context.clock.simulated


# -- the simulated clock ----------------------------------------------------------------------------


def test_now_accepted_on_a_training_database(me: Database, db_url: str, tmp_path: Path) -> None:
    result = on(db_url, tmp_path, "cases", "list")
    assert result.exit_code == 0, result.output


def test_now_refused_on_a_production_database(me: Database, db_url: str, tmp_path: Path) -> None:
    database.set_purpose(me, DatabasePurpose.production)
    for args in (["cases", "list"], ["operator", "add", "x", "--name", "X", "--role", "admin"]):
        result = on(db_url, tmp_path, *args)
        assert result.exit_code == 1
        assert "is a production database: --now (simulated clock) is only for demo or training" in (
            result.stderr
        )
    without = invoke(tmp_path, "--db", db_url, "cases", "list")
    assert without.exit_code == 0, without.output


def test_now_from_the_environment(me: Database, db_url: str, tmp_path: Path) -> None:
    database.set_purpose(me, DatabasePurpose.production)
    result = invoke(tmp_path, "--db", db_url, "cases", "list", env={"GRIDCONSOLE_NOW": NOW})
    assert result.exit_code == 1
    assert "--now" in result.stderr


def test_now_without_a_zone_is_a_usage_error(db_url: str, tmp_path: Path) -> None:
    result = invoke(tmp_path, "--lang", "en", "--now", "2026-11-29T09:30", "db", "status")
    assert result.exit_code == 2
    assert "time zone" in result.stderr


# -- db -------------------------------------------------------------------------------------------


def test_db_status(me: Database, db_url: str, tmp_path: Path) -> None:
    result = on(db_url, tmp_path, "db", "status")
    assert result.exit_code == 0
    assert "the database schema is at the latest revision" in result.stdout
    assert "purpose: training" in result.stdout


def test_db_upgrade_then_status(tmp_path: Path, empty_db_url: str) -> None:
    new = empty_db_url
    before = on(new, tmp_path, "db", "status")
    assert before.exit_code == 1
    result = on(new, tmp_path, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "before: revision - (empty)"
    assert result.stdout.splitlines()[1].endswith("(current)")
    again = on(new, tmp_path, "db", "upgrade")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[0].endswith("(current)")
    assert on(new, tmp_path, "db", "status").exit_code == 0


def test_seed_demo_and_demo(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    db: Database,
    new_empty_db_url: Callable[[], str],
) -> None:
    pytest.importorskip("gridconsole.services.demo")
    app = pytest.importorskip("gridconsole.app")
    opened: list[Services] = []
    monkeypatch.setattr(
        app, "run_console", lambda opener, settings, **_: opened.append(opener.open())
    )
    seeded = new_empty_db_url()
    result = on(seeded, tmp_path, "db", "seed-demo", "--cases", "5")
    assert result.exit_code == 0, result.output
    status = on(seeded, tmp_path, "db", "status")
    assert "purpose: demo" in status.stdout
    # seeding again would mix demo rows: refused
    assert on(seeded, tmp_path, "db", "seed-demo").exit_code == 1

    demo_db = new_empty_db_url()
    first = invoke(tmp_path, "--lang", "en", "demo", "--db", demo_db, "--cases", "3")
    assert first.exit_code == 0, first.output
    assert opened[-1].purpose is DatabasePurpose.demo
    assert opened[-1].context.actor.username == ME
    total = (
        opened[-1]
        .queue.page(
            __import__("gridconsole.services.records", fromlist=["QueueFilter"]).QueueFilter()
        )
        .total
    )
    again = invoke(tmp_path, "demo", "--db", demo_db)
    assert again.exit_code == 0
    fresh = invoke(tmp_path, "--lang", "en", "demo", "--db", demo_db, "--fresh", "--cases", "2")
    if demo_db.startswith("sqlite"):
        assert fresh.exit_code == 0, fresh.output
        assert len(opened) == 3
    else:  # --fresh deletes the demo file: on PostgreSQL it is refused, and nothing opens
        assert fresh.exit_code == 1
        assert "works only with sqlite:/// URLs" in fresh.stderr
        assert len(opened) == 2
    assert total >= 3

    # never onto a database that is not a demo one
    # (on PostgreSQL --fresh is refused before: it deletes SQLite files only)
    why_fresh = "is not a demo database" if db_url.startswith("sqlite") else "sqlite:/// URLs"
    for args, why in (
        (["demo", "--db", db_url], "is not a demo database"),
        (["demo", "--db", db_url, "--fresh"], why_fresh),
    ):
        refused = invoke(tmp_path, "--lang", "en", *args)
        assert refused.exit_code == 1
        assert why in refused.stderr
    assert on(db_url, tmp_path, "db", "status").exit_code == 0
    assert on(db_url, tmp_path, "db", "seed-demo").exit_code == 1


# -- operators ------------------------------------------------------------------------------------


def test_operator_list(me: Database, db_url: str, tmp_path: Path) -> None:
    result = on(db_url, tmp_path, "operator", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["account", "name", "role", "active", "department"]
    assert any(line.split()[:3] == ["admin", "孙管理", "admin"] for line in lines)
    assert any(
        line.split() == ["liaison", "赵联络", "department", "liaison", "yes", "CG"]
        for line in lines
    )


def test_operator_add_needs_an_admin(
    me: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    result = on(db_url, tmp_path, "operator", "add", "zhou", "--name", "周", "--role", "dispatcher")
    assert result.exit_code == 1
    assert f"{ME} is not an active admin" in result.stderr


def test_operator_add_by_an_admin(
    tmp_path: Path, db_url: str, db: Database, clock: FrozenClock
) -> None:
    ensure_operator(db, clock, username=ME, display_name="管理测试", role=Role.admin)
    result = on(
        db_url, tmp_path, "operator", "add", "zhou", "--name", "周八", "--role", "dispatcher"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "operator zhou added: 周八, dispatcher"
    repeat = on(
        db_url, tmp_path, "operator", "add", "zhou", "--name", "周八", "--role", "dispatcher"
    )
    assert repeat.exit_code == 1
    assert "operator zhou already exists" in repeat.stderr
    bad_name = on(db_url, tmp_path, "operator", "add", "a b", "--name", "x", "--role", "admin")
    assert bad_name.exit_code == 1
    bad_role = on(db_url, tmp_path, "operator", "add", "x", "--name", "x", "--role", "boss")
    assert bad_role.exit_code == 2


def test_a_liaison_is_added_with_their_department_and_only_a_liaison(
    tmp_path: Path, db_url: str, db: Database, clock: FrozenClock
) -> None:
    ensure_operator(db, clock, username=ME, display_name="管理测试", role=Role.admin)
    add = partial(on, db_url, tmp_path, "operator", "add")
    missing = add("wu", "--name", "吴联络", "--role", "liaison")
    assert missing.exit_code == 1
    assert "a department liaison needs their department (--department)" in missing.stderr
    stray = add("wu", "--name", "吴调度", "--role", "dispatcher", "--department", "CG")
    assert stray.exit_code == 1
    assert "only department liaisons belong to a department" in stray.stderr
    unknown = add("wu", "--name", "吴联络", "--role", "liaison", "--department", "NOPE")
    assert unknown.exit_code == 1
    assert "no such code 'NOPE'" in unknown.stderr
    ok = add("wu", "--name", "吴联络", "--role", "liaison", "--department", "GS")
    assert ok.exit_code == 0, ok.output
    listed = on(db_url, tmp_path, "operator", "list").stdout.splitlines()
    assert ["wu", "吴联络", "department", "liaison", "yes", "GS"] in [
        line.split() for line in listed
    ]


def test_first_operator_bootstrap(tmp_path: Path, empty_db_url: str) -> None:
    new = empty_db_url
    assert on(new, tmp_path, "db", "upgrade").exit_code == 0
    created = Database.connect(new)
    database.set_purpose(created, DatabasePurpose.training)
    created.dispose()
    not_admin = on(new, tmp_path, "operator", "add", "wu", "--name", "吴", "--role", "dispatcher")
    assert not_admin.exit_code == 1
    assert "must have the role admin" in not_admin.stderr
    first = on(new, tmp_path, "operator", "add", "wu", "--name", "吴", "--role", "admin")
    assert first.exit_code == 0, first.output
    second = on(new, tmp_path, "operator", "add", "zheng", "--name", "郑", "--role", "admin")
    assert second.exit_code == 1  # the OS user is not the admin just added


# -- cases list and show ------------------------------------------------------------------------------


def test_cases_list_table_and_json(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, second = two_cases
    table = on(db_url, tmp_path, "cases", "list")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "code",
        "priority",
        "state",
        "category",
        "grid",
        "title",
        "reported",
    ]
    assert lines[2].split() == [
        first,
        "normal",
        "reported",
        "噪音扰民",
        "大行宫第一网格",
        "夜间施工噪音扰民",
        "2026-11-29",
        "09:30",
    ]
    assert lines[-1] == "2 of 2"

    as_json = on(db_url, tmp_path, "cases", "list", "--json", "--category", "11-water")
    rows = json.loads(as_json.stdout)
    assert [row["code"] for row in rows] == [second]
    assert rows[0]["reported_at"] == "2026-11-29T09:30:00+08:00"
    assert rows[0]["priority"] == "normal"
    assert rows[0]["state"] == "reported"

    limited = json.loads(on(db_url, tmp_path, "cases", "list", "--json", "--limit", "1").stdout)
    assert len(limited) == 1
    none = json.loads(on(db_url, tmp_path, "cases", "list", "--json", "--state", "closed").stdout)
    assert none == []
    searched = json.loads(
        on(db_url, tmp_path, "cases", "list", "--json", "--search", "水管").stdout
    )
    assert [row["code"] for row in searched] == [second]
    unknown = on(db_url, tmp_path, "cases", "list", "--grid", "nope")
    assert unknown.exit_code == 1
    assert "no such code 'nope'" in unknown.stderr
    assert on(db_url, tmp_path, "cases", "list", "--state", "lost").exit_code == 2


def test_cases_show(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, _ = two_cases
    text = on(db_url, tmp_path, "cases", "show", first)
    assert text.exit_code == 0, text.output
    assert f"code: {first}" in text.stdout
    assert "reporter phone: 138****1234" in text.stdout
    assert "13812341234" not in text.stdout
    assert "timeline:" in text.stdout
    detail = json.loads(on(db_url, tmp_path, "cases", "show", first, "--json").stdout)
    assert detail["code"] == first
    assert detail["events"][0]["action"] == "report"
    assert detail["reported_at"] == "2026-11-29T09:30:00+08:00"
    missing = on(db_url, tmp_path, "cases", "show", "MY-20261129-9999")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "no case MY-20261129-9999"
    chinese = on(db_url, tmp_path, "cases", "show", "MY-20261129-9999", lang="zh")
    assert chinese.exit_code == 1
    assert "MY-20261129-9999" in chinese.stderr
    assert chinese.stderr != missing.stderr


# -- case transitions ---------------------------------------------------------------------------------


def test_accept_then_refused_twice(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, _ = two_cases
    result = on(db_url, tmp_path, "case", "accept", first, "--grid", "320102002001002")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"case {first} is now registered (version 2)"
    again = on(db_url, tmp_path, "case", "accept", first)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"case {first} is registered: it cannot accept"


def test_stale_version_is_refused(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, _ = two_cases
    result = on(db_url, tmp_path, "case", "set-priority", first, "urgent", "--version", "7")
    assert result.exit_code == 1
    assert f"case {first} was changed by" in result.stderr
    ok = on(
        db_url,
        tmp_path,
        "case",
        "set-priority",
        first,
        "urgent",
        "--version",
        "1",
        "--reason",
        "老人",
    )
    assert ok.exit_code == 0, ok.output
    shown = json.loads(on(db_url, tmp_path, "cases", "show", first, "--json").stdout)
    assert shown["priority"] == "urgent"


def test_reject(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, _ = two_cases
    usage = on(db_url, tmp_path, "case", "reject", first, "--reason", "duplicate", "--note", "x")
    assert usage.exit_code == 2
    no_note = on(db_url, tmp_path, "case", "reject", first, "--reason", "malicious", "--note", " ")
    assert no_note.exit_code == 1
    assert "note: required" in no_note.stderr
    result = on(
        db_url, tmp_path, "case", "reject", first, "--reason", "out_of_scope", "--note", "非本街道"
    )
    assert result.exit_code == 0, result.output
    assert "is now rejected" in result.stdout


def test_merge(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, second = two_cases
    itself = on(db_url, tmp_path, "case", "merge", first, "--into", first)
    assert itself.exit_code == 1
    assert "a case cannot be merged into itself" in itself.stderr
    result = on(db_url, tmp_path, "case", "merge", second, "--into", first, "--note", "同一事件")
    assert result.exit_code == 0, result.output
    detail = json.loads(on(db_url, tmp_path, "cases", "show", second, "--json").stdout)
    assert detail["merged_into_code"] == first
    assert detail["reject_reason"] == "duplicate"


def test_resolve_in_grid(two_cases: tuple[str, str], db_url: str, tmp_path: Path) -> None:
    first, second = two_cases
    refused = on(db_url, tmp_path, "case", "resolve-in-grid", second, "--note", "已处理")
    assert refused.exit_code == 1
    assert "cannot be resolved in the grid" in refused.stderr
    result = on(db_url, tmp_path, "case", "resolve-in-grid", first, "--note", "网格员已劝停")
    assert result.exit_code == 0, result.output
    assert "is now feedback given" in result.stdout
    missing_note = on(db_url, tmp_path, "case", "resolve-in-grid", first)
    assert missing_note.exit_code == 2


def test_transitions_need_an_operator(
    db: Database, dispatcher: Services, db_url: str, tmp_path: Path
) -> None:
    code = dispatcher.cases.report(new_case_fields()).code
    result = on(db_url, tmp_path, "case", "accept", code)
    assert result.exit_code == 1
    assert f"system account {ME} is not an operator" in result.stderr


def test_auditor_may_not_accept(
    db: Database, clock: FrozenClock, db_url: str, tmp_path: Path
) -> None:
    ensure_operator(db, clock, username=ME, display_name="审计测试", role=Role.auditor)
    code = services_for(db, "disp", clock).cases.report(new_case_fields()).code
    result = on(db_url, tmp_path, "case", "accept", code)
    assert result.exit_code == 1
    assert "may not accept" in result.stderr


def test_operator_disable_set_role_and_password(
    tmp_path: Path, db_url: str, db: Database, clock: FrozenClock
) -> None:
    from argon2 import PasswordHasher

    from gridconsole.services import passwords

    ensure_operator(db, clock, username=ME, display_name="管理测试", role=Role.admin)
    role = on(db_url, tmp_path, "operator", "set-role", "disp", "shift_lead")
    assert role.exit_code == 0, role.output
    assert role.stdout.strip() == "operator disp is now shift lead"
    real = passwords.HASHER
    passwords.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        short = CliRunner().invoke(
            main,
            ["--db", db_url, "--lang", "en", "operator", "password", "disp"],
            input="short\nshort\n",
            env=CLEAN_ENV,
        )
        assert short.exit_code == 1
        assert "at least 8 characters" in short.stderr
        differ = CliRunner().invoke(
            main,
            ["--db", db_url, "--lang", "en", "operator", "password", "disp"],
            input="long enough 1\nlong enough 2\n",
            env=CLEAN_ENV,
        )
        assert differ.exit_code == 1
        assert "the two passwords differ" in differ.stderr
        set_ = CliRunner().invoke(
            main,
            ["--db", db_url, "--lang", "en", "operator", "password", "disp"],
            input="long enough 1\nlong enough 1\n",
            env=CLEAN_ENV,
        )
        assert set_.exit_code == 0, set_.output
        assert "long enough" not in set_.output  # never echoed
    finally:
        passwords.HASHER = real
    disabled = on(db_url, tmp_path, "operator", "disable", "disp")
    assert disabled.exit_code == 0
    listed = on(db_url, tmp_path, "operator", "list").stdout.splitlines()
    assert ["disp", "王调度", "shift", "lead", "no"] in [line.split() for line in listed]


def test_operator_management_refused_to_a_non_admin(
    me: Database, db_url: str, tmp_path: Path
) -> None:
    result = on(db_url, tmp_path, "operator", "disable", "lead")
    assert result.exit_code == 1
    assert f"{ME} is not an active admin" in result.stderr


def test_operator_flag_refused_on_a_personal_account(
    me: Database, db_url: str, tmp_path: Path
) -> None:
    result = on(db_url, tmp_path, "console", "--operator", "lead")
    assert result.exit_code == 1
    assert f"{ME} is not one" in result.stderr
