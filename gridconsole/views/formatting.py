"""Turning plain data into safe, cell-measured text for widgets.

Every string that came from the database passes through :func:`safe` (control and format
characters removed, mobile and ID numbers quoted in free text masked) and is rendered as
``Text``/``Content``, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text

from gridconsole.domain.privacy import mask_numbers_in_text
from gridconsole.domain.text import display_text
from gridconsole.i18n import t
from gridconsole.services.records import Choice


def safe(value: str | None) -> str:
    """Database text made harmless for display (single line), any mobile or ID number quoted in
    it masked."""
    return " ".join(safe_multiline(value).split("\n"))


def safe_multiline(value: str | None) -> str:
    return mask_numbers_in_text(display_text(value))


def revealed(value: str | None) -> str:
    """A personal value the operator revealed (with the permission, recorded): cleaned, unmasked."""
    return " ".join(display_text(value).split("\n"))


def cell(value: str | None, width: int | None = None, style: str = "") -> Text:
    """A DataTable cell: literal text, truncated to ``width`` terminal cells."""
    text = Text(safe(value), style=style, no_wrap=True, overflow="ellipsis", end="")
    if width is not None and cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    return text


def choice_options(choices: Iterable[Choice]) -> list[tuple[Text, str]]:
    """Select options for codes and labels from the database: labels as literal text."""
    return [(Text(safe(choice.label), end=""), choice.code) for choice in choices]


def local_time(instant: datetime | None, zone: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if instant is None:
        return ""
    return instant.astimezone(zone).strftime(pattern)


def age_text(since: datetime, now: datetime) -> str:
    """How long ago ``since`` was, in at most 8 terminal cells: the largest two units
    (``2天3时``, ``23时59分``, ``45分``), days alone from ten days on (``12天``)."""
    seconds = max(0, int((now - since) / timedelta(seconds=1)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 10:
        return t("queue.age_days_only", days=days)
    if days:
        return t("queue.age_days", days=days, hours=hours)
    if hours:
        return t("queue.age_hours", hours=hours, minutes=minutes)
    return t("queue.age_minutes", minutes=minutes)


def thousands(number: int) -> str:
    return f"{number:,}"
