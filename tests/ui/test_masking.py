"""No unmasked mobile or ID number in any frame, for every role (none reveals anything here).

A street whose cases, grid workers, escalation reports and complaints hold mobile and ID numbers,
in their own fields and quoted in free text (a description saying "联系电话 13812345678"). Each
role's console is walked with Pilot at 120×40 and 80×24: every pane it may open, a page on,
a case detail from each list, the roster's selected worker and (admins) its edit form, the
statistics drill-down, the help. After each step the screen's text is exported and searched
for a mobile (``1[3-9]\\d{9}``) or an 18-character ID number standing alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    ComplaintSource,
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Role,
    Severity,
)
from gridconsole.domain.identifiers import id_check_character
from gridconsole.store.engine import Database
from gridconsole.views.worker_form_modal import WorkerFormModal
from tests.factories import T0, build_reference_database, new_case_fields, services_for
from tests.postgres import Backend, Templates, backend
from tests.ui.console import settle

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
QUIET = Settings.model_validate({"escalation": {"bell": False}, "deadlines": {"bell": False}})
ROLES = {
    Role.dispatcher: "disp",
    Role.shift_lead: "lead",
    Role.liaison: "liaison",
    Role.admin: "admin",
    Role.auditor: "audit",
}


def id_number(sequence: int) -> str:
    first17 = f"320102{date(1980, 1, 1) + timedelta(days=sequence * 97):%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def build_personal_street(url: str) -> None:
    """Cases in every list and workers, each holding personal numbers; closed when built."""
    db = build_reference_database(url)
    clock = FrozenClock(T0)
    admin = services_for(db, "admin", clock)
    disp = services_for(db, "disp", clock)
    lead = services_for(db, "lead", clock)
    grids = ("320102002001001", "320102002001002", "320102002002001")
    workers = []
    for index in range(6):
        workers.append(
            admin.roster.add_worker(
                {
                    "name": f"网格员{index}",
                    "role": "full_time" if index % 2 else "grid_head",
                    "mobile": f"1370000{index:04d}",
                    "id_number": id_number(index + 1),
                    "grids": grids[index % 3],
                    "citizen": "是",
                    "criminal": "否",
                    "detention": "否",
                    "dismissal": "否",
                    "dishonesty": "否",
                }
            )
        )
    disp.roster.record_complaint(
        workers[0].row.id,
        source=ComplaintSource.phone,
        content="群众来电投诉，回电 13955556666",
        complainant="赵女士",
        complainant_phone="13955556666",
    )
    for index in range(24):
        phone = f"1381234{index:04d}"
        detail = disp.cases.report(
            new_case_fields(
                title=f"电话13{index % 7 + 3}0000{index:04d}反映噪音",
                description=(
                    f"报告人{phone}称，身份证{id_number(50 + index)}，"
                    f"另一联系人 1{index % 7 + 3}9{index:08d}。"
                ),
                address=f"中山东路{index}号，联系 1360000{index:04d}",
                reporter_name=f"张{index}",
                reporter_phone=phone,
                category="11-noise" if index % 2 else "03-food",
                grid=grids[index % 3],
                reported_at=(T0 - timedelta(hours=index * 5 + 1)).isoformat(),
            )
        )
        stage = index % 4
        if stage == 0:
            continue
        detail = disp.cases.accept(detail.code, detail.version)
        if stage == 1:
            continue
        department = "CG" if index % 2 else "SC"
        detail = disp.dispatch.dispatch(
            detail.code, detail.version, lead=department, instruction=f"请联系{phone}"
        )
        if stage == 3:
            disp.desk.request_return(
                detail.code,
                detail.version,
                reason=f"非本部门职责，已告知 {phone}",
                basis="三定方案",
            )
    code = disp.cases.report(new_case_fields(title="聚集讨薪", reporter_phone="13811112222")).code
    card = disp.escalations.raise_(
        code,
        kind=EscalationKind.mass_incident,
        severity=Severity.major,
        reason="现场联系人 13811112222",
    )
    disp.escalations.record_report(
        card.id,
        card.version,
        kind=ReportKind.initial,
        channel=ReportChannel.phone,
        level=ReportLevel.street_leader,
        content=f"已电话报告，联系人身份证 {id_number(99)}",
        recipient="街道值班 13800001111",
        reported_at=T0,
    )
    del lead
    db.dispose()


@pytest.fixture
def street(templates: dict[Backend, Templates], db_path: Path) -> Iterator[Database]:
    with templates[backend()].copy("personal-street", build_personal_street, db_path) as (url, _):
        database = Database.connect(url)
        yield database
        database.dispose()


def screen_text(app: GridConsoleApp) -> str:
    """The screen's text, line by line, from its SVG export (spans of a line joined)."""
    lines: dict[float, list[str]] = {}
    for match in re.finditer(
        r'<text[^>]*y="([\d.]+)"[^>]*>([^<]*)</text>', app.export_screenshot()
    ):
        lines.setdefault(float(match.group(1)), []).append(
            html.unescape(match.group(2)).replace("\xa0", " ")
        )
    return "\n".join("".join(parts) for _, parts in sorted(lines.items()))


class Frames:
    def __init__(self, app: GridConsoleApp) -> None:
        self.app = app
        self.count = 0
        self.forms = 0  # worker edit forms walked

    def check(self, where: str) -> None:
        text = screen_text(self.app)
        leaked = MOBILE.findall(text) + ID_NUMBER.findall(text)
        assert not leaked, f"unmasked on {where}: {leaked}\n{text}"
        self.count += 1

    async def press(self, pilot: Pilot[None], *keys: str) -> None:
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        self.check(" ".join(keys))


async def walk(pilot: Pilot[None], frames: Frames, role: Role) -> None:
    await settle(pilot)
    frames.check("start")
    await frames.press(pilot, "enter")  # the first case of the role's first pane, in detail
    await frames.press(pilot, "escape")
    for pane in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
        await frames.press(pilot, pane)
        await frames.press(pilot, "down", "enter")
        await frames.press(pilot, "escape")
    await frames.press(pilot, "3", "l", "down", "enter")
    await frames.press(pilot, "escape", "l")
    await frames.press(pilot, "7", "down", "down")
    if role is Role.admin:
        await frames.press(pilot, "e")  # the edit form: the numbers as masked placeholders
        assert isinstance(frames.app.screen, WorkerFormModal)
        frames.forms += 1
        await frames.press(pilot, "tab", "tab", "tab", "tab")  # to the ID number field
        await frames.press(pilot, "escape")
    await frames.press(pilot, "c")  # the coverage report
    await frames.press(pilot, "c", "8", "enter")  # the statistics drill-down
    await frames.press(pilot, "escape", "w")
    await frames.press(pilot, "f1")
    await frames.press(pilot, "escape")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("role", list(ROLES), ids=[role.value for role in ROLES])
async def test_no_unmasked_number_in_any_frame(
    street: Database, role: Role, size: tuple[int, int]
) -> None:
    clock = FrozenClock(T0)
    app = GridConsoleApp(services_for(street, ROLES[role], clock, QUIET), QUIET)
    frames = Frames(app)
    async with app.run_test(size=size) as pilot:
        await walk(pilot, frames, role)
        assert app.is_running
    # the admin's edit form was among the frames (its worker has both numbers stored)
    assert frames.forms == (1 if role is Role.admin else 0)
    print(f"\nmasking, {role.value} at {size[0]}x{size[1]}: {frames.count} frames, none unmasked")


async def test_the_search_finds_a_revealed_number(street: Database) -> None:
    """The control: once a dispatcher reveals the reporter's phone, the frame holds it and the
    search above finds it (so a pass above is not a blind search)."""
    app = GridConsoleApp(services_for(street, "disp", FrozenClock(T0), QUIET), QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "v")
        await settle(pilot)
        app.screen.query_one("#reveal-reason", Input).value = "回访"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(MOBILE.findall(screen_text(app))) == 1
