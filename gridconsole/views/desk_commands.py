"""The command palette's work-list commands: showing the pane and every action on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.department_pane import DepartmentPane

# (action name on DepartmentPane, palette label key)
DESK_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open_desk_case", "desk.palette_open"),
    ("sign_dispatch", "desk.palette_sign"),
    ("request_return", "desk.palette_return"),
    ("request_extension", "desk.palette_extension"),
    ("request_suspension", "desk.palette_suspension"),
    ("give_feedback", "desk.palette_feedback"),
    ("focus_desk_department", "desk.palette_department"),
    ("reload_desk", "desk.palette_reload"),
)


class DeskCommands(Provider):
    """Offers the work list (from anywhere) and, while it shows, the actions the selected
    dispatch allows."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_department_pane", ()) is True:
            commands.append(
                (t("desk.palette_show_pane"), partial(screen.run_action, "show_department_pane"))
            )
        panes = screen.query(DepartmentPane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in DESK_COMMANDS:
            if pane.check_action(action, ()) is True:
                commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("desk.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("desk.title"))
