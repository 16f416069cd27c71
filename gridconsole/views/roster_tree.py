"""Communities and their grids, with how many serve each grid and what coverage lacks there.

Selecting the root shows every worker; a community, its workers; a grid, the grid's. A grid
breaching the regulation (no head, no full-time worker in an urban comprehensive grid) is marked
``!n`` in the error colour, a soft warning (households) ``~n``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree

from gridconsole.i18n import t
from gridconsole.services.roster_records import CommunityNode
from gridconsole.views.formatting import safe


@dataclass(frozen=True)
class TreePick:
    """What a tree node stands for: everything, a community or a grid (by code)."""

    community_code: str | None = None
    grid_code: str | None = None


class RosterTree(Tree[TreePick]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(t("roster.pane.tree_root")), data=TreePick(), id=id)
        self.show_root = True
        self.guide_depth = 2

    def show_communities(self, communities: tuple[CommunityNode, ...]) -> None:
        """Rebuild the tree's nodes (a street has tens of grids), keeping the node selected."""
        picked = self.cursor_node.data if self.cursor_node is not None else None
        self.root.remove_children()
        target = self.root
        for community in communities:
            breaches = sum(grid.breaches for grid in community.grids)
            label = Text(safe(community.name))
            if breaches:
                label.append(f" !{breaches}", style="bold red")
            node = self.root.add(label, data=TreePick(community_code=community.code), expand=True)
            if picked == node.data:
                target = node
            for grid in community.grids:
                grid_label = Text(safe(grid.name))
                grid_label.append(
                    f" {t('roster.pane.tree_workers', count=grid.workers)}", style="dim"
                )
                if grid.breaches:
                    grid_label.append(f" !{grid.breaches}", style="bold red")
                if grid.warnings:
                    grid_label.append(f" ~{grid.warnings}", style="yellow")
                leaf = node.add_leaf(
                    grid_label,
                    data=TreePick(community_code=community.code, grid_code=grid.code),
                )
                if picked == leaf.data:
                    target = leaf
        self.root.expand()
        self.move_cursor(target)
