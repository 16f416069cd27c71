"""The command palette's dispatch-pane commands: showing the pane and every action on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.dispatch_pane import DispatchPane

# (action name on DispatchPane, palette label key)
DISPATCH_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open_dispatch_case", "dispatch.palette_open"),
    ("next_dispatch_list", "dispatch.palette_next_list"),
    ("toggle_mark", "dispatch.palette_mark"),
    ("mark_page", "dispatch.palette_mark_page"),
    ("clear_marks", "dispatch.palette_clear_marks"),
    ("dispatch_cases", "dispatch.palette_dispatch"),
    ("verify_pass", "dispatch.palette_verify_pass"),
    ("verify_fail", "dispatch.palette_verify_fail"),
    ("follow_up_case", "dispatch.palette_follow_up"),
    ("urge_dispatch_case", "dispatch.palette_urge"),
    ("escalate_case", "escalation.palette_escalate_selected"),
    ("reload_dispatch", "dispatch.palette_reload"),
)


class DispatchCommands(Provider):
    """Offers the dispatch pane (to the centre, from anywhere) and, while it shows, the actions
    its list and cursor case allow."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_dispatch_pane", ()) is True:
            commands.append(
                (t("dispatch.palette_show_pane"), partial(screen.run_action, "show_dispatch_pane"))
            )
        panes = screen.query(DispatchPane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in DISPATCH_COMMANDS:
            if pane.check_action(action, ()) is True:
                commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("dispatch.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("dispatch.title"))
