"""The command palette's queue commands: every queue action, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gridconsole.i18n import t
from gridconsole.views.queue_pane import QueuePane

# (action name on QueuePane, palette label key, help key)
QUEUE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("new_case", "palette.new_case"),
    ("open_case", "palette.open_case"),
    ("accept_case", "palette.accept_case"),
    ("reject_case", "palette.reject_case"),
    ("merge_case", "palette.merge_case"),
    ("resolve_in_grid", "palette.resolve_in_grid"),
    ("set_priority", "palette.set_priority"),
    ("escalate_case", "escalation.palette_escalate_selected"),
    ("toggle_claim", "claims.palette_toggle"),
    ("break_claim", "claims.palette_break"),
    ("next_page", "palette.next_page"),
    ("previous_page", "palette.previous_page"),
    ("reload_queue", "palette.reload_queue"),
    ("focus_search", "palette.focus_search"),
    ("focus_filters", "palette.focus_filters"),
)


class QueueCommands(Provider):
    """Offers the queue's actions the selected case allows."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        panes = self.screen.query(QueuePane)
        if not panes:
            return []
        pane = panes.first()
        commands: list[tuple[str, Callable[[], object]]] = []
        for action, label_key in QUEUE_COMMANDS:
            if pane.check_action(action, ()) is not True:
                continue
            commands.append((t(label_key), partial(pane.run_action, action)))
        return commands

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback, help=t("queue.title"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=t("queue.title"))
