"""Revealing masked personal data: the matrix through the services, the reason, one audit entry
in the same transaction; exports of personal data; numbers quoted in free text masked."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain import permissions
from gridconsole.domain.enums import PersonalField, Role
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.domain.identifiers import id_check_character
from gridconsole.domain.privacy import mask_numbers_in_text
from gridconsole.services.operators import ensure_operator
from gridconsole.services.roster_files import RosterKind, export_roster, import_roster
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry
from tests.factories import OPERATORS, new_case_fields, services_for

USERNAMES = {role: name for name, (_, role) in OPERATORS.items() if name != "liaison2"}


def id_number(sequence: int) -> str:
    first17 = f"320102{date(1988, 5, 17):%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def reveals(db: Database, action: str = "privacy.reveal") -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.execute(
                select(AuditEntry)
                .where(col(AuditEntry.action) == action)
                .order_by(col(AuditEntry.seq))
            ).scalars()
        )


def entry_count(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


@pytest.mark.parametrize("role", list(USERNAMES))
def test_case_reveal_follows_the_matrix_and_is_recorded(
    db: Database, clock: FrozenClock, role: Role
) -> None:
    code = (
        services_for(db, "disp", clock)
        .cases.report(new_case_fields(reporter_phone="13912345678", reporter_name="张三丰"))
        .code
    )
    services = services_for(db, USERNAMES[role], clock)
    allowed = {
        field
        for field in (PersonalField.reporter_phone, PersonalField.reporter_name)
        if permissions.may_reveal(role, field)
    }
    before = entry_count(db)
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.privacy.reveal_case(code, reason="回访核实")
        assert entry_count(db) == before
        return
    with pytest.raises(ValidationFailed):
        services.privacy.reveal_case(code, reason="  ")  # a reason is required
    assert entry_count(db) == before
    shown = services.privacy.reveal_case(code, reason="回访核实\x1b[2J")
    assert set(shown.values) == allowed
    assert shown.values[PersonalField.reporter_phone] == "13912345678"
    assert entry_count(db) == before + 1
    entry = reveals(db)[-1]
    assert entry.subject == f"case:{code}"
    assert entry.username == USERNAMES[role]
    assert json.loads(entry.detail)["reason"] == "回访核实[2J"  # stored cleaned
    assert set(json.loads(entry.detail)["fields"]) == {field.value for field in allowed}


@pytest.mark.parametrize("role", list(USERNAMES))
def test_worker_reveal_follows_the_matrix(db: Database, clock: FrozenClock, role: Role) -> None:
    admin = services_for(db, "admin", clock)
    worker = admin.roster.add_worker(
        {
            "name": "李四",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": "13700001111",
            "id_number": id_number(7),
            "grids": "320102002001001",
        }
    )
    services = services_for(db, USERNAMES[role], clock)
    allowed = {
        field
        for field in (PersonalField.worker_mobile, PersonalField.worker_id_number)
        if permissions.may_reveal(role, field)
    }
    before = entry_count(db)
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.privacy.reveal_worker(worker.row.id, reason="核查")
        assert entry_count(db) == before
        return
    shown = services.privacy.reveal_worker(worker.row.id, reason="电话联系核查")
    assert set(shown.values) == allowed
    assert shown.values[PersonalField.worker_mobile] == "13700001111"
    if PersonalField.worker_id_number in allowed:
        assert shown.values[PersonalField.worker_id_number] == id_number(7)
    assert entry_count(db) == before + 1
    assert reveals(db)[-1].subject == f"worker:{worker.row.id}"


def test_the_matrix_as_decided() -> None:
    """Reporter data to the centre that calls back; ID numbers to admins only."""
    table = {
        field: {role for role in Role if permissions.may_reveal(role, field)}
        for field in PersonalField
    }
    assert table == {
        PersonalField.reporter_phone: {Role.dispatcher, Role.shift_lead},
        PersonalField.reporter_name: {Role.dispatcher, Role.shift_lead},
        PersonalField.worker_mobile: {Role.dispatcher, Role.shift_lead, Role.admin},
        PersonalField.worker_id_number: {Role.admin},
    }
    assert {Role.admin} == permissions.PERSONAL_DATA_EXPORTERS


def test_the_workers_export_says_it_holds_personal_data_and_is_recorded(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    admin = services_for(db, "admin", clock)
    admin.roster.add_worker(
        {
            "name": "王五",
            "role": "grid_head",
            "mobile": "13600002222",
            "id_number": id_number(9),
            "grids": "320102002002001",
        }
    )
    path = tmp_path / "workers.csv"
    before = entry_count(db)
    assert export_roster(admin.roster, path, RosterKind.workers) == 1
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0][0].startswith("# 本文件含个人信息")
    assert "孙管理" in rows[0][0]
    assert rows[2][3] == "13600002222"
    assert entry_count(db) == before + 1
    entry = reveals(db, "privacy.export")[-1]
    assert entry.subject == "file:workers.csv"
    assert json.loads(entry.detail)["rows"] == 1
    # the file still reads back as an import (the note above the header is skipped): its one
    # record is read, and refused only because that worker is registered already
    report = import_roster(admin.roster, path, RosterKind.workers, dry_run=True)
    assert report.records == 1
    assert [(problem.line, problem.field) for problem in report.problems] == [(3, "id_number")]


def test_the_workers_export_is_refused_without_the_permission(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    before = entry_count(db)
    for username in ("disp", "lead", "audit", "liaison"):
        with pytest.raises(PermissionDenied):
            export_roster(
                services_for(db, username, clock).roster, tmp_path / "w.csv", RosterKind.workers
            )
    assert not (tmp_path / "w.csv").exists()
    assert entry_count(db) == before


MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=5)


@given(CJK, MOBILES, CJK)
def test_mobiles_quoted_in_free_text_are_masked(before: str, mobile: str, after: str) -> None:
    masked = mask_numbers_in_text(f"{before}{mobile}{after}")
    assert mobile not in masked
    assert masked == f"{before}{mobile[:3]}****{mobile[-4:]}{after}"


def test_codes_and_longer_numbers_are_not_numbers_to_mask() -> None:
    text = "网格320102002001001 编号MY-20261129-0001 单号1381234123456 身份证320102198805170079"
    assert mask_numbers_in_text(text) == (
        "网格320102002001001 编号MY-20261129-0001 单号1381234123456 身份证3201**********0079"
    )


def test_the_command_line_masks_numbers_quoted_in_a_case(
    db: Database, db_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    from tests.unit.test_cli import ME, on

    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    code = (
        services_for(db, "disp", clock)
        .cases.report(new_case_fields(description=f"请回电 13912345678，身份证 {id_number(3)}。"))
        .code
    )
    shown = on(db_url, tmp_path, "cases", "show", code)
    assert shown.exit_code == 0, shown.output
    assert "139****5678" in shown.stdout
    assert "13912345678" not in shown.stdout
    assert id_number(3) not in shown.stdout
