"""No unmasked mobile or ID number in anything the command line prints, ``--json`` included.

A street whose every free text the command line shows quotes a mobile (13812341234) and an ID
number (320102199001011234): a case's title, description, address and the notes of its timeline,
a department's request, an escalation's reason and report, a department, its liaison, a grid, its
change record, a grid worker and a complaint, a holiday note, an operator, a reveal's reason in
the audit log. Every command with ``--json`` is run with it, and without it, and every other
command that shows stored text: the numbers are nowhere, their masked forms are there, and the
codes (grid, case, department) are as they were.

The walk fails when a command gains ``--json`` without being added here, and the commands'
modules print JSON and stored text only through ``gridconsole/cli/output.py``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import Result
from sqlalchemy import select
from sqlmodel import col

import gridconsole.cli
from gridconsole.cli import main
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    ComplaintOutcome,
    ComplaintSource,
    DepartmentKind,
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Role,
    Severity,
)
from gridconsole.domain.identifiers import id_check_character
from gridconsole.domain.work_calendar import DayKind
from gridconsole.services.calendar import CalendarService
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from gridconsole.store.models import Department
from tests.factories import T0, build_reference_database, new_case_fields, services_for
from tests.postgres import Backend, Templates, backend
from tests.unit.test_cli import ME, on
from tests.unit.test_dispatch_cli import become

MOBILE = "13812341234"
ID_NUMBER = "320102199001011234"
MASKED_MOBILE = "138****1234"
MASKED_ID = "3201**********1234"
# both numbers, short enough for a name (40 characters)
QUOTED = f"联系{MOBILE}，身份证{ID_NUMBER}"
GRID_CODE = "320102002001001"  # 15 digits: a code, not a number to mask
NEW_GRID = "320102002001009"
DEPARTMENT = "HX"
DUTY_PHONE = "13912345678"
WORKER_MOBILE = "13700001234"

# any mobile or ID number standing alone, as tests/ui/test_masking.py searches frames
ANY_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ANY_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def worker_id_number() -> str:
    first17 = "32010219880615021"
    return first17 + id_check_character(first17)


@dataclass(frozen=True)
class Street:
    case_code: str
    other_case_code: str  # quoted in the first case's description
    worker_id: int
    escalation_id: int


def build_quoting_street(url: str) -> Street:
    """The reference street, and every free text the command line shows quoting both numbers."""
    db = build_reference_database(url)
    clock = FrozenClock(T0)
    ensure_operator(db, clock, username=ME, display_name=QUOTED, role=Role.shift_lead)
    admin = services_for(db, "admin", clock)
    disp = services_for(db, "disp", clock)

    admin.departments.add(
        code=DEPARTMENT, name=QUOTED, kind=DepartmentKind.government, duty_phone=DUTY_PHONE
    )
    admin.departments.set_categories(DEPARTMENT, ["11-noise", "11-water"])
    with db.read() as session:
        department_id = session.execute(
            select(col(Department.id)).where(col(Department.code) == DEPARTMENT)
        ).scalar_one()
    ensure_operator(
        db,
        clock,
        username="hxliaison",
        display_name=QUOTED,
        role=Role.liaison,
        department_id=department_id,
    )
    admin.roster.add_grid(
        "320102002001",
        {"code": NEW_GRID, "name": QUOTED, "households": 350, "area": QUOTED},
        reason=QUOTED,
    )
    admin.departments.set_route(
        category_code="11-water", department_code=DEPARTMENT, grid_code=NEW_GRID
    )
    worker = admin.roster.add_worker(
        {
            "name": QUOTED,
            "role": "full_time",
            "mobile": WORKER_MOBILE,
            "id_number": worker_id_number(),
            "grids": GRID_CODE,
            "citizen": "是",
            "criminal": "否",
            "detention": "否",
            "dismissal": "否",
            "dishonesty": "否",
        }
    )
    complaint = disp.roster.record_complaint(
        worker.row.id,
        source=ComplaintSource.phone,
        content=QUOTED,
        complainant=QUOTED,
        complainant_phone=MOBILE,
    )
    admin.roster.handle_complaint(complaint.id, outcome=ComplaintOutcome.substantiated, note=QUOTED)
    CalendarService(admin.context).set_day(date(2026, 12, 31), DayKind.holiday, QUOTED)

    other = disp.cases.report(new_case_fields(title="漏水", category="11-water")).code
    detail = disp.cases.report(
        new_case_fields(
            title=QUOTED,
            description=f"{QUOTED}\n网格{GRID_CODE}，与{other}同一事件",
            address=QUOTED,
            reporter_name=QUOTED,
            grid=NEW_GRID,
        )
    )
    code = detail.code
    detail = disp.cases.accept(code, detail.version)
    detail = disp.dispatch.dispatch(code, detail.version, lead=DEPARTMENT, instruction=QUOTED)
    detail = disp.desk.sign(code, detail.version, note=QUOTED)
    disp.desk.request_return(code, detail.version, reason=QUOTED, basis=QUOTED)
    disp.privacy.reveal_case(code, reason=QUOTED)
    card = disp.escalations.raise_(
        code, kind=EscalationKind.mass_incident, severity=Severity.major, reason=QUOTED
    )
    disp.escalations.record_report(
        card.id,
        card.version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        content=QUOTED,
        recipient=QUOTED,
        reported_at=T0,
    )
    db.dispose()
    return Street(code, other, worker.row.id, card.id)


@pytest.fixture
def street(
    templates: dict[Backend, Templates], db_path: Path
) -> Iterator[tuple[str, Street, Database]]:
    with templates[backend()].copy("cli-quoting-street", build_quoting_street, db_path) as (
        url,
        built,
    ):
        database = Database.connect(url)
        yield url, built, database
        database.dispose()


@dataclass(frozen=True)
class Walk:
    """One command: its words, arguments (``{case}``… filled from the street), the role it is
    run as, and whether its output holds free text (its masked forms must then be there)."""

    words: tuple[str, ...]
    arguments: tuple[str, ...] = ()
    role: Role = Role.shift_lead
    statuses: tuple[int, ...] = (0,)
    free_text: bool = True

    @property
    def id(self) -> str:
        return " ".join(self.words)

    def args(self, street: Street) -> list[str]:
        fields = {
            "case": street.case_code,
            "worker": str(street.worker_id),
            "escalation": str(street.escalation_id),
        }
        return [*self.words, *(argument.format(**fields) for argument in self.arguments)]


# every command with --json (a new one fails test_every_json_command_is_walked until added)
JSON_WALKS = (
    Walk(("cases", "list")),
    Walk(("cases", "show"), ("{case}",)),
    Walk(("roster", "list")),
    Walk(("roster", "show"), ("{worker}",), role=Role.admin),  # the admin got full numbers
    Walk(("roster", "coverage"), statuses=(0, 1)),  # 1: the new grid has no head
    Walk(("roster", "changes")),
    Walk(("department", "list")),
    Walk(("route", "list")),
    Walk(("calendar", "list")),
    Walk(("escalation", "list")),
    Walk(("escalation", "show"), ("{escalation}",)),
    # an alert is ids, codes, kinds and times: no free text to find masked
    Walk(("escalation", "alerts"), free_text=False),
    Walk(("request", "list")),
    Walk(("worklist",), ("--department", DEPARTMENT)),
)
# commands without --json that show stored text
PLAIN_WALKS = (
    Walk(("audit", "list"), role=Role.auditor),
    Walk(("operator", "list"), role=Role.admin),
    Walk(("case", "claim"), ("{case}",)),  # says who holds the case
)


def run(url: str, tmp_path: Path, db: Database, walk: Walk, street: Street, *extra: str) -> Result:
    become(db, walk.role)
    result = on(url, tmp_path, *walk.args(street), *extra)
    assert result.exit_code in walk.statuses, result.output + result.stderr
    return result


def assert_masked(output: str, walk: Walk) -> None:
    assert MOBILE not in output
    assert ID_NUMBER not in output
    assert DUTY_PHONE not in output
    assert WORKER_MOBILE not in output
    leaked = ANY_MOBILE.findall(output) + ANY_ID_NUMBER.findall(output)
    assert not leaked, f"{walk.id}: unmasked {leaked}\n{output}"
    if walk.free_text:
        assert MASKED_MOBILE in output, output
        assert MASKED_ID in output, output


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@pytest.mark.parametrize("walk", JSON_WALKS, ids=lambda walk: walk.id)
def test_json_output_masks_every_number(
    street: tuple[str, Street, Database], tmp_path: Path, walk: Walk
) -> None:
    url, built, db = street
    result = run(url, tmp_path, db, walk, built, "--json")
    assert_masked(result.stdout, walk)
    assert_masked(result.stderr, Walk(walk.words, free_text=False))
    data = json.loads(result.stdout)  # still valid JSON
    texts = list(strings_in(data))
    if walk.free_text:
        assert any(f"联系{MASKED_MOBILE}，身份证{MASKED_ID}" in text for text in texts), texts


@pytest.mark.parametrize("walk", JSON_WALKS + PLAIN_WALKS, ids=lambda walk: walk.id)
def test_plain_output_masks_every_number(
    street: tuple[str, Street, Database], tmp_path: Path, walk: Walk
) -> None:
    url, built, db = street
    result = run(url, tmp_path, db, walk, built)
    assert_masked(result.stdout, walk)
    assert_masked(result.stderr, Walk(walk.words, free_text=False))


def test_codes_survive_json_untouched(street: tuple[str, Street, Database], tmp_path: Path) -> None:
    url, built, db = street
    shown = run(url, tmp_path, db, JSON_WALKS[1], built, "--json")
    detail = json.loads(shown.stdout)
    assert detail["code"] == built.case_code
    assert detail["grid_code"] == NEW_GRID
    assert detail["reporter_phone_masked"] == MASKED_MOBILE
    # quoted in free text, a 15-digit grid code and a case code are not numbers to mask
    assert detail["description"] == (
        f"联系{MASKED_MOBILE}，身份证{MASKED_ID}\n网格{GRID_CODE}，与{built.other_case_code}同一事件"
    )
    assert detail["reported_at"] == "2026-11-29T09:30:00+08:00"
    listed = json.loads(run(url, tmp_path, db, Walk(("route", "list")), built, "--json").stdout)
    grid_route = next(row for row in listed if row["scope"] == "grid")
    assert grid_route["scope_code"] == NEW_GRID
    assert grid_route["department"]["code"] == DEPARTMENT
    changes = json.loads(run(url, tmp_path, db, JSON_WALKS[5], built, "--json").stdout)
    assert [change["grid_code"] for change in changes] == [NEW_GRID]


def _commands(
    group: click.Group, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*words, name))
        else:
            yield (*words, name), command


def _has_json(command: click.Command) -> bool:
    return any(
        isinstance(param, click.Option) and "--json" in param.opts for param in command.params
    )


def test_every_json_command_is_walked() -> None:
    """A command given --json must be added to JSON_WALKS (and so be shown to mask)."""
    with_json = {words for words, command in _commands(main) if _has_json(command)}
    assert with_json == {walk.words for walk in JSON_WALKS}


def test_every_json_command_prints_through_echo_json() -> None:
    for words, command in _commands(main):
        if _has_json(command):
            assert command.callback is not None
            assert "echo_json(" in inspect.getsource(command.callback), words


def test_the_commands_print_stored_text_only_through_the_output_module() -> None:
    """JSON is written, and stored text cleaned, in cli/output.py alone: a command that cleaned
    text itself (display_text) would print it unmasked."""
    package = Path(gridconsole.cli.__file__).parent
    offenders = [
        f"{path.name}: {word}"
        for path in sorted(package.glob("*.py"))
        if path.name != "output.py"
        for word in ("display_text", "masked_text", "mask_numbers_in_text", "json.dump")
        if word in path.read_text(encoding="utf-8")
    ]
    assert not offenders
