"""Intake actions on the selected case: new, accept, reject, merge, resolve, priority."""

from __future__ import annotations

from textual.widgets import Input, Select

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import CaseState, Priority, RejectReason
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.views.accept_case_modal import AcceptCaseModal
from gridconsole.views.duplicate_choice_modal import DuplicateChoiceModal
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.merge_case_modal import MergeCaseModal
from gridconsole.views.new_case_modal import NewCaseModal
from gridconsole.views.reject_case_modal import RejectCaseModal
from gridconsole.views.resolve_in_grid_modal import ResolveInGridModal
from gridconsole.views.set_priority_modal import SetPriorityModal
from tests.ui.console import Recorder, make_console, queue_table, settle, shown_codes

SIZE = (120, 40)


def case_count(services: Services) -> int:
    return services.queue.page(QueueFilter()).total


async def select_code(pilot: object, app: object, code: str) -> None:
    """Move the queue's cursor down to ``code``."""
    for _ in range(10):
        if queue_table(app).selected_code == code:  # type: ignore[arg-type]
            return
        await pilot.press("down")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
    raise AssertionError(f"{code} is not in the queue")


def fill_new_case(modal: NewCaseModal, **values: str) -> None:
    for name, value in values.items():
        widget = modal.query_one(f"#new-{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value


async def test_new_case_is_reported_from_the_form(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, NewCaseModal)
        fill_new_case(
            modal,
            title="小区路灯损坏",
            description="长江路社区3幢前路灯连续三晚不亮。",
            category="06-consult",
            grid="320102002002001",
            address="长江路社区3幢",
            reporter_name="李四",
            reporter_phone="13900001111",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert case_count(dispatcher) == 5
        assert len(shown_codes(app)) == 5
        assert any("上报" in text for text in recorder.texts)


async def test_new_case_validation_errors_sit_next_to_their_fields(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, NewCaseModal)
        fill_new_case(modal, description="没有标题", reporter_phone="12")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal  # still open: nothing was saved
        problems = modal.shown_problems
        assert problems["title"] == "必填"
        assert problems["category"] == "必填"
        assert "12" in problems["reporter_phone"]
        assert "description" not in problems
        assert case_count(dispatcher) == 4
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert case_count(dispatcher) == 4


async def test_new_duplicate_is_merged_into_the_original(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, NewCaseModal)
        fill_new_case(
            modal,
            title="夜间施工噪音扰民",
            description="中山东路18号工地每晚十一点后仍在施工，噪音很大。",
            category="11-noise",
            grid="320102002001001",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateChoiceModal)
        assert [c.code for c in app.screen.candidates] == [seeded[0]]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert case_count(dispatcher) == 5
        newest = dispatcher.queue.detail("MY-20261129-0005")
        assert newest.state is CaseState.rejected
        assert newest.merged_into_code == seeded[0]
        assert len(shown_codes(app)) == 4  # the duplicate left the queue at once


async def test_new_duplicate_can_be_created_anyway(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, NewCaseModal)
        fill_new_case(
            modal,
            title="夜间施工噪音扰民",
            description="中山东路18号工地每晚十一点后仍在施工，噪音很大。",
            category="11-noise",
            grid="320102002001001",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateChoiceModal)
        await pilot.press("c")
        await settle(pilot)
        assert dispatcher.queue.detail("MY-20261129-0005").state is CaseState.reported
        assert len(shown_codes(app)) == 5


async def test_accept_confirms_category_and_grid(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[0])
        await pilot.press("a")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AcceptCaseModal)
        assert modal.query_one("#accept-category", Select).value == "11-noise"
        modal.query_one("#accept-grid", Select).value = "320102002001002"  # corrected
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = dispatcher.queue.detail(seeded[0])
        assert detail.state is CaseState.registered
        assert detail.grid_code == "320102002001002"
        assert seeded[0] not in shown_codes(app)
        assert not recorder.errors


async def test_reject_needs_a_note_then_rejects(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[2])
        await pilot.press("r")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RejectCaseModal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert modal.shown_problems == {"note": "必填"}
        modal.query_one("#reject-reason", Select).value = RejectReason.insufficient_info.value
        modal.query_one("#reject-note", Input).value = "来电人未留地址，回拨无人接听"
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = dispatcher.queue.detail(seeded[2])
        assert detail.state is CaseState.rejected
        assert detail.reject_reason is RejectReason.insufficient_info
        assert detail.events[-1].reason == "来电人未留地址，回拨无人接听"


async def test_merge_into_another_case(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[3])
        await pilot.press("m")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, MergeCaseModal)
        modal.query_one("#merge-into", Input).value = "not-a-code"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "into" in modal.shown_problems
        modal.query_one("#merge-into", Input).value = seeded[0].lower()
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = dispatcher.queue.detail(seeded[3])
        assert detail.state is CaseState.rejected
        assert detail.merged_into_code == seeded[0]
        assert seeded[3] not in shown_codes(app)


async def test_resolve_in_grid_only_where_the_category_allows(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the water leak (first row) cannot be resolved in the grid: the key does nothing
        assert queue_table(app).selected_code == seeded[1]
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # the noise complaint can
        await select_code(pilot, app, seeded[0])
        await pilot.press("g")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ResolveInGridModal)
        modal.query_one("#resolve-note", Input).value = "网格员上门协调，工地承诺22点停工"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert dispatcher.queue.detail(seeded[0]).state is CaseState.feedback_given


async def test_set_priority_toggles_urgent_and_keeps_the_cursor_on_the_case(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[0])
        await pilot.press("p")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, SetPriorityModal)
        modal.query_one("#priority-reason", Input).value = "涉及夜间休息，多人投诉"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert dispatcher.queue.detail(seeded[0]).priority is Priority.urgent
        # now the oldest urgent case: it moved to the top, and the cursor went with it
        assert shown_codes(app)[0] == seeded[0]
        assert queue_table(app).selected_code == seeded[0]


async def test_action_started_from_the_detail_screen(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[2])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AcceptCaseModal)
        assert app.screen.detail.code == seeded[2]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert dispatcher.queue.detail(seeded[2]).state is CaseState.registered


async def test_stale_version_is_refused_with_the_other_operators_name(
    db: Database, clock: FrozenClock, dispatcher: Services, lead: Services, seeded: list[str]
) -> None:
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await settle(pilot)
        await select_code(pilot, app, seeded[0])
        # the shift lead changes the case in another console after this one loaded it
        lead.cases.set_priority(seeded[0], 1, priority=Priority.urgent, reason="领导交办")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AcceptCaseModal)
        modal = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        # refused in the form, which stays open and names the lead (tests/ui/test_queue_forms.py
        # covers every queue form and the second Ctrl+S)
        assert app.screen is modal
        assert "李值班" in modal.shown_problems["form"]
        assert recorder.errors == []
        assert all(not notification.markup for notification in recorder.notifications)
        assert dispatcher.queue.detail(seeded[0]).state is CaseState.reported
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # the queue reloaded: the row now shows the lead's change
        assert queue_table(app).rows_by_code[seeded[0]].version == 2
        assert app.is_running
