"""The roster pane by keyboard: search as you type (pinyin initials), the tree, the edit form."""

from __future__ import annotations

from datetime import date

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.identifiers import id_check_character
from gridconsole.services.bundle import Services
from gridconsole.services.roster_records import RosterQuery
from gridconsole.store.engine import Database
from gridconsole.views.roster_pane import RosterPane
from gridconsole.views.roster_table import RosterTable
from gridconsole.views.worker_form_modal import WorkerFormModal
from tests.factories import services_for
from tests.ui.console import Recorder, settle

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
        # the admin edits with the full numbers
        assert form.query_one("#field-mobile").value == "13912345678"  # type: ignore[attr-defined]
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
    detail = staffed.roster.worker(staffed.roster.page(RosterQuery(text="lis")).rows[0].id)
    assert detail.mobile == "13912345679"


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
