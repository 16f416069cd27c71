"""The command palette's approvals commands: showing the pane and the shift lead's decisions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.approvals_pane import ApprovalsPane

# (action name on ApprovalsPane, palette label key)
APPROVALS_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open_approval_case", "approvals.palette_open"),
    ("approve_request", "approvals.palette_approve"),
    ("refuse_request", "approvals.palette_refuse"),
    ("toggle_suspended", "approvals.palette_suspended"),
    ("resume_case", "approvals.palette_resume"),
    ("reload_approvals", "approvals.palette_reload"),
)


class ApprovalsCommands(Provider):
    """Offers the approvals pane to the shift lead and, while it shows, what it allows."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, Callable[[], object]]] = []
        if screen.check_action("show_approvals_pane", ()) is True:
            commands.append(
                (
                    t("approvals.palette_show_pane"),
                    partial(screen.run_action, "show_approvals_pane"),
                )
            )
        panes = screen.query(ApprovalsPane)
        if not panes or not panes.first().display:
            return commands
        pane = panes.first()
        for action, label_key in APPROVALS_COMMANDS:
            if pane.check_action(action, ()) is True:
                commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("approvals.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("approvals.title"))
