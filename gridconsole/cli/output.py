"""What the command line prints of the centre's data: cleaned, every personal number masked.

The personal data rule (Art. 17, PIPL) masks mobile and 居民身份证 numbers in every output, a
number quoted in free text as well (a description saying 请联系 13812341234 prints
请联系 138****1234). The commands print stored data only through these helpers, so a new
command cannot forget it:

``echo_json``
    a result as JSON (after ``plain_value``); every string in it, keys included, cleaned and
    masked. The one place JSON is written.
``echo_table``
    a table; every cell cleaned, masked and kept on one line.
``masked`` / ``masked_lines``
    one value for a message or a ``label: value`` line / a text of several lines.

The one way around is :class:`RevealedText`: a value shown in full on purpose, namely what an
audited reveal returned (``PrivacyService.reveal_*``: the permission, a reason and an audit
entry; ``plain_value`` marks the values of a ``Revealed`` so). It is a ``str`` whose mark every
string operation drops, so a revealed value formatted into other text is masked again: a
mistake fails closed. The Art. 19 notice (``roster notice -``) is not data of this module: the
regulation publishes its numbers, and it prints the text the notice file holds.

JSON strings are cleaned as the console cleans what it shows (``display_text``: control, C1,
bidi and zero-width characters removed) before they are masked. A number split by a zero-width
space would otherwise escape the mask, and ``json.dumps`` escapes only C0 characters: a terminal
reading ``--json`` would get raw C1 controls and bidi overrides. A script reads what the console
shows.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from functools import lru_cache

import click

from gridconsole.domain.privacy import mask_numbers_in_text, masked_text
from gridconsole.domain.text import display_text
from gridconsole.services.privacy_records import Revealed

# search and sort keys derived from a name (``lianxi13812341234``): a number quoted in the name
# comes out glued to letters, where no mask can tell it from a code; they mean nothing to a
# reader and are left out
_SEARCH_KEYS = frozenset({"name_pinyin", "name_initials"})


class RevealedText(str):
    """A value shown unmasked on purpose (what an audited reveal returned): cleaned only."""

    __slots__ = ()


def _cleaned_and_masked(value: str | None) -> str:
    if isinstance(value, RevealedText):
        return display_text(value)
    return _masked_str(value or "")


# a large --json repeats its keys, states and names thousands of times (5,000 cases: 130,000
# strings, most of them repeats); a RevealedText never reaches the cache, where it would be
# taken for its plain twin
@lru_cache(maxsize=4096)
def _masked_str(value: str) -> str:
    if value.isascii() and value.isprintable():
        return mask_numbers_in_text(value.strip())  # all display_text would do to it
    return masked_text(value)


def masked(value: str | None) -> str:
    """Stored text for one line of output: cleaned, line breaks as spaces, numbers masked."""
    return " ".join(masked_lines(value))


def masked_lines(value: str | None) -> list[str]:
    """Stored text of several lines (a description, a report), each cleaned and masked."""
    return _cleaned_and_masked(value).split("\n")


def plain_value(value: object, zone: tzinfo) -> object:
    """JSON-ready: dataclasses to objects, enums to their stored value (priorities by name),
    instants to ISO-8601 in the centre's zone, with the offset; a reveal's values marked
    :class:`RevealedText`; search keys left out. Strings are left as they are: ``echo_json``
    masks them."""
    if isinstance(value, Revealed):
        return {
            "subject": value.subject,
            "values": {str(field): RevealedText(text) for field, text in value.values.items()},
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: plain_value(getattr(value, item.name), zone)
            for item in dataclasses.fields(value)
            if item.name not in _SEARCH_KEYS
        }
    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain_value(item, zone) for item in value]
    if isinstance(value, dict):
        return {str(key): plain_value(item, zone) for key, item in value.items()}
    return value


def _masked_json(value: object) -> object:
    if isinstance(value, str):
        return _cleaned_and_masked(value)
    if isinstance(value, dict):
        return {_cleaned_and_masked(str(key)): _masked_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # a dataclass, an enum or an instant here skipped plain_value (it knows the centre's zone)
    raise TypeError(f"echo_json: {type(value).__name__} needs plain_value first")


def echo_json(value: object) -> None:
    """``value`` (plain data, see ``plain_value``) as JSON with every string cleaned and masked;
    CJK stays readable (``ensure_ascii=False``)."""
    click.echo(json.dumps(_masked_json(value), ensure_ascii=False, indent=2))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded in terminal cells; every cell cleaned, masked and on one line."""
    from rich.cells import cell_len

    shown = [[masked(cell) for cell in row] for row in rows]
    widths = [cell_len(header) for header in headers]
    for row in shown:
        widths = [max(width, cell_len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)
        )
        return "  ".join(padded).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * width for width in widths))
    for row in shown:
        click.echo(line(row))
