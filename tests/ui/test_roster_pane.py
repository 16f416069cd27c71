"""The roster pane by keyboard: search as you type (pinyin initials), the tree, the edit form."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col
from textual.pilot import Pilot
from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.identifiers import id_check_character
from gridconsole.services.bundle import Services
from gridconsole.services.roster_records import RosterQuery
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry, GridWorker
from gridconsole.views.reveal_modal import RevealModal
from gridconsole.views.roster_pane import RosterPane
from gridconsole.views.roster_table import RosterTable
from gridconsole.views.worker_form_modal import WorkerFormModal
from tests.factories import services_for
from tests.ui.console import Recorder, settle
from tests.ui.test_masking import ID_NUMBER, MOBILE, screen_text

G1, G2, G3 = "320102002001001", "320102002001002", "320102002002001"
CLEAN = {
    "citizen": "是",
    "criminal": "否",
    "detention": "否",
    "dismissal": "否",
    "dishonesty": "否",
}


def id_number(birth: date, sequence: int) -> str:
    first17 = f"320102{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def staff_reference_grids(db: Database, clock: FrozenClock) -> Services:
    """The roster the pane tests and snapshots see: heads and full-time workers of the two
    大行宫 grids, a grid head for the dedicated grid, volunteers, one who left; a name that
    looks like markup."""
    admin = services_for(db, "admin", clock)
    roster = admin.roster
    roster.refresh_search_keys()
    roster.add_worker(
        {
            "name": "张三",
            "role": "full_time",
            "mobile": "13812341234",
            "id_number": id_number(date(1990, 3, 1), 11),
            "grids": G1,
            "head_of": G1,
            **CLEAN,
        }
    )
    roster.add_worker(
        {
            "name": "李四",
            "role": "full_time",
            "mobile": "13912345678",
            "id_number": id_number(date(1985, 7, 9), 23),
            "grids": G2,
            **CLEAN,
        }
    )
    roster.add_worker(
        {"name": "王五", "role": "grid_head", "mobile": "13600002222", "grids": G3, "head_of": G3}
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
            "name": "[bold]赵六[/]",
            "role": "part_time",
            "part_time_category": "居民代表",
            "grids": G2,
        }
    )
    roster.add_worker(
        {
            "name": "钱七",
            "role": "part_time",
            "part_time_category": "志愿者",
            "status": "left",
            "grids": G1,
        }
    )
    zhang = roster.page(RosterQuery(text="zs")).rows[0]
    roster.set_on_duty(zhang.id, zhang.version, True)
    return admin


def console(db: Database, username: str, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, username, clock), Settings())


def names(app: GridConsoleApp) -> list[str]:
    table = app.screen.query_one(RosterTable)
    return [line.row.name for line in table.rows_by_code.values()]


async def open_roster(pilot: object) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("7")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


@pytest.fixture
def staffed(db: Database, clock: FrozenClock) -> Services:
    return staff_reference_grids(db, clock)


async def test_search_by_pinyin_initials_as_you_type(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roster(pilot)
        assert names(app) == ["[bold]赵六[/]", "曾小明", "李四", "王五", "张三"]
        await pilot.press("s")
        await pilot.press("z", "s")
        await pilot.pause(0.4)  # the search waits for a pause in typing
        await settle(pilot)
        assert names(app) == ["张三"]
        status = str(app.screen.query_one("#roster-status").render())
        assert "1 / 1" in status
        selected = str(app.screen.query_one("#roster-selected").render())
        assert "138****1234" in selected  # masked
        assert "13812341234" not in selected
        await pilot.press("backspace", "backspace", "enter")
        await settle(pilot)
        assert len(names(app)) == 5


async def test_the_tree_narrows_to_a_grid_and_left_workers_are_shown_on_request(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roster(pilot)
        await pilot.press("t")
        # root, 大行宫社区, its first grid
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert names(app) == ["曾小明", "张三"]
        await pilot.press("l")
        await settle(pilot)
        assert names(app) == ["曾小明", "钱七", "张三"]


async def test_a_dispatcher_is_not_offered_edits(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roster(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, WorkerFormModal)
        pane = app.screen.query_one(RosterPane)
        assert pane.check_action("edit_worker", ()) is False


async def test_edit_form_shows_eligibility_refusal_and_keeps_what_was_typed(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    recorder = Recorder()
    app = console(db, "admin", clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await open_roster(pilot)
        await pilot.press("s", "l", "i", "s", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert names(app) == ["李四"]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, WorkerFormModal)
        # the numbers are not in the form: the masked one says what an empty field keeps
        mobile = form.query_one("#field-mobile", Input)
        assert mobile.value == ""
        assert mobile.placeholder == "139****5678（留空不变）"
        form.query_one("#field-dishonesty").value = "yes"  # type: ignore[attr-defined]
        form.query_one("#field-mobile").value = "12345"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.shown_problems == {
            "mobile": "“12345”不是有效的手机号码（11 位，以 13–19 开头）"
        }
        form.query_one("#field-mobile").value = "13912345679"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused: the form stays open
        assert "失信联合惩戒对象" in form.shown_problems["form"]
        assert form.query_one("#field-mobile").value == "13912345679"  # type: ignore[attr-defined]
        form.query_one("#field-dishonesty").value = "no"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen.query_one(RosterPane), RosterPane)
        assert "已保存：李四" in recorder.texts
    li = staffed.roster.page(RosterQuery(text="lis")).rows[0]
    assert stored_numbers(db, li.id) == ("13912345679", id_number(date(1985, 7, 9), 23))


def stored_numbers(db: Database, worker_id: int) -> tuple[str, str]:
    with db.read() as session:
        worker = session.get(GridWorker, worker_id)
        assert worker is not None
        return worker.mobile, worker.id_number


def reveal_entries(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.execute(
                select(AuditEntry).where(col(AuditEntry.action) == "privacy.reveal")
            ).scalars()
        )


async def edit_worker(pilot: Pilot[None], app: GridConsoleApp, search: str) -> WorkerFormModal:
    await open_roster(pilot)
    await pilot.press("s", *search, "enter")
    await pilot.pause(0.4)
    await settle(pilot)
    assert len(names(app)) == 1
    await pilot.press("e")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, WorkerFormModal)
    return form


async def reveal_in_form(pilot: Pilot[None], app: GridConsoleApp, key: str, reason: str) -> None:
    form = app.screen
    await pilot.press(key)
    await settle(pilot)
    modal = app.screen
    assert isinstance(modal, RevealModal)
    await pilot.press("ctrl+s")  # no reason: refused in the form, nothing revealed
    await settle(pilot)
    assert "reason" in modal.shown_problems
    modal.query_one("#reveal-reason", Input).value = reason
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert app.screen is form


async def test_the_edit_form_shows_no_full_number_until_revealed_with_a_reason(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    li_id = id_number(date(1985, 7, 9), 23)
    app = console(db, "admin", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await edit_worker(pilot, app, "lis")
        assert form.detail is not None
        worker_id = form.detail.row.id
        text = screen_text(app)
        assert MOBILE.findall(text) + ID_NUMBER.findall(text) == []
        assert "139****5678（留空不变）" in text
        assert f"3201**********{li_id[-4:]}（留空不变）" in text
        assert "留空保留原号码，填写即替换；Ctrl+R 显示完整号码（说明原因，记入审计）" in text
        assert reveal_entries(db) == []  # opening the form reveals nothing
        await reveal_in_form(pilot, app, "ctrl+r", "核对号码后修改")
        assert form.query_one("#field-mobile", Input).value == "13912345678"
        assert form.query_one("#field-id_number", Input).value == li_id
        text = screen_text(app)
        assert MOBILE.findall(text) == ["13912345678"]  # the control: the search above sees it
        assert ID_NUMBER.findall(text) == [li_id]
        entries = reveal_entries(db)
        assert [(entry.username, entry.subject) for entry in entries] == [
            ("admin", f"worker:{worker_id}")
        ]
        assert json.loads(entries[0].detail)["reason"] == "核对号码后修改"
        assert form.check_action("reveal_numbers", ()) is False  # once is enough
        # save with the revealed numbers as they are: kept; the name changed
        form.query_one("#field-name", Input).value = "李肆"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WorkerFormModal)
    assert staffed.roster.worker(worker_id).row.name == "李肆"
    assert stored_numbers(db, worker_id) == ("13912345678", li_id)
    assert len(reveal_entries(db)) == 1


async def test_saving_without_a_reveal_keeps_the_numbers(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "admin", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await edit_worker(pilot, app, "zs")
        form.query_one("#field-grids", Input).value = f"{G1} {G2}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WorkerFormModal)
    zhang = staffed.roster.page(RosterQuery(text="zs")).rows[0]
    assert zhang.grid_codes == (G1, G2)
    assert stored_numbers(db, zhang.id) == ("13812341234", id_number(date(1990, 3, 1), 11))
    assert reveal_entries(db) == []


async def test_v_off_a_text_field_reveals_and_an_emptied_number_is_cleared(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "admin", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await edit_worker(pilot, app, "zxm")
        assert form.query_one("#field-id_number", Input).placeholder == "未登记（留空不变）"
        form.query_one("#field-role").focus()
        await settle(pilot)
        await reveal_in_form(pilot, app, "v", "志愿者换号")
        mobile = form.query_one("#field-mobile", Input)
        assert mobile.value == "13700001111"
        assert mobile.placeholder == "留空即清除"
        mobile.value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WorkerFormModal)
    zeng = staffed.roster.page(RosterQuery(text="zxm")).rows[0]
    assert stored_numbers(db, zeng.id) == ("", "")
    assert len(reveal_entries(db)) == 1


async def test_a_new_worker_by_keyboard(
    staffed: Services, db: Database, clock: FrozenClock
) -> None:
    app = console(db, "admin", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roster(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, WorkerFormModal)
        form.query_one("#field-name").value = "孙八"  # type: ignore[attr-defined]
        form.query_one("#field-role").value = "part_time"  # type: ignore[attr-defined]
        form.query_one("#field-part_time_category").value = "志愿者"  # type: ignore[attr-defined]
        form.query_one("#field-grids").value = G3  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WorkerFormModal)
        assert "孙八" in names(app)


async def test_public_notice_written_from_the_pane(
    staffed: Services, db: Database, clock: FrozenClock, tmp_path: object
) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "notice.txt"
    app = console(db, "disp", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roster(pilot)
        await pilot.press("x")
        await settle(pilot)
        field = app.screen.query_one("#field-path")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    text = target.read_text(encoding="utf-8")
    assert "网格长：张三 13812341234" in text
    assert "曾小明" not in text
