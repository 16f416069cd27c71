"""Cleaning untrusted text at the boundary.

Case descriptions, names and imported files come from the public. Control characters (C0, C1,
DEL) could drive the terminal (screen clears, OSC 52 clipboard writes, device-status requests);
Unicode format characters (bidi overrides, zero-width, BOM) could disguise what a line says. They
are removed on the way in and again before display. Markup-looking text (``[bold]``) is kept as
written: widgets render it as plain text, never as markup.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except TAB/LF/CR, DEL and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control and format characters.

    Line breaks survive only where ``multiline``; elsewhere every line break or tab becomes a
    space. Leading and trailing whitespace is stripped.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROLS.sub("", value)
    value = "".join(char for char in value if not _is_format(char))
    value = value.replace("\t", " ") if multiline else re.sub(r"[\t\n]+", " ", value)
    return value.strip()


def display_text(value: str | None) -> str:
    """Text safe to hand to a widget as plain content (defence in depth for rows already stored)."""
    if not value:
        return ""
    return clean_text(value, multiline=True)
