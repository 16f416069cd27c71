"""The detail view says which step's clock runs, where it stands, and when it is provisional."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from textual.widgets import Static

from gridconsole.clock import FrozenClock
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.case_detail_screen import CaseDetailScreen
from tests.factories import new_case_fields
from tests.ui.console import make_console, settle

NANJING = ZoneInfo("Asia/Shanghai")


def detail_values(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, CaseDetailScreen)
    return [str(widget.render()) for widget in screen.query(".detail-value").results(Static)]


async def test_a_deadline_into_2027_is_marked_provisional(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    clock.set(datetime(2026, 12, 31, 17, 0, tzinfo=NANJING).astimezone(UTC))
    dispatcher.cases.report(new_case_fields())
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        values = detail_values(app)
        assert "受理 2027-01-01 09:00 正常（暂定：所跨日期尚无放假通知）" in values


async def test_an_overdue_step_says_so(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    dispatcher.cases.report(new_case_fields(priority="urgent"))  # 15 minutes from 09:30
    clock.set(datetime(2026, 11, 29, 9, 45, tzinfo=NANJING).astimezone(UTC))
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "受理 2026-11-29 09:45 超期" in detail_values(app)
