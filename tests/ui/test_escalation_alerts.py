"""Escalation alerts reach every open console: a banner under the header in every pane, a toast
and the bell, again and again until a shift lead acknowledges; an acknowledged alert is gone
from every console at its next poll."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import gridconsole.app
from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import EscalationKind, Severity
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.alert_banner import AlertBanner
from gridconsole.views.main_screen import MainScreen
from tests.factories import new_case_fields, services_for
from tests.ui.console import Recorder, settle


class RingingConsole(GridConsoleApp):
    """The console, counting the times it rings the terminal bell."""

    # a subclass in another package reads its styles from the console's own package
    CSS_PATH = [  # noqa: RUF012
        Path(gridconsole.app.__file__).parent / path for path in GridConsoleApp.CSS_PATH
    ]
    rings = 0

    def bell(self) -> None:
        self.rings += 1
        super().bell()


def _settings(repeat: int = 0) -> Settings:
    return Settings.model_validate({"escalation": {"bell_repeat_seconds": repeat}})


async def test_an_escalation_raised_elsewhere_is_announced_until_acknowledged(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    settings = _settings()
    other = services_for(db, "disp", clock)  # another dispatcher's console (another process)
    recorder = Recorder()
    app = RingingConsole(services_for(db, "disp", clock, settings), settings)
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        banner = main.query_one(AlertBanner)
        assert not banner.display
        case = other.cases.report(new_case_fields(title="工地聚集讨薪"))
        other.escalations.raise_(
            case.code,
            kind=EscalationKind.mass_incident,
            severity=Severity.major,
            reason="[red]二十余名工人聚集[/red]",
        )
        main.poll_changes()
        await settle(pilot)
        assert banner.display
        shown = str(banner.render())
        assert case.code in shown
        assert "群体性事件" in shown
        assert "重大" in shown
        notices = [text for text in recorder.errors if case.code in text]
        assert len(notices) == 1
        assert app.rings == 1
        # the next polls announce nothing new
        clock.advance(timedelta(seconds=1))
        main.poll_changes()
        await settle(pilot)
        assert len([text for text in recorder.errors if case.code in text]) == 1
        assert app.rings == 1
        # a shift lead acknowledges in their own console: the banner goes at the next poll
        (alert,) = lead.escalations.open_alerts()
        assert lead.escalations.acknowledge(alert_ids=[alert.id]) == 1
        main.poll_changes()
        await settle(pilot)
        assert not banner.display


async def test_the_bell_rings_again_until_a_shift_lead_acknowledges(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    settings = _settings(repeat=1)
    app = RingingConsole(services_for(db, "disp", clock, settings), settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        case = lead.cases.report(new_case_fields())
        lead.escalations.raise_(
            case.code, kind=EscalationKind.emergency, severity=Severity.larger, reason="燃气泄漏"
        )
        main.poll_changes()
        await settle(pilot)
        assert app.rings == 1
        assert main.query_one(AlertBanner).display  # at 80 columns too
        await pilot.pause(1.6)
        assert app.rings >= 2
        lead.escalations.acknowledge(escalation_id=lead.escalations.open_alerts()[0].escalation_id)
        main.poll_changes()
        await settle(pilot)
        rung = app.rings
        await pilot.pause(1.6)
        assert app.rings == rung  # acknowledged: silence
        assert main.alert_bell is None


async def test_a_liaison_console_is_not_alerted(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    settings = _settings()
    app = RingingConsole(services_for(db, "liaison", clock, settings), settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        case = lead.cases.report(new_case_fields())
        lead.escalations.raise_(
            case.code, kind=EscalationKind.emergency, severity=Severity.major, reason="燃气泄漏"
        )
        main.poll_changes()
        await settle(pilot)
        assert not main.query_one(AlertBanner).display
        assert app.rings == 0


async def test_a_new_alert_is_announced_behind_a_backlog_and_a_burst_is_summed_up(
    db: Database, clock: FrozenClock, lead: Services
) -> None:
    """Seven alerts wait when the console opens: two toasts and one saying how many more; an
    alert raised later is announced although the backlog is older (the console reads the
    newest), and the banner shows it."""
    settings = _settings()
    for index in range(7):
        case = lead.cases.report(new_case_fields(title=f"积压告警{index}"))
        lead.escalations.raise_(
            case.code, kind=EscalationKind.emergency, severity=Severity.general, reason="积压"
        )
    recorder = Recorder()
    app = RingingConsole(services_for(db, "disp", clock, settings), settings)
    async with app.run_test(size=(80, 24), message_hook=recorder.hook) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert len(recorder.errors) == 3
        assert "另有 5 条新告警" in recorder.errors[-1]
        latest = lead.cases.report(new_case_fields(title="新的燃气泄漏"))
        lead.escalations.raise_(
            latest.code, kind=EscalationKind.emergency, severity=Severity.major, reason="燃气泄漏"
        )
        main.poll_changes()
        await settle(pilot)
        assert [text for text in recorder.errors if latest.code in text] != []
        assert len(recorder.errors) == 4
        banner = str(main.query_one(AlertBanner).render())
        assert latest.code in banner
        assert "告警 8" in banner
