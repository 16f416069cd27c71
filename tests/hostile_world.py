"""A street office whose every text field holds hostile strings, put there through the services.

Cases in every list (new, accepted, dispatched to a department, with a return request waiting
for the shift lead, escalated with reports, urged), departments, grid workers and an operator
whose names are hostile. The services clean what they store; a share of the rows is then
overwritten with the raw strings, as a row written by another tool (or before cleaning existed)
would be, so the display side's cleaning is tested too.

Every grid worker and reporter has a real-looking mobile and ID number: the same world serves
the masking tests.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text as sql_text
from sqlalchemy import update

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    DepartmentKind,
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Role,
    Severity,
)
from gridconsole.domain.identifiers import id_check_character
from gridconsole.domain.validators import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
)
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, Department, GridWorker, Operator
from tests.factories import (
    T0,
    build_reference_database,
    new_case_fields,
    services_for,
    sqlite_url,
)
from tests.hostile_text import HostileGenerator, HostileText

GRIDS = ("320102002001001", "320102002001002", "320102002002001")
CATEGORIES = ("11-noise", "11-water", "06-consult", "03-food")
HOSTILE_USERNAME = "evil"


def mobile(index: int) -> str:
    return f"139{index:08d}"


def id_number(index: int) -> str:
    birth = date(1970, 1, 1) + timedelta(days=index * 37 % 12000)
    first17 = f"320102{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + id_check_character(first17)


@dataclass
class HostileWorld:
    texts: list[HostileText] = field(default_factory=list)
    case_codes: list[str] = field(default_factory=list)
    mobiles: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)

    @property
    def forbidden(self) -> set[bytes]:
        return {item for text in self.texts for item in text.forbidden}


def database_digest(db: Database) -> dict[str, str]:
    """A digest of every row of each table: viewing must leave them as they were."""
    digests: dict[str, str] = {}
    with db.read() as session:
        tables = (
            session.execute(
                sql_text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
                )
            )
            .scalars()
            .all()
        )
        for table in tables:
            digest = hashlib.sha256()
            for row in session.execute(sql_text(f'SELECT * FROM "{table}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode())
            digests[table] = digest.hexdigest()
    return digests


def build_hostile_world(
    db: Database, clock: FrozenClock, *, cases: int, seed: int = 8
) -> HostileWorld:
    """``cases`` cases (four hostile strings each), and the rest of the street around them."""
    world = HostileWorld()
    generator = HostileGenerator(seed)
    pick = random.Random(seed)

    def hostile(maximum: int, *, multiline: bool = False, fill: bool = False) -> str:
        text = generator.text(maximum, multiline=multiline, fill=fill)
        world.texts.append(text)
        return text.raw

    admin = services_for(db, "admin", clock)
    lead = services_for(db, "lead", clock)
    disp = services_for(db, "disp", clock)

    # departments and grid workers with hostile names
    departments: list[str] = []  # the hostile ones handle every category
    for index in range(4):
        code = f"HX{index}"
        admin.departments.add(
            code=code, name=hostile(NAME_MAX), kind=DepartmentKind.government, duty_phone=""
        )
        admin.departments.set_categories(code, list(CATEGORIES))
        departments.append(code)
    for index in range(24):
        world.mobiles.append(mobile(index))
        world.id_numbers.append(id_number(index))
        admin.roster.add_worker(
            {
                "name": hostile(NAME_MAX),
                "role": "full_time" if index % 3 else "part_time",
                "part_time_category": "志愿者",
                "mobile": mobile(index),
                "id_number": id_number(index),
                "grids": GRIDS[index % len(GRIDS)],
                "citizen": "是",
                "criminal": "否",
                "detention": "否",
                "dismissal": "否",
                "dishonesty": "否",
            }
        )
    with db.write() as session:
        session.add(
            Operator(
                username=HOSTILE_USERNAME,
                display_name=hostile(NAME_MAX),
                role=Role.shift_lead,
                created_at=T0,
            )
        )
    evil = services_for(db, HOSTILE_USERNAME, clock)

    # cases, spread over the lists
    for index in range(cases):
        phone = f"138{index:08d}"
        world.mobiles.append(phone)
        fill = index % 25 == 0  # now and then every field at its limit
        detail = disp.cases.report(
            new_case_fields(
                title=hostile(TITLE_MAX, fill=fill),
                description=hostile(DESCRIPTION_MAX, multiline=True, fill=fill),
                address=hostile(ADDRESS_MAX, fill=fill),
                reporter_name=hostile(NAME_MAX, fill=fill),
                reporter_phone=phone,
                category=CATEGORIES[index % len(CATEGORIES)],
                grid=GRIDS[index % len(GRIDS)],
                priority="urgent" if index % 7 == 0 else "normal",
                reported_at=(T0 - timedelta(minutes=pick.randint(5, 60 * 24 * 5))).isoformat(),
            )
        )
        code = detail.code
        world.case_codes.append(code)
        stage = index % 8
        if stage == 0:
            continue  # waits in the queue
        actor = evil if stage == 3 else disp
        detail = actor.cases.accept(code, detail.version)
        if stage in (1, 3):
            continue  # 待派遣
        if stage == 7 and index % 32 == 7:
            card = disp.escalations.raise_(
                code,
                kind=EscalationKind.mass_incident,
                severity=Severity.major,
                reason=hostile(REASON_MAX, multiline=True),
            )
            disp.escalations.record_report(
                card.id,
                card.version,
                kind=ReportKind.initial,
                channel=ReportChannel.phone,
                level=ReportLevel.street_leader,
                content=hostile(REASON_MAX, multiline=True),
                recipient=hostile(NAME_MAX),
                reported_at=T0,
            )
            continue
        department = departments[index % len(departments)]
        detail = disp.dispatch.dispatch(code, detail.version, lead=department)
        if stage == 4:
            disp.cases.urge(code, detail.version, note=hostile(REASON_MAX))
        elif stage == 5:
            detail = disp.desk.sign(code, detail.version, note=hostile(REASON_MAX))
            disp.desk.request_return(
                code, detail.version, reason=hostile(REASON_MAX), basis=hostile(REASON_MAX)
            )
        elif stage == 6:
            detail = disp.desk.sign(code, detail.version)
            disp.desk.feedback(code, detail.version, text=hostile(REASON_MAX, multiline=True))
    del lead

    # the raw strings, as a row written by another tool would hold them
    with db.write() as session:
        for index, code in enumerate(world.case_codes[::5]):
            session.execute(
                update(Case)
                .where(Case.code == code)  # type: ignore[arg-type]
                .values(
                    title=hostile(TITLE_MAX),
                    description=hostile(DESCRIPTION_MAX, multiline=True, fill=index % 10 == 0),
                    address=hostile(ADDRESS_MAX),
                    reporter_name=hostile(NAME_MAX),
                )
            )
        for code in ("HX0", "HX1"):
            session.execute(
                update(Department)
                .where(Department.code == code)  # type: ignore[arg-type]
                .values(name=hostile(NAME_MAX))
            )
        session.execute(
            update(GridWorker)
            .where(GridWorker.id.in_([1, 2, 3]))  # type: ignore[union-attr]
            .values(name=hostile(NAME_MAX))
        )
        session.execute(
            update(Operator)
            .where(Operator.username == HOSTILE_USERNAME)  # type: ignore[arg-type]
            .values(display_name=hostile(NAME_MAX))
        )
    return world


HOSTILE_CASES = 300


def build_hostile_template(path: Path) -> HostileWorld:
    """The hostile street in a SQLite file at ``path`` (built once; tests copy it)."""
    db = build_reference_database(sqlite_url(path))
    try:
        return build_hostile_world(db, FrozenClock(T0), cases=HOSTILE_CASES)
    finally:
        db.dispose()
