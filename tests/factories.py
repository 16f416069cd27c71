"""A small, fixed street office for tests: every test and snapshot sees the same data."""

from __future__ import annotations

from datetime import UTC, datetime

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    DatabasePurpose,
    DepartmentKind,
    GridKind,
    Role,
)
from gridconsole.services import database
from gridconsole.services.bundle import Services
from gridconsole.store.audit_log import mark_unaudited
from gridconsole.store.engine import Database
from gridconsole.store.models import (
    CaseCategory,
    Community,
    Department,
    DepartmentCategory,
    District,
    Grid,
    Operator,
    Street,
)
from tests.postgres import sqlite_url as sqlite_url

# 09:30 in Nanjing on a Sunday morning shift
T0 = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)

OPERATORS = {
    "disp": ("王调度", Role.dispatcher),
    "lead": ("李值班", Role.shift_lead),
    "liaison": ("赵联络", Role.liaison),  # 城管执法中队 (CG)
    "liaison2": ("周联络", Role.liaison),  # 市场监管所 (SC)
    "admin": ("孙管理", Role.admin),
    "audit": ("钱审计", Role.auditor),
}


def build_reference_database(url: str) -> Database:
    """Migrate an empty database to head and fill it with the fixed reference street."""
    db = Database.connect(url)
    db.audit.clock = FrozenClock(T0)  # what is recorded before any service runs, at T0
    database.upgrade(db)
    database.set_purpose(db, DatabasePurpose.training)
    with db.write() as session:
        mark_unaudited(session, "the reference street is the tests' fixture, not an action")
        district = District(code="320102", name="玄武区")
        session.add(district)
        session.flush()
        street = Street(
            district_id=district.id, code="320102002", name="梅园新村街道", case_prefix="MY"
        )
        session.add(street)
        session.flush()
        communities = [
            Community(street_id=street.id, code="320102002001", name="大行宫社区"),
            Community(street_id=street.id, code="320102002002", name="长江路社区"),
        ]
        session.add_all(communities)
        session.flush()
        session.add_all(
            [
                Grid(
                    community_id=communities[0].id,
                    code="320102002001001",
                    name="大行宫第一网格",
                    kind=GridKind.comprehensive,
                    households=420,
                ),
                Grid(
                    community_id=communities[0].id,
                    code="320102002001002",
                    name="大行宫第二网格",
                    kind=GridKind.comprehensive,
                    households=380,
                ),
                Grid(
                    community_id=communities[1].id,
                    code="320102002002001",
                    name="总统府专属网格",
                    kind=GridKind.dedicated,
                    unit_name="总统府景区管理处",
                ),
            ]
        )
        departments = [
            Department(code="CG", name="城管执法中队", kind=DepartmentKind.government),
            Department(code="SC", name="市场监管所", kind=DepartmentKind.government),
            Department(code="GS", name="供水公司", kind=DepartmentKind.utility),
        ]
        session.add_all(departments)
        session.flush()
        categories = [
            CaseCategory(
                code="11-noise",
                name="噪音扰民",
                family=11,
                resolvable_in_grid=True,
                default_department_id=departments[0].id,
            ),
            CaseCategory(
                code="11-water",
                name="供水漏水",
                family=11,
                default_department_id=departments[2].id,
            ),
            CaseCategory(code="06-consult", name="政策咨询", family=6, resolvable_in_grid=True),
            CaseCategory(
                code="03-food",
                name="食品安全",
                family=3,
                default_department_id=departments[1].id,
            ),
        ]
        session.add_all(categories)
        session.flush()
        # who handles what: each department its own categories; 政策咨询 has no department
        for department, category in [
            (departments[0], categories[0]),
            (departments[2], categories[1]),
            (departments[1], categories[3]),
        ]:
            session.add(DepartmentCategory(department_id=department.id, category_id=category.id))
        liaison_departments = {"liaison": departments[0].id, "liaison2": departments[1].id}
        for username, (name, role) in OPERATORS.items():
            session.add(
                Operator(
                    username=username,
                    display_name=name,
                    role=role,
                    department_id=liaison_departments.get(username),
                    created_at=T0,
                )
            )
    return db


def services_for(
    db: Database, username: str, clock: FrozenClock, settings: Settings | None = None
) -> Services:
    return Services.build(db, settings or Settings(), clock, username)


def new_case_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": "夜间施工噪音扰民",
        "description": "中山东路18号工地每晚十一点后仍在施工，噪音很大。",
        "category": "11-noise",
        "grid": "320102002001001",
        "source": "phone",
        "priority": "normal",
        "address": "中山东路18号",
        "reporter_name": "张三",
        "reporter_phone": "13812341234",
    }
    fields.update(overrides)
    return fields


def build_and_close_reference(url: str) -> None:
    """The reference street as a template: built, then every connection closed."""
    build_reference_database(url).dispose()
