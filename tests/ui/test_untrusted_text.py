"""Text from the public is shown literally in every widget: never markup, never a control."""

from __future__ import annotations

from sqlalchemy import select, update
from textual.widgets import DataTable, Input, OptionList, Select, Static

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import GridKind, Priority, Role
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, Community, Grid, Operator
from gridconsole.views.accept_case_modal import AcceptCaseModal
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.duplicate_choice_modal import DuplicateChoiceModal
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.new_case_modal import NewCaseModal
from gridconsole.views.reject_case_modal import RejectCaseModal
from gridconsole.views.set_priority_modal import SetPriorityModal
from tests.factories import T0, new_case_fields, services_for
from tests.ui.console import Recorder, make_console, queue_table, settle

MARKUP = "[bold red]x[/]"
UNCLOSED = "[/"
CLICK = "[@click=app.quit]boom[/]"
SCREEN_CLEAR = "清屏\x1b[2J之后"
SHOWN_SCREEN_CLEAR = "清屏[2J之后"  # ESC removed, the rest kept as written
HOSTILE = (MARKUP, UNCLOSED, CLICK)


def rendered(widget: Static) -> str:
    return str(widget.render())


def seed_hostile(db: Database, clock: FrozenClock, dispatcher: Services) -> list[str]:
    codes = []
    for text in HOSTILE:
        detail = dispatcher.cases.report(
            new_case_fields(
                title=text,
                description=f"{text} 描述",
                reporter_name=text,
                address=text,
                category="06-consult",
                grid="320102002002001",
            )
        )
        codes.append(detail.code)
    # a row written before sanitising existed (or by another tool): ESC reached the database
    escape_case = dispatcher.cases.report(new_case_fields(title="占位", category="06-consult"))
    with db.write() as session:
        session.execute(
            update(Case)
            .where(Case.code == escape_case.code)  # type: ignore[arg-type]
            .values(title=SCREEN_CLEAR, description=SCREEN_CLEAR, reporter_name=SCREEN_CLEAR)
        )
    codes.append(escape_case.code)
    return codes


async def test_hostile_text_is_shown_literally_everywhere(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    codes = seed_hostile(db, clock, dispatcher)
    with db.write() as session:
        session.add(
            Operator(username="evil", display_name=CLICK, role=Role.shift_lead, created_at=T0)
        )
    evil = services_for(db, "evil", clock)
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        table = queue_table(app)
        titles = {code: row.title for code, row in table.rows_by_code.items()}
        assert set(titles) == set(codes)
        shown_titles = {
            str(table.get_cell(code, "code").plain): table.get_cell(code, "title").plain
            for code in codes
        }
        for code, text in zip(codes, (*HOSTILE, SHOWN_SCREEN_CLEAR), strict=True):
            assert shown_titles[code] == text

        # the detail view: heading, fields, description and timeline
        for code, text in zip(codes, (*HOSTILE, SHOWN_SCREEN_CLEAR), strict=True):
            while table.selected_code != code:
                await pilot.press("down")
                await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CaseDetailScreen)
            texts = [rendered(static) for static in screen.query(Static).results(Static)]
            assert any(text in shown for shown in texts if "#" not in shown)
            assert text in rendered(screen.query_one("#detail-heading", Static))
            assert text in rendered(screen.query_one("#detail-description", Static))
            assert sum(text == shown for shown in texts) >= 2  # reporter and address fields
            assert not any("\x1b" in shown for shown in texts)
            await pilot.click("#detail-heading", offset=(22, 0))  # a parsed @click would quit
            await pilot.press("escape")
            await settle(pilot)
            assert app.is_running

        # a modal's case summary
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RejectCaseModal)
        assert SHOWN_SCREEN_CLEAR in rendered(app.screen.query_one(".modal-summary", Static))
        await pilot.press("escape")
        await settle(pilot)

        # the duplicate offer lists the hostile title as written
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewCaseModal)
        form.query_one("#new-title").value = CLICK  # type: ignore[attr-defined]
        form.query_one("#new-description").value = f"{CLICK} 描述"  # type: ignore[attr-defined]
        form.query_one("#new-category").value = "06-consult"  # type: ignore[attr-defined]
        form.query_one("#new-grid").value = "320102002002001"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        offer = app.screen
        assert isinstance(offer, DuplicateChoiceModal)
        prompts = [str(option.prompt) for option in offer.query_one(OptionList).options]
        assert any(CLICK in prompt for prompt in prompts)
        await pilot.press("escape")  # back to the form, which kept the hostile title
        await settle(pilot)
        assert app.screen is form
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

        # a refusal naming a hostile operator (another console changed the case), in the form
        while table.selected_code != codes[0]:
            await pilot.press("up")
            await settle(pilot)
        evil.cases.set_priority(codes[0], 1, priority=Priority.urgent)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetPriorityModal)
        assert CLICK in rendered(app.screen.query_one("#error-form", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert all(not notification.markup for notification in recorder.notifications)

        # everything on screen renders (malformed markup would raise here) without controls
        picture = app.export_screenshot()
        assert "\x1b" not in picture
        assert app.is_running


async def test_timeline_shows_operator_names_literally(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    code = dispatcher.cases.report(new_case_fields(category="06-consult")).code
    with db.write() as session:
        session.add(
            Operator(username="evil", display_name=UNCLOSED, role=Role.dispatcher, created_at=T0)
        )
    services_for(db, "evil", clock).cases.set_priority(
        code, 1, priority=Priority.urgent, reason=MARKUP
    )
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen.query_one("#detail-timeline", DataTable)
        last = timeline.row_count - 1
        assert timeline.get_cell_at((last, 1)).plain == UNCLOSED
        assert timeline.get_cell_at((last, 4)).plain == MARKUP


async def test_place_names_in_filters_and_forms_are_literal(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    with db.write() as session:
        community = session.execute(
            select(Community).where(Community.code == "320102002001")  # type: ignore[arg-type]
        ).scalar_one()
        session.add(
            Grid(
                community_id=community.id,  # type: ignore[arg-type]
                code="320102002001009",
                name=UNCLOSED + CLICK,
                kind=GridKind.comprehensive,
            )
        )
    code = dispatcher.cases.report(
        new_case_fields(category="06-consult", grid="320102002001009")
    ).code
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = queue_table(app)
        assert table.get_cell(code, "grid").plain == (UNCLOSED + CLICK)[:13] + "…"
        grid_filter = app.screen.query_one("#filter-grid", Select)
        grid_filter.focus()
        await pilot.press("enter")  # open the option list: labels render here
        await settle(pilot)
        grid_filter.value = "320102002001009"
        await settle(pilot)
        assert str(grid_filter.query_one("SelectCurrent Static").render()) == UNCLOSED + CLICK
        table.focus()
        await pilot.press("a")
        await settle(pilot)
        accept = app.screen
        assert isinstance(accept, AcceptCaseModal)
        assert accept.query_one("#accept-grid", Select).value == "320102002001009"
        app.export_screenshot()
        assert app.is_running


async def test_inputs_refuse_control_characters_and_overlong_text(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        title = app.screen.query_one("#new-title", Input)
        title.insert_text_at_cursor(SCREEN_CLEAR)  # a paste carrying ESC
        assert title.value == ""
        title.insert_text_at_cursor("路灯不亮")
        assert title.value == "路灯不亮"
        title.insert_text_at_cursor("长" * 60)  # past the validator's maximum
        assert title.value == "路灯不亮"
        search = app.screen_stack[0].query_one("#filter-search", Input)
        search.insert_text_at_cursor("\x9b31m")  # an 8-bit CSI
        assert search.value == ""
