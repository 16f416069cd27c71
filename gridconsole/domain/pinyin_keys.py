"""Search keys in pinyin, so a dispatcher typing ``zs`` or ``zhangs`` finds 张三.

Each searchable name keeps two keys beside it (written by the services whenever the name
changes): the full pinyin of its default reading (``zhangsan``, also the sort order of the
roster) and its initials (``zs``). A character with several readings adds the initials of its
other readings as further words (曾 → ``cs zs``), up to :data:`MAX_INITIAL_VARIANTS`, so a
surname read differently from its dictionary default is found too. Letters and digits outside
Chinese characters are kept, lower-cased (``A栋`` → ``ad``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from gridconsole.domain.text import clean_text

MAX_INITIAL_VARIANTS = 4
PINYIN_MAX = 200
INITIALS_MAX = 100
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KEEP = re.compile(r"[0-9a-z]")


@dataclass(frozen=True)
class SearchKeys:
    pinyin: str  # full pinyin of the default reading, lower case, no spaces
    initials: str  # initials, variants separated by spaces


@cache
def _readings(char: str) -> tuple[str, tuple[str, ...]]:
    """The default reading of a Chinese character and the initials of all its readings."""
    from pypinyin import Style, lazy_pinyin, pinyin

    default = lazy_pinyin(char)[0]
    if not (default.isascii() and default.isalpha()):
        return "", ()  # a character pypinyin has no reading for: no key
    letters = [default[:1]]
    for reading in pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]:
        letter = reading[:1].lower()
        if letter.isascii() and letter.isalpha() and letter not in letters:
            letters.append(letter)
    return default, tuple(letters)


def search_keys(text: str) -> SearchKeys:
    """The pinyin and initials keys of ``text`` (a name, a grid or community name)."""
    full: list[str] = []
    choices: list[tuple[str, ...]] = []
    # NFKC: a compatibility ideograph (豈 U+F900) is read as the character it stands for
    for char in unicodedata.normalize("NFKC", clean_text(text)).lower():
        if _HAN.match(char):
            default, letters = _readings(char)
            if default:
                full.append(default)
                choices.append(letters)
        elif _KEEP.match(char):
            full.append(char)
            choices.append((char,))
    variants: list[str] = []
    for combination in itertools.product(*choices):
        variants.append("".join(combination))
        if len(variants) >= MAX_INITIAL_VARIANTS:
            break
    pinyin_key = "".join(full)[:PINYIN_MAX]
    initials = " ".join(variants)[:INITIALS_MAX].strip()
    return SearchKeys(pinyin_key, initials)


def search_needle(query: str) -> str:
    """What a typed query is compared with: trimmed, without inner spaces, lower case."""
    return re.sub(r"\s+", "", clean_text(query)).lower()


def is_pinyin_query(needle: str) -> bool:
    """Whether a needle can match the pinyin keys (letters and digits only)."""
    return bool(needle) and needle.isascii() and needle.isalnum()
