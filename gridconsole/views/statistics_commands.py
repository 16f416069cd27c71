"""The command palette's statistics commands: the pane, and while it shows, its actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.statistics_pane import StatisticsPane

# (action name on StatisticsPane, palette label key)
STATISTICS_COMMANDS: tuple[tuple[str, str], ...] = (
    ("cycle_period", "statistics.pane.palette_period"),
    ("custom_period", "statistics.pane.palette_custom"),
    ("cycle_dimension", "statistics.pane.palette_dimension"),
    ("toggle_workers", "statistics.pane.palette_workers"),
    ("drill_figure", "statistics.pane.palette_drill"),
    ("export_report", "statistics.pane.palette_export"),
    ("reload_statistics", "statistics.pane.palette_reload"),
)


class StatisticsCommands(Provider):
    """Offers the pane from anywhere (to those who may read it) and its actions while shown."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_statistics_pane", ()) is True:
            commands.append(
                (
                    t("statistics.pane.palette_show"),
                    partial(screen.run_action, "show_statistics_pane"),
                )
            )
        panes = screen.query(StatisticsPane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in STATISTICS_COMMANDS:
            commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("statistics.pane.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(label), callback, help=t("statistics.pane.title")
                )
