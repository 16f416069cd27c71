"""The command palette's overdue-pane commands: showing the pane and every action on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.overdue_pane import OverduePane

# (action name on OverduePane, palette label key)
OVERDUE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open_overdue_case", "overdue.palette_open"),
    ("urge_case", "overdue.palette_urge"),
    ("supervise_case", "overdue.palette_supervise"),
    ("escalate_case", "escalation.palette_escalate_selected"),
    ("toggle_wall", "overdue.palette_wall"),
    ("focus_overdue_filters", "overdue.palette_filters"),
    ("reload_overdue", "overdue.palette_reload"),
)


class OverdueCommands(Provider):
    """Offers the overdue pane (from anywhere) and, while it shows, the actions it allows."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_overdue_pane", ()) is True:
            commands.append(
                (t("overdue.palette_show_pane"), partial(screen.run_action, "show_overdue_pane"))
            )
        panes = screen.query(OverduePane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in OVERDUE_COMMANDS:
            if pane.check_action(action, ()) is True:
                commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("overdue.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("overdue.title"))
