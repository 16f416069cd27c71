"""Cell formatting: whatever the age, it fits its column."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from gridconsole.i18n import set_locale
from gridconsole.views.formatting import age_text
from gridconsole.views.queue_table import WIDE_COLUMNS
from tests.factories import T0

AGE_WIDTH = next(column.width for column in WIDE_COLUMNS if column.key == "age")


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(minutes=45), "45分"),
        (timedelta(hours=18, minutes=32), "18时32分"),
        (timedelta(days=3, hours=4), "3天4时"),
        (timedelta(days=12, hours=4), "12天"),
    ],
)
def test_age_words(age: timedelta, expected: str) -> None:
    assert age_text(T0 - age, T0) == expected


@given(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
    st.sampled_from(["zh", "en"]),
)
def test_age_fits_its_column(age: timedelta, locale: str) -> None:
    set_locale(locale)  # type: ignore[arg-type]
    try:
        assert cell_len(age_text(T0 - age, T0)) <= AGE_WIDTH
    finally:
        set_locale("zh")
