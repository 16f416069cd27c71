"""The audit log: one entry per action in the action's transaction, a keyed hash chain that
finds every kind of tampering, append-only in the database, readable by auditors only."""

from __future__ import annotations

import itertools
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from gridconsole.cli import main
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Priority
from gridconsole.domain.errors import (
    PermissionDenied,
    StaleCase,
    TransitionRefused,
    ValidationFailed,
)
from gridconsole.services.audit import AuditFilter, verify_database
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.audit_log import KEY_FILE_ENV, AuditKeyError, AuditKeyring
from gridconsole.store.audit_verify import Anchor
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry
from tests.factories import new_case_fields, services_for

SECOND = timedelta(seconds=1)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def entries(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def newest(db: Database) -> AuditEntry:
    with db.read() as session:
        row = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))  # type: ignore[attr-defined]
        return row.scalar_one()


def journey(services: Services) -> list[str]:
    """A few actions: report three cases, accept one, raise one's priority. Returns codes."""
    codes = [services.cases.report(new_case_fields(title=f"审计{i}")).code for i in range(3)]
    detail = services.queue.detail(codes[0])
    services.cases.accept(codes[0], detail.version)
    return codes


def test_each_action_writes_exactly_one_entry_and_a_refused_one_none(
    db: Database, clock: FrozenClock
) -> None:
    services = services_for(db, "disp", clock)
    before = entries(db)
    code = services.cases.report(new_case_fields()).code
    assert entries(db) == before + 1
    entry = newest(db)
    assert (entry.action, entry.username, entry.role) == ("case.report", "disp", "dispatcher")
    assert entry.subject == f"case:{code}"
    assert entry.at == clock.now()

    version = services.queue.detail(code).version
    services.cases.accept(code, version)
    assert entries(db) == before + 2
    assert newest(db).action == "case.accept"

    # refused: a stale version, an impossible move, invalid input: the transaction rolls back
    # and with it the entry
    with pytest.raises(StaleCase):
        services.cases.accept(code, version)
    with pytest.raises(TransitionRefused):
        services.cases.accept(code, version + 1)
    with pytest.raises(ValidationFailed):
        services.cases.report(new_case_fields(title=""))
    assert entries(db) == before + 2
    print(f"\nentries after 2 actions and 3 refusals: {entries(db) - before}")


def test_the_chain_verifies_and_links_each_entry_to_the_last(
    db: Database, clock: FrozenClock
) -> None:
    journey(services_for(db, "disp", clock))
    verdict = verify_database(db)
    assert verdict.ok, verdict.problem
    assert verdict.head is not None
    assert verdict.entries == entries(db) == verdict.head.seq
    with db.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()  # type: ignore[arg-type]
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))


def test_the_database_refuses_to_change_or_remove_entries(db: Database, clock: FrozenClock) -> None:
    journey(services_for(db, "disp", clock))
    for statement in (
        "UPDATE audit_entries SET detail = '{}' WHERE seq = 1",
        "DELETE FROM audit_entries WHERE seq = 1",
    ):
        with pytest.raises(Exception, match="append-only"), db.write() as session:
            session.execute(text(statement))
    assert verify_database(db).ok


def _untrigger(db: Database) -> None:
    """What someone with the database's owner rights does first: switch the triggers off."""
    with db.writer.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            connection.execute(text("DROP TRIGGER audit_entries_no_delete"))


def _tamper(db: Database, *statements: str) -> None:
    with db.writer.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


TAMPERING = {
    "edited": ("UPDATE audit_entries SET detail = '{\"forged\": 1}' WHERE seq = 3",),
    "edited_time": ("UPDATE audit_entries SET username = 'lead' WHERE seq = 3",),
    "deleted": ("DELETE FROM audit_entries WHERE seq = 3",),
    # swap entries 3 and 4 (through a free number: seq is the key)
    "reordered": (
        "UPDATE audit_entries SET seq = 1000 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = 4",
        "UPDATE audit_entries SET seq = 4 WHERE seq = 1000",
    ),
    # a forged entry in the middle: the later ones moved up one to make room
    "inserted": (
        "UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 3",
        "UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1003",
        "INSERT INTO audit_entries (seq, at, operator_id, username, role, action, case_id,"
        " subject, detail, prev_hash, hash) SELECT 3, at, operator_id, username, role,"
        " 'case.close', case_id, subject, detail, hash,"
        " '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'"
        " FROM audit_entries WHERE seq = 2",
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_every_kind_of_tampering_is_found_at_its_entry(
    db: Database, clock: FrozenClock, kind: str
) -> None:
    journey(services_for(db, "disp", clock))
    total = entries(db)
    assert total >= 5
    _untrigger(db)
    _tamper(db, *TAMPERING[kind])
    verdict = verify_database(db)
    assert not verdict.ok
    assert verdict.bad_seq == 3, verdict.problem
    assert verdict.entries == 2  # the two before it are intact
    print(f"\n{kind}: found at entry {verdict.bad_seq} ({verdict.kind}): {verdict.problem}")


def test_removing_the_newest_entries_is_found_against_an_anchor(
    db: Database, clock: FrozenClock
) -> None:
    services = services_for(db, "disp", clock)
    journey(services)
    head = verify_database(db).head
    assert head is not None
    _untrigger(db)
    _tamper(db, f"DELETE FROM audit_entries WHERE seq >= {head.seq - 1}")
    # the chain alone still links up: only the anchor written outside shows the loss
    assert verify_database(db).ok
    verdict = verify_database(db, [head])
    assert not verdict.ok
    assert verdict.kind == "truncated"
    assert verdict.bad_seq == head.seq - 1
    # and truncating everything
    _tamper(db, "DELETE FROM audit_entries")
    assert verify_database(db, [head]).kind == "truncated"


def test_another_key_verifies_nothing(db: Database, clock: FrozenClock, tmp_path: Path) -> None:
    journey(services_for(db, "disp", clock))
    other = tmp_path / "other.key"
    other.write_text("ab" * 32)
    db.audit.keyring = AuditKeyring(other)
    verdict = verify_database(db)
    assert (verdict.ok, verdict.bad_seq) == (False, 1)


def test_a_missing_key_is_a_clear_error_and_writes_nothing(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    services = services_for(db, "disp", clock)
    services.cases.report(new_case_fields())
    before = entries(db)
    db.audit.keyring = AuditKeyring(tmp_path / "nowhere.key")
    with pytest.raises(AuditKeyError, match=r"nowhere\.key"):
        services.cases.report(new_case_fields(title="无钥匙"))
    assert entries(db) == before
    assert services.queue.page(QueueFilter()).total == 1  # the second case was not written


def test_auditors_read_the_log_with_filters_and_others_are_refused(
    db: Database, clock: FrozenClock
) -> None:
    dispatcher = services_for(db, "disp", clock)
    code = journey(dispatcher)[0]
    clock.advance(timedelta(hours=1))
    lead = services_for(db, "lead", clock)
    lead.cases.set_priority(code, lead.queue.detail(code).version, priority=Priority.urgent)
    auditor = services_for(db, "audit", clock)

    page = auditor.audit.page(AuditFilter(), limit=2)
    assert [row.action for row in page.rows] == ["case.set_priority", "case.accept"]
    assert page.next_before is not None
    rest = auditor.audit.page(AuditFilter(), before=page.next_before, limit=100)
    assert all(row.seq < page.next_before for row in rest.rows)

    by_case = auditor.audit.page(AuditFilter(case_code=code)).rows
    assert [row.action for row in by_case] == ["case.set_priority", "case.accept", "case.report"]
    by_lead = auditor.audit.page(AuditFilter(username="lead")).rows
    assert [(row.action, row.display_name) for row in by_lead] == [("case.set_priority", "李值班")]
    window = AuditFilter(since=clock.now() - timedelta(minutes=5), until=clock.now())
    assert auditor.audit.page(window).rows == ()
    window = AuditFilter(since=clock.now() - timedelta(minutes=5), until=clock.now() + SECOND)
    recent = auditor.audit.page(window).rows
    assert [row.action for row in recent] == ["case.set_priority"]
    logins = auditor.audit.page(AuditFilter(action_prefix="case.rep")).rows
    assert {row.action for row in logins} == {"case.report"}

    for username in ("disp", "lead", "liaison"):
        with pytest.raises(PermissionDenied):
            services_for(db, username, clock).audit.page(AuditFilter())


@pytest.fixture
def sqlite_db_file(db: Database) -> str:
    if db.dialect != "sqlite":
        pytest.skip("the CLI test drives one SQLite file")
    return db.reader.url.render_as_string(hide_password=False)


def test_cli_verify_exits_1_naming_the_first_bad_entry_and_anchors_catch_truncation(
    db: Database, clock: FrozenClock, sqlite_db_file: str, tmp_path: Path
) -> None:
    journey(services_for(db, "disp", clock))
    runner = CliRunner()
    good = runner.invoke(main, ["--db", sqlite_db_file, "--lang", "en", "audit", "verify"])
    assert good.exit_code == 0, good.output
    assert "intact" in good.output

    anchors = tmp_path / "handover.txt"
    anchored = runner.invoke(
        main, ["--db", sqlite_db_file, "audit", "anchor", "--out", str(anchors)]
    )
    assert anchored.exit_code == 0, anchored.output
    assert anchors.read_text().count("seq=") == 1

    _untrigger(db)
    _tamper(db, "DELETE FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries)")
    plain = runner.invoke(main, ["--db", sqlite_db_file, "audit", "verify"])
    assert plain.exit_code == 0  # without the anchor a removed tail cannot be seen
    checked = runner.invoke(
        main,
        ["--db", sqlite_db_file, "--lang", "en", "audit", "verify", "--anchor", str(anchors)],
    )
    assert checked.exit_code == 1
    assert "removed from the end" in checked.output

    _tamper(db, "UPDATE audit_entries SET action = 'case.close' WHERE seq = 2")
    edited = runner.invoke(main, ["--db", sqlite_db_file, "--lang", "en", "audit", "verify"])
    assert edited.exit_code == 1
    assert "entry 2 (edited)" in edited.output


def test_the_key_lives_outside_the_database(db: Database) -> None:
    path = db.audit.keyring.path
    assert path is not None
    assert os.environ.get(KEY_FILE_ENV) in (None, "", str(path))
    assert Anchor(1, "0" * 64).line("t").endswith("hash=" + "0" * 64)


def test_a_working_day_under_strict_audit_writes_one_entry_per_action(
    db: Database, clock: FrozenClock
) -> None:
    """Strict: a write that records no action fails. Each step below is one action."""
    from datetime import date

    from gridconsole.domain.enums import EscalationKind, Severity
    from gridconsole.domain.work_calendar import DayKind
    from gridconsole.services.calendar import CalendarService
    from tests.dispatch_cases import accept, closed, returned

    db.audit.strict = True
    disp, lead = services_for(db, "disp", clock), services_for(db, "lead", clock)
    admin = services_for(db, "admin", clock)
    steps = 0

    def step(count: int = 1) -> None:
        nonlocal steps
        steps += count

    first = disp.cases.report(new_case_fields(title="严格一")).code
    second = disp.cases.report(new_case_fields(title="严格二")).code
    step(2)
    accept(disp, first)
    accept(disp, second)
    step(2)
    closed(disp, first, "CG")  # dispatch, sign, feedback, verify
    step(4)
    returned(disp, lead, second, "CG")  # dispatch, request return, approve
    step(3)
    disp.claims.claim(second)
    disp.claims.release(second)
    step(2)
    card = disp.escalations.raise_(
        second, kind=EscalationKind.other_major, severity=Severity.general, reason="严格审计"
    )
    lead.escalations.confirm(card.id, card.version)
    step(2)
    CalendarService(admin.context).set_day(date(2027, 1, 4), DayKind.holiday, "严格")
    step(1)
    verdict = verify_database(db)
    assert verdict.ok
    with db.read() as session:
        actions = (
            session.execute(
                select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(steps)  # type: ignore[attr-defined]
            )
            .scalars()
            .all()
        )
    assert len(set(actions)) >= 10
    assert entries(db) == steps + 1  # and the database's purpose
    print(f"\nstrict journey: {steps} actions, {entries(db)} entries, chain verified")


def test_an_import_is_one_entry_naming_its_batch(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    from gridconsole.services.imports import import_cases

    services = services_for(db, "disp", clock)
    header = "title,description,category,grid,source,priority,reported_at,external_id\n"
    rows = "".join(
        f"导入{i},描述{i},11-noise,320102002001001,platform,normal,2026-11-29T08:00:00+08:00,E{i}\n"
        for i in range(5)
    )
    path = tmp_path / "cases.csv"
    path.write_text(header + rows, encoding="utf-8")
    before = entries(db)
    report = import_cases(services.context, path)
    assert report.problems == ()
    assert len(report.imported) == 5
    assert entries(db) == before + 1
    entry = newest(db)
    assert entry.action == "import.batch"
    assert '"records":5' in entry.detail
