"""Cleaning untrusted text at the boundary.

Case descriptions, names and imported files come from the public. Control characters (C0, C1,
DEL) could drive the terminal (screen clears, OSC 52 clipboard writes, device-status requests);
Unicode format characters (bidi overrides, zero-width, BOM) could disguise what a line says; a
lone surrogate (from a JSON ``\\ud800`` escape) cannot be encoded for the terminal at all; a
flood of combining marks draws over the neighbouring lines. Markup-looking text (``[bold]``) is
kept as written: widgets render it as plain text, never as markup.

One rule, on the way in and again before display: such characters are **removed**, not replaced
by a visible mark. What is left is the text in its logical order, as the database searches and
compares it: a bidi override no longer reorders it, and a zero-width space pasted from a web page
does not leave a ``�`` in a name or make a grid code invalid. Removing cannot build anything
dangerous out of the rest, because no widget parses what is displayed. Line separators (U+2028,
U+2029) count as line breaks.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except TAB/LF/CR, DEL and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_SEPARATORS = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
# Unicode categories that are not text to show: controls, format characters, surrogates.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Combining marks kept on one base character: enough for any script's stacked accents (and for
# the variation selectors), not for a "Zalgo" flood that paints over other lines.
MAX_COMBINING_RUN = 4


# Characters _kept never removes nor counts in a combining run: letters and digits (``\w`` is
# what str.isalnum accepts, and the underscore), printable ASCII, tab and line feed, general and
# CJK punctuation, fullwidth forms. Text made only of them (nearly all of it) is passed by one
# regex scan instead of a category lookup per character (tests/unit/test_text_scans.py checks
# every code point of the class).
_PLAIN = re.compile(
    r"[\w\t\n -~\u2010-\u2027\u2030-\u205e\u3000-\u3029\u3030-\u303f\uff01-\uffee]*"
)


def _kept(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    kept: list[str] = []
    combining_run = 0
    for char in value:
        category = unicodedata.category(char)
        if category in _REMOVED_CATEGORIES and char not in "\t\n":
            continue
        if category in ("Mn", "Me"):
            combining_run += 1
            if combining_run > MAX_COMBINING_RUN:
                continue
        else:
            combining_run = 0
        kept.append(char)
    return "".join(kept)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control and format characters (and without combining floods).

    Line breaks survive only where ``multiline``; elsewhere every line break or tab becomes a
    space. Leading and trailing whitespace is stripped.
    """
    value = _LINE_SEPARATORS.sub("\n", value)
    value = _CONTROLS.sub("", value)
    value = _kept(value)
    value = value.replace("\t", " ") if multiline else re.sub(r"[\t\n]+", " ", value)
    return value.strip()


def display_text(value: str | None) -> str:
    """Text safe to hand to a widget as plain content (defence in depth for rows already stored)."""
    if not value:
        return ""
    return clean_text(value, multiline=True)
