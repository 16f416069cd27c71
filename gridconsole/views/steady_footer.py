"""A footer that is rebuilt only when what it shows has changed.

Textual's ``Footer`` recomposes (every key widget built and styled anew) on every
``refresh_bindings``, and the queue refreshes its bindings on each cursor move (the selected
case's actions are greyed out until its detail is read, then set): measured, that put 180 ms
(p50, loaded 2-core machine) between a cursor key and the frame showing the cursor moved,
against ~2 ms without the rebuild (bench/keystrokes.py).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

_Shown = tuple[tuple[Binding, bool, str], ...]


class SteadyFooter(Footer):
    """``Footer`` whose rebuild is skipped while its keys, their enabled state and tooltips are
    the same as when it was last rebuilt."""

    _shown: _Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown: _Shown = tuple(
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # rebuilt below with these
        super().bindings_changed(screen)
