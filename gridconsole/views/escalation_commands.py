"""The command palette's escalation-board commands: showing the board and every action on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.escalation_pane import EscalationPane

# (action name on EscalationPane, palette label key)
ESCALATION_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open_escalation_case", "escalation.palette_open"),
    ("confirm_escalation", "escalation.palette_confirm"),
    ("record_report", "escalation.palette_report"),
    ("raise_level", "escalation.palette_raise"),
    ("deescalate", "escalation.palette_deescalate"),
    ("acknowledge_alerts", "escalation.palette_acknowledge"),
    ("escalate_case", "escalation.palette_escalate"),
    ("toggle_wall", "escalation.palette_wall"),
    ("reload_escalations", "escalation.palette_reload"),
)


class EscalationCommands(Provider):
    """Offers the board (from anywhere, to those who may read it) and, while it shows, the
    actions the selected card and the operator's role allow."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_escalation_pane", ()) is True:
            commands.append(
                (
                    t("escalation.palette_show_pane"),
                    partial(screen.run_action, "show_escalation_pane"),
                )
            )
        panes = screen.query(EscalationPane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in ESCALATION_COMMANDS:
            if pane.check_action(action, ()) is True:
                commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("escalation.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("escalation.title"))
