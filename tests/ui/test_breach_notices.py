"""A breach fired by another process is announced in every open console, once."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.store.engine import Database
from gridconsole.views.main_screen import MainScreen
from tests.factories import new_case_fields
from tests.ui.console import Recorder, make_console, settle


def notices_about(recorder: Recorder, code: str) -> list[str]:
    return [text for text in recorder.errors if code in text]


async def poll(pilot: Pilot[None]) -> None:
    """The main screen reads the change token now, as its timer would."""
    main = pilot.app.screen
    assert isinstance(main, MainScreen)
    main.poll_changes()
    await settle(pilot)


async def test_a_breach_fired_elsewhere_is_announced_here_once(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    case = lead.cases.report(new_case_fields(priority="urgent"))  # due in 15 minutes
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        clock.advance(timedelta(minutes=16))
        # the headless scheduler (another process in production) fires the breach
        fired = DeadlineWatch.headless(db, clock, Settings()).fire_due()
        assert [firing.case_code for firing in fired.breached] == [case.code]
        await poll(pilot)
        notices = notices_about(recorder, case.code)
        assert len(notices) == 1
        assert "受理" in notices[0]
        await poll(pilot)  # nothing new: no second notice
        assert len(notices_about(recorder, case.code)) == 1


async def test_a_breach_recorded_before_the_console_opened_is_not_news(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    """The feed reads a little below the console's token (PostgreSQL's late commits); what it
    finds there on the first read was recorded before the console looked, and is not
    announced when the token next moves. A breach after that is."""
    old = lead.cases.report(new_case_fields(priority="urgent"))
    clock.advance(timedelta(minutes=16))
    assert DeadlineWatch.headless(db, clock, Settings()).fire_due().breached
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        new = lead.cases.report(new_case_fields(priority="urgent", title="开着时超期的事件"))
        await poll(pilot)  # the token moved: a report
        assert notices_about(recorder, old.code) == []
        clock.advance(timedelta(minutes=16))
        DeadlineWatch.headless(db, clock, Settings()).fire_due()
        await poll(pilot)
        assert notices_about(recorder, old.code) == []
        assert len(notices_about(recorder, new.code)) == 1
