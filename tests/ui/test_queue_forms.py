"""The queue's action forms keep what was typed when the service refuses.

Each form (受理, 不予受理, 合并, 小事不出网格, 改优先级) is opened in the dispatcher's console,
the shift lead (a second ``Services`` on the same database, as another console would be) changes
the case underneath, and Ctrl+S is refused: the form stays open, names the lead, still holds what
was typed, and a second Ctrl+S sends the same fields against the version it read again. A refusal
for a real rule (the case is no longer in a state that allows the action) is shown in the form too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlmodel import col
from textual.widgets import Input, Select

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Action, CaseState, Priority, RejectReason
from gridconsole.domain.errors import StaleCase, TransitionRefused
from gridconsole.services.bundle import Services
from gridconsole.services.records import CaseDetail, QueueFilter
from gridconsole.store.engine import Database
from gridconsole.store.models import CaseCategory
from gridconsole.views.accept_case_modal import AcceptCaseModal
from gridconsole.views.case_form_modal import CaseActionModal
from gridconsole.views.duplicate_choice_modal import DuplicateChoiceModal
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.merge_case_modal import MergeCaseModal
from gridconsole.views.new_case_modal import NewCaseModal
from gridconsole.views.reject_case_modal import RejectCaseModal
from gridconsole.views.resolve_in_grid_modal import ResolveInGridModal
from gridconsole.views.set_priority_modal import SetPriorityModal
from tests.ui.console import Recorder, make_console, queue_table, settle, shown_codes

SIZE = (120, 40)
STALE_AGAIN = "再按 Ctrl+S 将按最新版本提交"
NOISE, WATER, CONSULT, FOOD = range(4)  # the seed cases (tests/ui/console.py)


def lead_changes_priority(lead: Services, code: str) -> None:
    """The shift lead, in another console, makes the case urgent and normal again: the case
    reads as before, but its version moved on twice."""
    for priority in (Priority.urgent, Priority.normal):
        detail = lead.queue.detail(code)
        lead.cases.set_priority(code, detail.version, priority=priority, reason="领导交办")


@dataclass(frozen=True)
class FormCase:
    """One queue form: its key, the seed case it acts on, what is typed, and what lands."""

    key: str
    modal: type[CaseActionModal[object]]
    case: int
    typed: dict[str, str]  # widget id → value (Inputs and Selects)
    landed: Callable[[CaseDetail, list[str]], None]


def accept_landed(detail: CaseDetail, codes: list[str]) -> None:
    assert detail.state is CaseState.registered
    assert detail.grid_code == "320102002001002"


def reject_landed(detail: CaseDetail, codes: list[str]) -> None:
    assert detail.state is CaseState.rejected
    assert detail.reject_reason is RejectReason.insufficient_info
    assert detail.events[-1].reason == "来电人未留地址，回拨无人接听"


def merge_landed(detail: CaseDetail, codes: list[str]) -> None:
    assert detail.state is CaseState.rejected
    assert detail.merged_into_code == codes[NOISE]
    assert detail.events[-1].reason == "同一工地，已有来电"


def resolve_landed(detail: CaseDetail, codes: list[str]) -> None:
    assert detail.state is CaseState.feedback_given
    assert detail.events[-1].reason == "网格员上门协调，工地承诺22点停工"


def priority_landed(detail: CaseDetail, codes: list[str]) -> None:
    assert detail.priority is Priority.urgent
    assert detail.events[-1].action is Action.set_priority
    assert detail.events[-1].reason == "涉及夜间休息，多人投诉"


FORMS = {
    "accept": FormCase(
        "a", AcceptCaseModal, NOISE, {"accept-grid": "320102002001002"}, accept_landed
    ),
    "reject": FormCase(
        "r",
        RejectCaseModal,
        CONSULT,
        {
            "reject-reason": RejectReason.insufficient_info.value,
            "reject-note": "来电人未留地址，回拨无人接听",
        },
        reject_landed,
    ),
    "merge": FormCase(
        "m",
        MergeCaseModal,
        FOOD,
        {"merge-into": "@NOISE", "merge-note": "同一工地，已有来电"},
        merge_landed,
    ),
    "resolve": FormCase(
        "g",
        ResolveInGridModal,
        NOISE,
        {"resolve-note": "网格员上门协调，工地承诺22点停工"},
        resolve_landed,
    ),
    "priority": FormCase(
        "p", SetPriorityModal, NOISE, {"priority-reason": "涉及夜间休息，多人投诉"}, priority_landed
    ),
}


async def open_form(
    pilot: object, app: GridConsoleApp, key: str, code: str
) -> CaseActionModal[object]:
    for _ in range(10):
        if queue_table(app).selected_code == code:
            break
        await pilot.press("down")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
    assert queue_table(app).selected_code == code
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, CaseActionModal), screen
    assert screen.detail.code == code
    return screen


def values(form: FormCase, codes: list[str]) -> dict[str, str]:
    return {
        widget: codes[NOISE] if value == "@NOISE" else value for widget, value in form.typed.items()
    }


def fill(modal: CaseActionModal[object], typed: dict[str, str]) -> None:
    for widget_id, value in typed.items():
        widget = modal.query_one(f"#{widget_id}")
        assert isinstance(widget, Input | Select)
        widget.value = value


def held(modal: CaseActionModal[object], typed: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for widget_id in typed:
        widget = modal.query_one(f"#{widget_id}")
        assert isinstance(widget, Input | Select)
        found[widget_id] = str(widget.value)
    return found


@pytest.mark.parametrize("name", list(FORMS))
async def test_a_stale_save_stays_in_the_form_names_who_and_a_second_save_lands(
    name: str,
    db: Database,
    clock: FrozenClock,
    dispatcher: Services,
    lead: Services,
    seeded: list[str],
) -> None:
    form = FORMS[name]
    code = seeded[form.case]
    typed = values(form, seeded)
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        modal = await open_form(pilot, app, form.key, code)
        assert isinstance(modal, form.modal)
        fill(modal, typed)
        lead_changes_priority(lead, code)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # refused: still open, the lead named in the form, what was typed still there
        assert app.screen is modal
        assert [type(error) for error in modal.refusals] == [StaleCase]
        message = modal.shown_problems["form"]
        assert "李值班" in message
        assert STALE_AGAIN in message
        assert held(modal, typed) == typed
        assert recorder.errors == []  # said in the form, not as a passing notice
        assert dispatcher.queue.detail(code).version == 3  # nothing of the form was written
        # told, the dispatcher sends the same fields against the version read again
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        form.landed(dispatcher.queue.detail(code), seeded)
        assert any(text.startswith(f"事件 {code}：已") for text in recorder.texts)
        assert recorder.errors == []


async def test_a_case_accepted_meanwhile_cannot_be_rejected_and_the_note_stays(
    db: Database, clock: FrozenClock, dispatcher: Services, lead: Services, seeded: list[str]
) -> None:
    code = seeded[CONSULT]
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        modal = await open_form(pilot, app, "r", code)
        typed = values(FORMS["reject"], seeded)
        fill(modal, typed)
        # the lead accepts the case in another console
        lead.cases.accept(code, lead.queue.detail(code).version)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "李值班" in modal.shown_problems["form"]
        # sent again against the new version: the case is registered now, it cannot be rejected
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert [type(error) for error in modal.refusals] == [StaleCase, TransitionRefused]
        message = modal.shown_problems["form"]
        assert message == f"事件 {code} 当前为“已受理”，不能不予受理"
        assert held(modal, typed) == typed
        assert dispatcher.queue.detail(code).state is CaseState.registered
        # leaving the form reads the queue again: the accepted case has left it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert code not in shown_codes(app)


async def test_a_merge_into_a_closed_case_is_refused_at_the_field(
    db: Database, clock: FrozenClock, dispatcher: Services, lead: Services, seeded: list[str]
) -> None:
    code, into = seeded[FOOD], seeded[CONSULT]
    lead.cases.reject(
        into, 1, reason=RejectReason.insufficient_info, note="来电人未留地址，回拨无人接听"
    )
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        modal = await open_form(pilot, app, "m", code)
        fill(modal, {"merge-into": into, "merge-note": "同一件事"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert into in modal.shown_problems["into"]
        assert held(modal, {"merge-into": into, "merge-note": "同一件事"}) == {
            "merge-into": into,
            "merge-note": "同一件事",
        }
        assert dispatcher.queue.detail(code).state is CaseState.reported


async def test_a_saved_form_closes_and_the_queue_follows(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    code = seeded[CONSULT]
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        modal = await open_form(pilot, app, "r", code)
        fill(modal, values(FORMS["reject"], seeded))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert modal.refusals == []
        assert code not in shown_codes(app)
        assert recorder.texts == [f"事件 {code}：已不予受理（不予受理）"]
        assert app.screen.focused is queue_table(app)


# -- the new case form ----------------------------------------------------------------------------

NEW_CASE = {
    "new-title": "小区路灯损坏",
    "new-description": "长江路社区3幢前路灯连续三晚不亮。",
    "new-category": "06-consult",
    "new-grid": "320102002002001",
    "new-reporter_name": "李四",
}


async def open_new_case(pilot: object, app: GridConsoleApp) -> NewCaseModal:
    await pilot.press("n")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    modal = app.screen
    assert isinstance(modal, NewCaseModal)
    return modal


async def test_a_report_refused_by_the_service_keeps_the_whole_case_in_the_form(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        modal = await open_new_case(pilot, app)
        fill(modal, NEW_CASE)  # type: ignore[arg-type]
        # meanwhile an administrator retires the category the form still offers
        with db.write() as session:
            session.execute(
                update(CaseCategory)
                .where(col(CaseCategory.code) == "06-consult")
                .values(active=False)
            )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "06-consult" in modal.shown_problems["category"]
        assert held(modal, NEW_CASE) == NEW_CASE  # type: ignore[arg-type]
        assert recorder.errors == []
        assert dispatcher.queue.page(QueueFilter()).total == 4
        # the dispatcher picks a category still in use: the case is reported
        modal.query_one("#new-category", Select).value = "11-noise"
        modal.query_one("#new-title", Input).value = "路灯损坏影响夜间出行"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(shown_codes(app)) == 5
        assert any(text.startswith("事件 MY-20261129-0005：已上报") for text in recorder.texts)


async def test_the_duplicate_offer_left_returns_to_the_form_with_what_was_typed(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    duplicate = {
        "new-title": "夜间施工噪音扰民",
        "new-description": "中山东路18号工地每晚十一点后仍在施工，噪音很大。",
        "new-category": "11-noise",
        "new-grid": "320102002001001",
    }
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        modal = await open_new_case(pilot, app)
        fill(modal, duplicate)  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateChoiceModal)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal
        assert held(modal, duplicate) == duplicate  # type: ignore[arg-type]
        assert dispatcher.queue.page(QueueFilter()).total == 4
        # saved again, the offer comes again; merged this time
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateChoiceModal)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert dispatcher.queue.detail("MY-20261129-0005").merged_into_code == seeded[NOISE]
