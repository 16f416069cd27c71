"""The claim marker of the case lists: ``⚑张三`` before the title while someone holds the case.

Shown only while the claim runs (an expired claim is no claim), judged against the clock the
table was last drawn with, so a lapsed claim disappears without a database read.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from gridconsole.i18n import t
from gridconsole.views.formatting import cell, safe


def claim_label(name: str, until: datetime | None, now: datetime | None) -> str:
    """``⚑张三`` while the claim runs at ``now``, else ""."""
    if not name or until is None or now is None or now >= until:
        return ""
    return t("claims.marker", name=safe(name))


def claimed_title(
    title: str, name: str, until: datetime | None, now: datetime | None, width: int
) -> Text:
    """The title cell, led by the claim marker while the case is held."""
    label = claim_label(name, until, now)
    if not label:
        return cell(title, width)
    marker = Text(f"{label} ", style="bold yellow", no_wrap=True, overflow="ellipsis", end="")
    rest = max(width - cell_len(marker.plain), 1)
    return Text.assemble(marker, cell(title, rest), no_wrap=True, overflow="ellipsis", end="")
