"""Keystroke to updated frame, on the real console over a demo database (headless, 120×40).

The console is built as ``gridconsole --db …`` builds it (settings from config.toml, the system
clock, the services opened in a worker, the deadline timers running). A key is sent the way
``pilot.press`` sends it (a ``Key`` event to the driver), and the time is taken at the first frame
the app hands to its display (``App._display``, called with every compositor update, headless or
not) that shows the key's effect: the cursor on the next row; the other pane current; for the
filter, the frame after the queue pane has handled its page worker's answer. ``pilot.press``
itself is not timed: it waits on idle the app and costs 60–80 ms whatever the app does
(performance.md). Headless, the frame is not encoded to escape sequences (~1 ms at 120×40).

The floor is the same cursor move in the minimal app (a 50-row ``DataTable``), and for a pane
switch the same F3/F2 in a minimal app of two such tables in a ``ContentSwitcher`` with a
footer; the other keys are printed beside the cursor move.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, DataTable, Footer, Input

from bench.console_app import console_app, wait_until
from bench.minimal_app import MinimalApp

SIZE = (120, 40)
TIMEOUT_S = 10.0
SEARCH_TERMS = ("噪音", "漏水", "欠薪", "农民工", "施工噪", "拖欠农民工")


@dataclass(frozen=True)
class Latency:
    """Milliseconds: median, p95, range; ``timeouts`` keys that showed no effect in time."""

    samples: tuple[float, ...]
    timeouts: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def __str__(self) -> str:
        low, high = min(self.samples), max(self.samples)
        lost = f" ({self.timeouts} timed out)" if self.timeouts else ""
        return (
            f"p50 {self.median_ms:6.1f} p95 {self.p95_ms:6.1f} ms "
            f"[{low:.1f} – {high:.1f}] n={len(self.samples)}{lost}"
        )


class FrameClock:
    """Times a key from its sending to the first frame displayed for which ``shown()`` holds."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._shown: Callable[[], bool] | None = None
        self._at: float | None = None
        self._event = asyncio.Event()
        self.on_frame: list[Callable[[], None]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                for listener in self.on_frame:
                    listener()
            if (
                renderable is not None
                and self._shown is not None
                and self._at is None
                and self._shown()
            ):
                self._at = time.perf_counter()
                self._event.set()

        app._display = display  # type: ignore[method-assign]

    def send(self, key: str) -> float:
        """Send ``key`` as ``pilot.press`` does; returns the instant it was sent."""
        driver = self.app._driver
        assert driver is not None
        character = key if len(key) == 1 else ("\r" if key == "enter" else None)
        event = events.Key(key, character)
        event.set_sender(self.app)
        started = time.perf_counter()
        driver.send_message(event)
        return started

    async def key(self, key: str, shown: Callable[[], bool]) -> float | None:
        """Milliseconds from sending ``key`` to the frame showing its effect (None: timed out)."""
        self._shown, self._at = shown, None
        self._event.clear()
        started = self.send(key)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), TIMEOUT_S)
        at, self._shown = self._at, None
        await self._idle()  # the next key comes once the app has done this one's work
        return None if at is None else (at - started) * 1000

    async def _idle(self) -> None:
        """Until no worker runs (at most 2 s), then 50 ms: a key is timed on an idle app,
        as an operator's next key mostly finds it (typing is 100–300 ms a key)."""
        deadline = time.perf_counter() + 2
        await asyncio.sleep(0.02)
        while any(worker.is_running for worker in self.app.workers):
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)


def equals(read: Callable[[], object], value: object) -> Callable[[], bool]:
    """A condition: ``read()`` gives ``value``."""
    return lambda: read() == value


def above(read: Callable[[], int], value: int) -> Callable[[], bool]:
    """A condition: ``read()`` has passed ``value``."""
    return lambda: read() > value


def _latency(samples: list[float | None]) -> Latency:
    kept = tuple(sample for sample in samples if sample is not None)
    return Latency(kept or (float("nan"),), timeouts=len(samples) - len(kept))


async def _cursor_moves(clock: FrameClock, table: DataTable[Any], runs: int) -> Latency:
    samples: list[float | None] = []
    down = True
    last = min(table.row_count, 20) - 1
    for _ in range(runs):
        # down the page and back, never past its end
        if table.cursor_row >= last:
            down = False
        elif table.cursor_row <= 0:
            down = True
        target = table.cursor_row + (1 if down else -1)
        samples.append(
            await clock.key("down" if down else "up", equals(lambda: table.cursor_row, target))
        )
    return _latency(samples)


REPEAT_S = 0.033  # a terminal's key repeat: ~30 keys a second while ↓ is held


async def _held_cursor(clock: FrameClock, table: DataTable[Any], runs: int) -> Latency:
    """↓ (then ↑) held: a key every ``REPEAT_S`` whatever the app is doing; each timed from
    its sending to the first frame showing the cursor moves up to and including it."""
    moved = [0]
    for name in ("action_cursor_down", "action_cursor_up"):
        action = getattr(table, name)

        def counted(action: Callable[[], object] = action) -> object:
            moved[0] += 1
            return action()

        setattr(table, name, counted)
    sent: list[float] = []
    shown: list[float | None] = [None] * runs
    all_shown = asyncio.Event()

    def on_frame() -> None:
        now = time.perf_counter()
        for index in range(min(moved[0], len(sent))):
            if shown[index] is None:
                shown[index] = (now - sent[index]) * 1000
        if None not in shown:
            all_shown.set()

    clock.on_frame.append(on_frame)
    last = min(table.row_count, 20) - 1
    row = table.cursor_row
    down = True
    for _ in range(runs):
        if row >= last:
            down = False
        elif row <= 0:
            down = True
        row += 1 if down else -1
        sent.append(clock.send("down" if down else "up"))
        await asyncio.sleep(REPEAT_S)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_shown.wait(), TIMEOUT_S)
    clock.on_frame.remove(on_frame)
    await clock._idle()
    return _latency(shown)


def console_keystrokes(database: Path, runs: int) -> dict[str, Latency]:
    """Cursor move, pane switch (F3 to the overdue pane and F2 back, once both are built),
    a character typed in the search box, and a search applied (Enter) until its page is shown."""
    from gridconsole.views.queue_pane import QueuePane

    app = console_app(database)
    handled = [0]
    original = QueuePane.on_queue_loaded

    def counted(pane: QueuePane, message: Any) -> None:
        original(pane, message)
        handled[0] += 1

    async def scenario() -> dict[str, Latency]:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: bool(app.screen.query(QueuePane)) and _loaded(app))
            clock = FrameClock(app)
            pane = app.screen.query_one(QueuePane)
            table = pane.table
            table.focus()
            await pilot.pause()
            figures = {"cursor move (↓/↑) in the queue": await _cursor_moves(clock, table, runs)}
            figures["↓/↑ held (a key every 33 ms)"] = await _held_cursor(clock, table, runs)
            switcher = app.screen.query_one("#panes", ContentSwitcher)
            await pilot.press("f3")  # build the overdue pane once (its first open is in memory)
            await wait_until(pilot, lambda: switcher.current == "overdue-pane")
            await pilot.press("f2")
            await pilot.pause(0.3)
            to_overdue: list[float | None] = []
            to_queue: list[float | None] = []
            for _ in range(max(runs // 2, 3)):
                to_overdue.append(await clock.key("f3", lambda: switcher.current == "overdue-pane"))
                to_queue.append(await clock.key("f2", lambda: switcher.current == "queue-pane"))
            figures["pane switch F3 (overdue)"] = _latency(to_overdue)
            figures["pane switch F2 (back to the queue)"] = _latency(to_queue)
            search = pane.query_one("#filter-search", Input)
            typed: list[float | None] = []
            applied: list[float | None] = []
            for index in range(max(runs // 2, 3)):
                term = SEARCH_TERMS[index % len(SEARCH_TERMS)]
                search.value = ""
                search.focus()
                await pilot.pause()
                for character in term:
                    expected = search.value + character
                    typed.append(await clock.key(character, equals(lambda: search.value, expected)))
                before = handled[0]
                applied.append(await clock.key("enter", above(lambda: handled[0], before)))
            figures["a character typed in the search box"] = _latency(typed)
            figures["search applied (Enter), page shown"] = _latency(applied)
            return figures

    QueuePane.on_queue_loaded = counted  # type: ignore[method-assign,assignment]
    try:
        return asyncio.run(scenario())
    finally:
        QueuePane.on_queue_loaded = original  # type: ignore[method-assign]


def _loaded(app: App[Any]) -> bool:
    from gridconsole.views.queue_pane import QueuePane

    panes = app.screen.query(QueuePane)
    return bool(panes) and panes.first().loaded and panes.first().table.row_count > 1


class MinimalPanesApp(App[None]):
    """The floor of a pane switch: two panes of a 50-row table each, F2/F3 between them, and
    a footer listing the keys."""

    BINDINGS: ClassVar = [
        Binding("f2", "show('one')", "One"),
        Binding("f3", "show('two')", "Two"),
    ]

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="one"):
            for pane in ("one", "two"):
                yield DataTable(id=pane)
        yield Footer()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("id", "title", "state", "deadline")
            for index in range(50):
                table.add_row(f"{table.id}-{index}", "标题" * 5, "reported", "12:00")

    def action_show(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        self.query_one(f"#{pane}", DataTable).focus()


def minimal_keystrokes(runs: int) -> dict[str, Latency]:
    """The floor: the same cursor move in the minimal app."""

    async def scenario() -> dict[str, Latency]:
        app = MinimalApp()
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(DataTable)
            await wait_until(pilot, lambda: table.row_count == 50)
            table.focus()
            await pilot.pause()
            clock = FrameClock(app)
            return {
                "cursor move (↓/↑)": await _cursor_moves(clock, table, runs),
                "↓/↑ held (a key every 33 ms)": await _held_cursor(clock, table, runs),
            }

    async def switching() -> dict[str, Latency]:
        app = MinimalPanesApp()
        async with app.run_test(size=SIZE) as pilot:
            switcher = app.query_one(ContentSwitcher)
            await wait_until(pilot, lambda: app.query_one("#two", DataTable).row_count == 50)
            clock = FrameClock(app)
            there: list[float | None] = []
            back: list[float | None] = []
            for _ in range(max(runs // 2, 3)):
                there.append(await clock.key("f3", lambda: switcher.current == "two"))
                back.append(await clock.key("f2", lambda: switcher.current == "one"))
            return {"pane switch F3": _latency(there), "pane switch F2": _latency(back)}

    return asyncio.run(scenario()) | asyncio.run(switching())


TARGET_MS = 50.0
FILTER_TARGET_MS = 150.0


def report(database: Path, runs: int) -> None:
    """Print the keystroke figures of the console over ``database`` beside the minimal app."""
    floor = minimal_keystrokes(runs)
    figures = console_keystrokes(database, runs)
    print(
        f"{'keystroke to updated frame (headless 120x40)':44} {'console':>46}   {'minimal app':>46}"
    )
    for label, ours in figures.items():
        key = "cursor move (↓/↑)"
        if label.startswith("↓/↑"):
            key = "↓/↑ held (a key every 33 ms)"
        elif label.startswith("pane switch"):
            key = label[: len("pane switch F3")]
        same = label.startswith(("cursor move", "↓/↑ held", "pane switch"))
        target = FILTER_TARGET_MS if label.startswith("search applied") else TARGET_MS
        verdict = "met" if ours.p95_ms < target and not ours.timeouts else "MISSED"
        beside = floor[key]
        note = "" if same else " (cursor move)"
        print(f"  {label:42} {ours!s:>46}   {beside!s:>46}{note}  p95 < {target:.0f} ms: {verdict}")
