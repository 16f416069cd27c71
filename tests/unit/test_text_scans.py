"""The regex that replaced a per-character Python loop in the search index's hot path says
exactly what the loop said, for every code point; cleaned text keeps no format character."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain.search_terms import _RUN, index_terms
from gridconsole.domain.text import _PLAIN, _kept, clean_text

ALL = [chr(point) for point in range(sys.maxunicode + 1)]


def test_a_run_character_is_exactly_an_alphanumeric_one() -> None:
    differ = [char for char in ALL if bool(_RUN.fullmatch(char)) != char.isalnum()]
    assert differ == []


def _runs_by_loop(text: str) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        if char.isalnum():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def test_plain_text_holds_nothing_the_cleaning_removes_or_cuts() -> None:
    """The fast path of the cleaning: no character of its class is a control, format character,
    surrogate or combining mark (tab and line feed are kept as they are)."""
    removed = {"Cc", "Cf", "Cs", "Mn", "Me"}
    found = [
        hex(ord(char))
        for char in ALL
        if _PLAIN.fullmatch(char) and unicodedata.category(char) in removed and char not in "\t\n"
    ]
    assert found == []
    assert _PLAIN.fullmatch("楼道堆物，影响通行！（长江路3号）“急”")
    assert _kept("\u202eevil\u200b") == "evil"  # not plain: the loop removes them


@given(st.text())
def test_runs_equal_the_character_loop(text: str) -> None:
    assert _RUN.findall(unicodedata.normalize("NFKC", text).casefold()) == _runs_by_loop(text)


@given(st.text())
def test_clean_text_drops_every_format_character(text: str) -> None:
    for multiline in (False, True):
        cleaned = clean_text(text, multiline=multiline)
        assert not any(unicodedata.category(char) == "Cf" for char in cleaned)


def test_index_terms_of_a_plain_record() -> None:
    assert index_terms(["楼道堆物", "长江路3号"]) == [
        "楼道",
        "道堆",
        "堆物",
        "qqq",
        "长江",
        "江路",
        "路3",
        "3号",
    ]
