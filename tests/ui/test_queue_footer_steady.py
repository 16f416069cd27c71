"""Moving the cursor in the queue rebuilds the footer only when the keys the case allows
change: the previous case's keys stand until the next one's detail arrives (a footer rebuild
is most of a frame on a thin client, and holding ↓ would pay it twice a row)."""

from __future__ import annotations

import itertools

from gridconsole.clock import FrozenClock
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.queue_pane import QueuePane
from tests.ui.console import make_console, settle, shown_codes


async def test_the_footer_is_rebuilt_only_when_the_keys_change(
    db: Database, clock: FrozenClock, dispatcher: Services, seeded: list[str]
) -> None:
    app = make_console(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(QueuePane)
        codes = shown_codes(app)
        assert len(codes) >= 3
        enabled = [pane._enabled(dispatcher.queue.detail(code)) for code in codes]
        expected = sum(1 for a, b in itertools.pairwise(enabled) if a != b)
        rebuilt: list[int] = []
        original = pane.refresh_bindings

        def counting() -> None:
            rebuilt.append(1)
            original()

        pane.refresh_bindings = counting  # type: ignore[method-assign]
        for _ in codes[1:]:
            await pilot.press("down")
            await settle(pilot)
        assert len(rebuilt) == expected
        # and the keys offered are the last case's
        assert pane.selected_detail is not None
        assert pane.selected_detail.code == codes[-1]
