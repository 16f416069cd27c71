"""The console's header: centre, operator, the clock in the centre's zone and live counts.

It needs no database: it is drawn in the first frame, while the services open, and fills in the
operator and the counts when they arrive.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.i18n import t
from gridconsole.services.records import Actor, HeaderCounts
from gridconsole.views.formatting import local_time, safe

# (label key, attribute of HeaderCounts, style when not zero)
COUNT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("shell.count_waiting", "waiting", "bold $accent"),
    ("shell.count_working", "working", "bold"),
    ("shell.count_warning", "warning", "bold $warning"),
    ("shell.count_overdue", "overdue", "bold $error"),
    ("shell.count_escalated", "escalated", "bold $error"),
)


class ConsoleHeader(Widget):
    """Two lines: who and where (with the clock), then the live counts."""

    counts: reactive[HeaderCounts | None] = reactive(None)
    actor: reactive[Actor | None] = reactive(None)  # None while the services open

    def __init__(self, settings: Settings, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.settings = settings
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Horizontal(classes="header-line"):
            yield Static(self._identity(), id="header-identity")
            yield Static(self._clock_text(), id="header-clock")
        with Horizontal(classes="header-line"):
            yield Static(self._operator(), id="header-operator")
            yield Static(self._counts_text(), id="header-counts")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_clock)

    def refresh_clock(self) -> None:
        """Redraw the clock (memory only, no database).

        The clock is ``width: auto``, and ``Static.update`` lays the whole screen out again by
        default: every second each scrolling pane's scrollbar went to the terminal (1.2 KB a
        second on a 40-row table over SSH). The text keeps its width from one second to the
        next, so only the clock's own cells are repainted unless the width changes."""
        shown = self.query_one("#header-clock", Static)
        text = self._clock_text()
        before = shown.content
        resized = not isinstance(before, Content) or before.cell_length != text.cell_length
        shown.update(text, layout=resized)

    def watch_counts(self) -> None:
        if self.is_mounted:
            self.query_one("#header-counts", Static).update(self._counts_text())

    def watch_actor(self) -> None:
        if self.is_mounted:
            self.query_one("#header-operator", Static).update(self._operator())

    def _identity(self) -> Content:
        return Content.assemble((safe(self.settings.centre.name), "bold"))

    def _operator(self) -> Content:
        actor = self.actor
        if actor is None:
            return Content.assemble((t("shell.opening_database"), "dim"))
        return Content.assemble(
            (safe(actor.display_name), "bold"),
            " ",
            (t(f"role.{actor.role.value}"), "dim"),
        )

    def _clock_text(self) -> Content:
        now = local_time(self.clock.now(), self.settings.centre.zone, "%Y-%m-%d %H:%M:%S")
        if self.clock.simulated:
            speed = getattr(self.clock, "speed", 1.0)
            label = t("app.simulated_clock") + (f" ×{speed:g}" if speed != 1 else "")
            return Content.assemble((f"[{label}]", "bold $warning"), " ", now)
        return Content(now)

    def _counts_text(self) -> Content:
        counts = self.counts
        parts: list[str | tuple[str, str]] = []
        for index, (label_key, attribute, style) in enumerate(COUNT_FIELDS):
            if index:
                parts.append("  ")
            value = "-" if counts is None else str(getattr(counts, attribute))
            parts.append((t(label_key), "dim"))
            parts.append(" ")
            parts.append((value, style if counts is not None and value != "0" else ""))
        return Content.assemble(*parts)
