"""The roster service on SQLite and PostgreSQL: edits, eligibility, coverage, search, complaints."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    ComplaintOutcome,
    ComplaintSource,
    GridChangeKind,
    PersonalField,
    WorkerStatus,
)
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.domain.identifiers import id_check_character
from gridconsole.domain.roster import CoverageIssue, EligibilityRule, NotEligible
from gridconsole.services.bundle import Services
from gridconsole.services.roster_records import RosterQuery, StaleRosterRecord
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry, GridWorker
from tests.factories import new_case_fields, services_for

G1, G2, G3 = "320102002001001", "320102002001002", "320102002002001"
CLEAN = {
    "citizen": "是",
    "criminal": "否",
    "detention": "否",
    "dismissal": "否",
    "dishonesty": "否",
}


def id_number(birth: date, sequence: int = 11) -> str:
    first17 = f"320102{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def full_time(name: str = "张三", **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": name,
        "role": "full_time",
        "mobile": "13812341234",
        "id_number": id_number(date(1990, 3, 1)),
        "grids": G1,
        **CLEAN,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def admin(any_db: Database, clock: FrozenClock) -> Services:
    services = services_for(any_db, "admin", clock)
    # the reference grids and communities were written directly, without search keys
    assert services.roster.refresh_search_keys() == 5
    return services


@pytest.fixture
def staffed(admin: Services) -> Services:
    """Heads and full-time workers for the reference grids, and two part-time volunteers."""
    roster = admin.roster
    roster.add_worker(full_time("张三", head_of=G1))
    roster.add_worker(
        full_time("李四", mobile="13912345678", id_number=id_number(date(1985, 7, 9), 23), grids=G2)
    )
    roster.add_worker(
        {
            "name": "曾小明",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": "13700001111",
            "grids": f"{G1} {G2}",
        }
    )
    roster.add_worker(
        {
            "name": "王五",
            "role": "grid_head",
            "mobile": "13600002222",
            "grids": G3,
            "head_of": f"{G2} {G3}",
        }
    )
    return admin


def test_add_worker_keeps_pinyin_keys_and_masks_for_readers(
    staffed: Services, any_db: Database, clock: FrozenClock
) -> None:
    dispatcher = services_for(any_db, "disp", clock)
    page = dispatcher.roster.page(RosterQuery())
    # pinyin order of the names (曾 by its dictionary reading, ceng)
    assert [row.name for row in page.rows] == ["曾小明", "李四", "王五", "张三"]
    zhang = next(row for row in page.rows if row.name == "张三")
    assert zhang.mobile_masked == "138****1234"
    assert zhang.id_masked == "3201" + "*" * 10 + id_number(date(1990, 3, 1))[-4:]
    assert zhang.birth_date == date(1990, 3, 1)
    assert zhang.age == 36
    assert zhang.heads == (G1,)
    detail = dispatcher.roster.worker(zhang.id)
    assert detail.mobile == "138****1234"
    assert staffed.roster.worker(zhang.id).mobile == "138****1234"  # the admin too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zs", ["张三"]),
        ("ZS", ["张三"]),
        ("zhangs", ["张三"]),
        ("三", ["张三"]),
        ("zxm", ["曾小明"]),  # 曾 read zeng as a surname
        ("cxm", ["曾小明"]),
        ("41234", ["张三"]),  # digits of a mobile
        (G3, ["王五"]),  # a grid code
        ("ztfzswg", ["王五"]),  # 总统府专属网格 by initials
        ("长江路", ["王五"]),  # a community name
        ("dxg", ["曾小明", "李四", "王五", "张三"]),  # 大行宫 grids and the head of one
        ("%", []),
        ("_", []),
    ],
)
def test_search_by_characters_pinyin_grid_and_community(
    staffed: Services, text: str, expected: list[str]
) -> None:
    page = staffed.roster.page(RosterQuery(text=text))
    assert [row.name for row in page.rows] == expected
    assert page.total == len(expected)


def test_pages_are_keyset_pages(staffed: Services) -> None:
    first = staffed.roster.page(RosterQuery(), limit=3)
    assert first.total == 4
    assert len(first.rows) == 3
    assert first.next_cursor is not None
    second = staffed.roster.page(RosterQuery(), after=first.next_cursor, limit=3)
    assert [row.name for row in second.rows] == ["张三"]
    assert second.next_cursor is None


def test_tree_filters_by_grid_and_community(staffed: Services) -> None:
    by_grid = staffed.roster.page(RosterQuery(grid_code=G3))
    assert [row.name for row in by_grid.rows] == ["王五"]
    by_community = staffed.roster.page(RosterQuery(community_code="320102002001"))
    assert {row.name for row in by_community.rows} == {"张三", "李四", "曾小明", "王五"}
    tree = staffed.roster.tree()
    assert [community.name for community in tree] == ["大行宫社区", "长江路社区"]
    first = tree[0].grids[0]
    assert (first.code, first.workers, first.breaches, first.warnings) == (G1, 2, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"id_number": id_number(date(2009, 1, 1))}, EligibilityRule.age),
        ({"citizen": "否"}, EligibilityRule.citizen),
        ({"criminal": "是"}, EligibilityRule.criminal),
        ({"detention": "是"}, EligibilityRule.detention),
        ({"dismissal": "是"}, EligibilityRule.dismissal),
        ({"dishonesty": "是"}, EligibilityRule.dishonesty),
    ],
)
def test_full_time_eligibility_refuses_by_rule_and_writes_nothing(
    admin: Services, overrides: dict[str, str], rule: EligibilityRule
) -> None:
    with pytest.raises(NotEligible) as caught:
        admin.roster.add_worker(full_time(**overrides))
    assert caught.value.rules == (rule,)
    assert "张三 不符合专职网格员条件" in str(caught.value)
    assert admin.roster.page(RosterQuery()).total == 0


def test_declarations_carry_over_and_a_change_is_rechecked(staffed: Services) -> None:
    zhang = staffed.roster.page(RosterQuery(text="zs")).rows[0]
    # a change without the declarations keeps the ones recorded
    fields = {key: value for key, value in full_time().items() if key not in CLEAN}
    updated = staffed.roster.update_worker(zhang.id, zhang.version, {**fields, "head_of": G1})
    assert updated.declaration is not None
    assert updated.declaration.complete
    with pytest.raises(NotEligible) as caught:
        staffed.roster.update_worker(
            zhang.id, updated.row.version, {**fields, "dishonesty": "是", "head_of": G1}
        )
    assert caught.value.rules == (EligibilityRule.dishonesty,)


def test_a_stale_edit_is_refused_with_who_changed_it(staffed: Services) -> None:
    zhang = staffed.roster.page(RosterQuery(text="zs")).rows[0]
    staffed.roster.update_worker(zhang.id, zhang.version, full_time(head_of=G1))
    with pytest.raises(StaleRosterRecord, match="孙管理"):
        staffed.roster.update_worker(zhang.id, zhang.version, full_time(name="张三丰"))


def test_field_problems_are_all_named(admin: Services) -> None:
    with pytest.raises(ValidationFailed) as caught:
        admin.roster.add_worker(
            full_time(mobile="12345", id_number="320102199003010119", grids="999", head_of=G1)
        )
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["mobile", "id_number"]
    with pytest.raises(ValidationFailed) as caught:
        admin.roster.add_worker(full_time(grids="999"))
    assert [problem.field for problem in caught.value.problems] == ["grids"]


def test_an_id_number_is_registered_once(staffed: Services) -> None:
    with pytest.raises(ValidationFailed, match="已登记为网格员 张三"):
        staffed.roster.add_worker(full_time("张三二", mobile="13800000000"))


def test_a_part_time_worker_cannot_head_a_grid(staffed: Services) -> None:
    with pytest.raises(ValidationFailed, match="第十二条"):
        staffed.roster.add_worker(
            {"name": "赵六", "role": "part_time", "part_time_category": "志愿者", "head_of": G1}
        )


def test_coverage_report(admin: Services) -> None:
    report = admin.roster.coverage()
    issues = {(finding.subject, finding.issue) for finding in report.findings}
    # nobody yet: every grid lacks its head, the urban comprehensive ones a full-time worker
    assert issues == {
        (G1, CoverageIssue.no_head),
        (G1, CoverageIssue.no_full_time),
        (G2, CoverageIssue.no_head),
        (G2, CoverageIssue.no_full_time),
        (G3, CoverageIssue.no_head),
    }
    admin.roster.add_worker(full_time(grids=f"{G1} {G2} {G3}", head_of=f"{G1} {G2} {G3}"))
    report = admin.roster.coverage()
    assert [(finding.issue, finding.subject) for finding in report.findings] == [
        (CoverageIssue.too_many_grids, "张三")
    ] or admin.context.settings.roster.max_grids_per_worker >= 3


def test_too_many_grids_with_a_lower_limit(any_db: Database, clock: FrozenClock) -> None:
    from gridconsole.config import Settings

    settings = Settings.model_validate({"roster": {"max_grids_per_worker": 2}})
    admin = services_for(any_db, "admin", clock, settings)
    admin.roster.add_worker(full_time(grids=f"{G1} {G2} {G3}", head_of=f"{G1} {G2} {G3}"))
    report = admin.roster.coverage()
    assert [(finding.issue, finding.subject) for finding in report.findings] == [
        (CoverageIssue.too_many_grids, "张三")
    ]


def test_a_worker_who_leaves_uncovers_the_grid(staffed: Services) -> None:
    zhang = staffed.roster.page(RosterQuery(text="zs")).rows[0]
    staffed.roster.update_worker(zhang.id, zhang.version, full_time(status="left"))
    issues = {(finding.subject, finding.issue) for finding in staffed.roster.coverage().findings}
    assert (G1, CoverageIssue.no_full_time) in issues
    assert (G1, CoverageIssue.no_head) in issues  # a left worker heads no grid
    assert staffed.roster.page(RosterQuery(text="zs")).total == 0
    assert staffed.roster.page(RosterQuery(text="zs", include_left=True)).total == 1


def test_on_duty_today(staffed: Services) -> None:
    zhang = staffed.roster.page(RosterQuery(text="zs")).rows[0]
    detail = staffed.roster.set_on_duty(zhang.id, zhang.version, True)
    assert detail.row.on_duty_today
    off = staffed.roster.set_on_duty(zhang.id, detail.row.version, False)
    assert not off.row.on_duty_today


def test_grid_edits_need_a_reason_for_code_and_area_and_are_filed(staffed: Services) -> None:
    grid = staffed.roster.grid(G1)
    fields = {"code": G1, "name": grid.name, "kind": "comprehensive", "households": 420}
    with pytest.raises(ValidationFailed, match="第七条"):
        staffed.roster.update_grid(G1, grid.version, {**fields, "code": "320102002001009"})
    changed = staffed.roster.update_grid(
        G1,
        grid.version,
        {**fields, "code": "320102002001009", "households": 460, "area": "1–6 栋"},
        reason="小区扩建",
    )
    assert changed.code == "320102002001009"
    kinds = [change.kind for change in staffed.roster.grid_changes()]
    assert kinds == [GridChangeKind.code, GridChangeKind.boundary]
    assert {change.reason for change in staffed.roster.grid_changes()} == {"小区扩建"}
    # renaming alone needs no reason
    staffed.roster.update_grid(
        "320102002001009",
        changed.version,
        {**fields, "code": "320102002001009", "households": 460, "area": "1–6 栋", "name": "新名"},
    )
    assert staffed.roster.grid_changes()[-1].kind is GridChangeKind.renamed


def test_new_grid_checks_the_code_rule_and_uniqueness(staffed: Services) -> None:
    with pytest.raises(ValidationFailed, match="320102002002"):
        staffed.roster.add_grid("320102002002", {"code": G1, "name": "x"})
    with pytest.raises(ValidationFailed, match="已被"):
        staffed.roster.add_grid("320102002001", {"code": G1, "name": "x"})
    created = staffed.roster.add_grid(
        "320102002001", {"code": "320102002001003", "name": "大行宫第三网格", "households": 350}
    )
    assert created.community_name == "大行宫社区"
    assert staffed.roster.grid_changes()[-1].kind is GridChangeKind.created


def test_complaints_are_recorded_and_handled_once(
    staffed: Services, any_db: Database, clock: FrozenClock
) -> None:
    dispatcher = services_for(any_db, "disp", clock)
    lead = services_for(any_db, "lead", clock)
    zhang = dispatcher.roster.page(RosterQuery(text="zs")).rows[0]
    complaint = dispatcher.roster.record_complaint(
        zhang.id,
        source=ComplaintSource.phone,
        content="上门态度蛮横",
        complainant_phone="13800001111",
    )
    assert complaint.complainant_phone_masked == "138****1111"
    row = dispatcher.roster.page(RosterQuery(text="zs")).rows[0]
    assert (row.complaints, row.open_complaints) == (1, 1)
    with pytest.raises(PermissionDenied):
        dispatcher.roster.handle_complaint(
            complaint.id, outcome=ComplaintOutcome.partly, note="已谈话"
        )
    handled = lead.roster.handle_complaint(
        complaint.id, outcome=ComplaintOutcome.partly, note="已谈话提醒"
    )
    assert handled.handled_by == "李值班"
    with pytest.raises(ValidationFailed, match="已处理"):
        lead.roster.handle_complaint(complaint.id, outcome=ComplaintOutcome.partly, note="again")
    detail = dispatcher.roster.worker(zhang.id)
    assert [record.outcome for record in detail.complaints] == [ComplaintOutcome.partly]


def test_roles(any_db: Database, clock: FrozenClock) -> None:
    dispatcher = services_for(any_db, "disp", clock)
    with pytest.raises(PermissionDenied, match="维护网格和网格员名册"):
        dispatcher.roster.add_worker(full_time())
    liaison = services_for(any_db, "liaison", clock)
    with pytest.raises(PermissionDenied, match="查看网格员名册"):
        liaison.roster.page(RosterQuery())


def test_worker_counts_cases(staffed: Services, any_db: Database, clock: FrozenClock) -> None:
    dispatcher = services_for(any_db, "disp", clock)
    dispatcher.cases.report(
        new_case_fields(source="grid_worker", reporter_name="张三", reporter_phone="13812341234")
    )
    dispatcher.cases.report(new_case_fields(grid=G2))
    rows = {row.name: row for row in dispatcher.roster.page(RosterQuery()).rows}
    assert rows["张三"].reported_this_month == 1
    assert rows["张三"].open_cases == 1
    assert rows["曾小明"].open_cases == 2  # covers both grids
    assert rows["李四"].reported_this_month == 0


def test_public_notice_lists_heads_and_full_time_workers(staffed: Services) -> None:
    notice = staffed.roster.public_notice()
    assert [grid.code for grid in notice] == [G1, G2, G3]
    first = notice[0]
    assert first.head is not None
    assert (first.head.name, first.head.mobile) == ("张三", "13812341234")
    assert [person.name for person in first.full_time] == ["张三"]
    # part-time workers are not published
    assert all(person.name != "曾小明" for grid in notice for person in grid.full_time)
    assert notice[2].head is not None
    assert notice[2].head.name == "王五"
    assert (
        staffed.roster.worker(staffed.roster.page(RosterQuery(text="ww")).rows[0].id).row.status
        is WorkerStatus.active
    )


# -- the numbers: masked on every read, kept by a change that gives none (Art. 17) ----------------


def stored_numbers(db: Database, worker_id: int) -> tuple[str, str]:
    with db.read() as session:
        worker = session.get(GridWorker, worker_id)
        assert worker is not None
        return worker.mobile, worker.id_number


def audit_actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(
            session.execute(select(col(AuditEntry.action)).order_by(col(AuditEntry.seq))).scalars()
        )


def without_numbers(fields: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in fields.items() if key not in ("mobile", "id_number")}


@pytest.mark.parametrize("username", ["disp", "lead", "admin", "audit"])
def test_no_role_reads_a_full_number(
    staffed: Services, any_db: Database, clock: FrozenClock, username: str
) -> None:
    reader = services_for(any_db, username, clock)
    full = {"13812341234", "13912345678", "13700001111", "13600002222"}
    full |= {id_number(date(1990, 3, 1)), id_number(date(1985, 7, 9), 23)}
    for row in reader.roster.page(RosterQuery()).rows:
        detail = reader.roster.worker(row.id)
        assert (detail.mobile, detail.id_number) == (row.mobile_masked, row.id_masked)
        assert not any(number in repr(detail) for number in full), repr(detail)
    li = next(row for row in reader.roster.page(RosterQuery(text="ls")).rows)
    assert reader.roster.worker(li.id).mobile == "139****5678"
    assert (
        reader.roster.worker(li.id).id_number
        == "3201**********" + id_number(date(1985, 7, 9), 23)[-4:]
    )


def test_a_change_without_the_numbers_keeps_the_stored_ones(
    staffed: Services, any_db: Database
) -> None:
    li = staffed.roster.page(RosterQuery(text="ls")).rows[0]
    before = stored_numbers(any_db, li.id)
    assert before == ("13912345678", id_number(date(1985, 7, 9), 23))
    fields = without_numbers(full_time("李四", grids=G2))
    # absent and None both keep: the full-time rules (a mobile, an ID number, Art. 14) are
    # checked against the stored numbers, read in the change's transaction
    changed = staffed.roster.update_worker(li.id, li.version, {**fields, "name": "李四四"})
    assert stored_numbers(any_db, li.id) == before
    assert changed.row.name == "李四四"
    assert changed.row.birth_date == date(1985, 7, 9)
    changed = staffed.roster.update_worker(
        li.id, changed.row.version, {**fields, "mobile": None, "id_number": None}
    )
    assert stored_numbers(any_db, li.id) == before
    # a new mobile replaces the stored one; the ID number not given stays
    staffed.roster.update_worker(
        li.id, changed.row.version, {**fields, "mobile": "139 1234 0000", "id_number": None}
    )
    assert stored_numbers(any_db, li.id) == ("13912340000", before[1])


def test_art_14_sees_the_stored_id_number_of_a_change(admin: Services, any_db: Database) -> None:
    """A volunteer of 17 (no Art. 14 check for part-time workers) made full-time with the numbers
    untouched is refused for age; one of 36 is accepted. Only the stored number says which."""
    young = admin.roster.add_worker(
        {
            "name": "小周",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": "13700002222",
            "id_number": id_number(date(2009, 6, 1)),
            "grids": G1,
        }
    )
    grown = admin.roster.add_worker(
        {
            "name": "老周",
            "role": "part_time",
            "part_time_category": "志愿者",
            "mobile": "13700003333",
            "id_number": id_number(date(1990, 6, 1), 12),
            "grids": G2,
        }
    )
    with pytest.raises(NotEligible) as caught:
        admin.roster.update_worker(
            young.row.id, young.row.version, without_numbers(full_time("小周"))
        )
    assert caught.value.rules == (EligibilityRule.age,)
    assert "17" in str(caught.value)
    changed = admin.roster.update_worker(
        grown.row.id, grown.row.version, without_numbers(full_time("老周", grids=G2))
    )
    assert changed.row.role.value == "full_time"
    assert stored_numbers(any_db, grown.row.id) == ("13700003333", id_number(date(1990, 6, 1), 12))


def test_an_empty_number_clears_it_where_the_role_allows(
    staffed: Services, any_db: Database
) -> None:
    zeng = staffed.roster.page(RosterQuery(text="zxm")).rows[0]
    volunteer = {
        "name": "曾小明",
        "role": "part_time",
        "part_time_category": "志愿者",
        "grids": f"{G1} {G2}",
    }
    staffed.roster.update_worker(zeng.id, zeng.version, {**volunteer, "mobile": ""})
    assert stored_numbers(any_db, zeng.id) == ("", "")
    li = staffed.roster.page(RosterQuery(text="ls")).rows[0]
    with pytest.raises(ValidationFailed) as caught:
        staffed.roster.update_worker(
            li.id, li.version, {**full_time("李四", grids=G2), "mobile": "", "id_number": None}
        )
    assert [problem.field for problem in caught.value.problems] == ["mobile"]
    assert stored_numbers(any_db, li.id)[0] == "13912345678"


def test_opening_a_worker_records_nothing_and_a_reveal_once(
    staffed: Services, any_db: Database
) -> None:
    li = staffed.roster.page(RosterQuery(text="ls")).rows[0]
    before = audit_actions(any_db)
    staffed.roster.worker(li.id)
    staffed.roster.worker(li.id)
    assert audit_actions(any_db) == before
    shown = staffed.privacy.reveal_worker(li.id, reason="核对号码后修改")
    assert shown.values[PersonalField.worker_mobile] == "13912345678"
    assert shown.values[PersonalField.worker_id_number] == id_number(date(1985, 7, 9), 23)
    assert audit_actions(any_db) == [*before, "privacy.reveal"]
    staffed.roster.update_worker(li.id, li.version, without_numbers(full_time("李四", grids=G2)))
    assert audit_actions(any_db) == [*before, "privacy.reveal", "roster.update_worker"]
