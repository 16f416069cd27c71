from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain.enums import CaseSource, Priority
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.validators import parse_phone, validate_case_draft, validate_reason

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
GOOD = {
    "title": "楼道堆物",
    "description": "3栋2单元楼道堆放杂物，堵塞消防通道。",
    "category": "11-fire",
}


def test_minimal_draft_gets_defaults() -> None:
    draft = validate_case_draft(GOOD, now=NOW)
    assert draft.source is CaseSource.phone
    assert draft.priority is Priority.normal
    assert draft.grid_code is None
    assert draft.reported_at is None


def test_every_problem_is_reported_at_once_in_field_order() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_case_draft(
            {
                "title": "长" * 61,
                "description": "",
                "category": "",
                "source": "fax",
                "reporter_phone": "abc",
                "lat": "north",
                "lon": "200",
                "reported_at": "yesterday",
            },
            now=NOW,
        )
    problems = {problem.field: problem.message for problem in failed.value.problems}
    assert list(problems) == [
        "title",
        "description",
        "category",
        "source",
        "reporter_phone",
        "reported_at",
        "lat",
        "lon",
    ]
    assert problems["title"] == "最多 60 个字符（现为 61 个）"
    assert problems["source"].startswith("“fax”不是可选值之一")
    assert problems["lon"] == "“200”应在 73.0 到 136.0 之间"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 1234 1234", "13812341234"),
        ("025-84561234", "02584561234"),
        ("(025)84561234", "02584561234"),
        ("12345", "12345"),
    ],
)
def test_phones(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1381234123", "23812341234", "12", "phone"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValueError, match=raw):
        parse_phone(raw)


def test_times_need_a_zone_and_must_not_be_ahead() -> None:
    ok = validate_case_draft({**GOOD, "reported_at": "2026-11-29T09:00:00+08:00"}, now=NOW)
    assert ok.reported_at == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    for value, fragment in [
        ("2026-11-29T09:00:00", "缺少时区"),
        ("2026-11-29T09:40:00+08:00", "晚于当前时间"),
    ]:
        with pytest.raises(ValidationFailed, match=fragment):
            validate_case_draft({**GOOD, "reported_at": value}, now=NOW)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=5,
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                *GOOD,
                "source",
                "priority",
                "grid",
                "reporter_phone",
                "reported_at",
                "lat",
                "lon",
                "address",
                "reporter_name",
                "people_involved",
                "escalation_kind",
                "severity",
                "escalation_reason",
            ]
        ),
        json_values,
    )
)
def test_any_input_is_either_a_clean_draft_or_a_validation_failure(raw: dict[str, object]) -> None:
    """Arbitrary JSON values (as an import file can hold) never crash the validator."""
    try:
        draft = validate_case_draft(raw, now=NOW)
    except ValidationFailed as failed:
        problems = failed.problems
    else:
        problems = []
        assert draft.title
        assert draft.description
        assert draft.category_code
        assert len(draft.title) <= 60
        assert "\x1b" not in draft.title + draft.description + draft.reporter_name
        return
    assert problems


def test_reasons() -> None:
    assert validate_reason("  重复 \x1b ") == "重复"
    with pytest.raises(ValidationFailed, match="reason: 必填"):
        validate_reason("")
    assert validate_reason("", required=False) == ""
