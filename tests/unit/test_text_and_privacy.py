from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain.privacy import mask_id_number, mask_name, mask_phone
from gridconsole.domain.text import MAX_COMBINING_RUN, clean_text, display_text


def test_markup_is_kept_as_written() -> None:
    assert (
        clean_text("[bold red]x[/] [@click=app.quit]q[/]") == "[bold red]x[/] [@click=app.quit]q[/]"
    )


def test_terminal_controls_are_removed() -> None:
    hostile = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\x9b6nd\x7fe"
    assert clean_text(hostile) == "a[2Jb]52;c;ZXZpbA==c6nde"


def test_bidi_and_zero_width_are_removed() -> None:
    assert clean_text("\ufeff张\u202e三\u200b\u2066") == "张三"


def test_single_line_fields_fold_line_breaks() -> None:
    assert clean_text("第一行\r\n第二行\t尾") == "第一行 第二行 尾"
    assert clean_text("第一行\r\n第二行", multiline=True) == "第一行\n第二行"


def test_lone_surrogates_and_line_separators() -> None:
    # a JSON "\ud800" escape decodes to a lone surrogate, which the terminal cannot encode
    assert clean_text("张\ud800三") == "张三"
    assert clean_text("一\u2028二\u2029三", multiline=True) == "一\n二\n三"
    assert clean_text("一\u2028二") == "一 二"


def test_combining_floods_are_cut() -> None:
    assert clean_text("e" + "\u0301" * 500 + "x") == "e" + "\u0301" * MAX_COMBINING_RUN + "x"
    assert clean_text("Vie\u0302\u0323t") == "Vie\u0302\u0323t"  # stacked accents stay


def _longest_combining_run(value: str) -> int:
    longest = run = 0
    for char in value:
        run = run + 1 if unicodedata.category(char) in ("Mn", "Me") else 0
        longest = max(longest, run)
    return longest


# every category, surrogates included (st.text() leaves them out)
ANY_TEXT = st.text(st.characters(exclude_categories=()))


@given(ANY_TEXT)
def test_cleaned_text_has_no_controls_or_format_characters(value: str) -> None:
    for cleaned in (clean_text(value), display_text(value)):
        for char in cleaned:
            category = unicodedata.category(char)
            assert category not in ("Cf", "Cs", "Zl", "Zp")
            assert category != "Cc" or char == "\n"
        assert _longest_combining_run(cleaned) <= MAX_COMBINING_RUN


@given(ANY_TEXT)
def test_cleaning_is_idempotent(value: str) -> None:
    once = clean_text(value, multiline=True)
    assert clean_text(once, multiline=True) == once


def test_masks() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*2345"
    assert mask_id_number("320102199001011234") == "3201**********1234"
    assert mask_name("张三丰") == "张**"
