"""A breach fired by another process is announced in every open console, once."""

from __future__ import annotations

from datetime import timedelta

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.store.engine import Database
from gridconsole.views.main_screen import MainScreen
from tests.factories import new_case_fields
from tests.ui.console import Recorder, make_console, settle


async def test_a_breach_fired_elsewhere_is_announced_here_once(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    case = lead.cases.report(new_case_fields(priority="urgent"))  # due in 15 minutes
    recorder = Recorder()
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        clock.advance(timedelta(minutes=16))
        # the headless scheduler (another process in production) fires the breach
        fired = DeadlineWatch.headless(db, clock, Settings()).fire_due()
        assert [firing.case_code for firing in fired.breached] == [case.code]
        main.poll_changes()
        await settle(pilot)
        notices = [text for text in recorder.errors if case.code in text]
        assert len(notices) == 1
        assert "受理" in notices[0]
        main.poll_changes()  # nothing new: no second notice
        await settle(pilot)
        assert len([text for text in recorder.errors if case.code in text]) == 1
