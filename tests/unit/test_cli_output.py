"""``gridconsole/cli/output.py``: what every command prints passes here, masked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from gridconsole.cli.main import fail
from gridconsole.cli.output import (
    RevealedText,
    echo_json,
    echo_table,
    masked,
    masked_lines,
    plain_value,
)
from gridconsole.domain.enums import CaseState, PersonalField, Priority
from gridconsole.services.privacy_records import Revealed

ZONE = ZoneInfo("Asia/Shanghai")
MOBILE = "13812341234"
ID_NUMBER = "320102199001011234"
QUOTED = f"请联系 {MOBILE}，身份证 {ID_NUMBER}"
MASKED_QUOTE = "请联系 138****1234，身份证 3201**********1234"


@dataclass(frozen=True)
class Note:
    text: str
    at: datetime


@dataclass(frozen=True)
class Row:
    code: str
    grid_code: str
    state: CaseState
    priority: Priority
    day: date
    notes: tuple[Note, ...]
    detail: dict[str, object]
    name_pinyin: str = ""


def printed_json(capsys: pytest.CaptureFixture[str], value: object) -> tuple[str, object]:
    echo_json(value)
    out = capsys.readouterr().out
    return out, json.loads(out)


def test_every_string_at_every_depth_is_masked_and_codes_are_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    row = Row(
        code="MY-20261129-0001",
        grid_code="320102002001001",
        state=CaseState.reported,
        priority=Priority.urgent,
        day=date(2026, 11, 29),
        notes=(Note(QUOTED, datetime(2026, 11, 29, 1, 30, tzinfo=UTC)),),
        detail={"instruction": QUOTED, MOBILE: [QUOTED], "count": 3, "none": None},
        name_pinyin=f"qinglianxi{MOBILE}shenfenzheng{ID_NUMBER}",
    )
    out, data = printed_json(capsys, plain_value([row], ZONE))
    assert MOBILE not in out
    assert ID_NUMBER not in out
    assert data == [
        {
            "code": "MY-20261129-0001",
            "grid_code": "320102002001001",
            "state": "reported",
            "priority": "urgent",
            "day": "2026-11-29",
            "notes": [{"text": MASKED_QUOTE, "at": "2026-11-29T09:30:00+08:00"}],
            "detail": {
                "instruction": MASKED_QUOTE,
                "138****1234": [MASKED_QUOTE],
                "count": 3,
                "none": None,
            },
            # the search key, with the numbers glued to letters, is left out
        }
    ]


def test_hand_built_objects_are_masked_too(capsys: pytest.CaptureFixture[str]) -> None:
    out, data = printed_json(capsys, {"rows": [{"title": QUOTED}], "total": 1})
    assert data == {"rows": [{"title": MASKED_QUOTE}], "total": 1}
    assert "请联系" in out  # CJK readable, not \\u-escaped


def test_a_value_that_skipped_plain_value_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(TypeError, match="plain_value"):
        echo_json({"at": datetime(2026, 11, 29, tzinfo=UTC)})
    with pytest.raises(TypeError, match="plain_value"):
        echo_json([Note(QUOTED, datetime(2026, 11, 29, tzinfo=UTC))])
    assert capsys.readouterr().out == ""


def test_json_strings_are_cleaned_before_masking(capsys: pytest.CaptureFixture[str]) -> None:
    """C1 controls, DEL and bidi overrides are not escaped by json.dumps: they are removed, as
    the console removes them; a number split by a zero-width space is then found and masked."""
    hostile = f"\x9b31m红\x1b[2J\x7f \u202egnp.exe\u202c 138\u200b12341234 {ID_NUMBER[:9]}\ufeff{ID_NUMBER[9:]}\t尾"
    out, data = printed_json(capsys, {"text": hostile})
    for raw in ("\x9b", "\x1b", "\x7f", "\u202e", "\u202c", "\u200b", "\ufeff"):
        assert raw not in out
    assert data == {"text": "31m红[2J gnp.exe 138****1234 3201**********1234 尾"}


def test_line_breaks_stay_in_json_and_become_spaces_in_a_line() -> None:
    text = f"第一行 {MOBILE}\n第二行\u2028第三行"
    assert masked(text) == "第一行 138****1234 第二行 第三行"
    assert masked_lines(text) == ["第一行 138****1234", "第二行", "第三行"]
    assert masked(None) == ""
    assert masked_lines("") == [""]


def test_a_revealed_value_is_shown_in_full_and_only_as_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    revealed = RevealedText(f"{MOBILE}\u202e")
    assert masked(revealed) == MOBILE  # cleaned, not masked
    assert masked(f"手机 {revealed}") == "手机 138****1234"  # formatted into text: masked again
    assert masked(revealed.strip()) == "138****1234"
    _, data = printed_json(capsys, {"mobile": revealed, "note": QUOTED})
    assert data == {"mobile": MOBILE, "note": MASKED_QUOTE}


def test_a_revealed_value_and_its_plain_twin_do_not_share_a_result() -> None:
    """The masking keeps a cache of what it printed: a revealed number must not be served for
    the same digits printed plainly, nor the other way round."""
    for _ in range(2):
        assert masked(MOBILE) == "138****1234"
        assert masked(RevealedText(MOBILE)) == MOBILE
    assert masked(f" {MOBILE}\x07\x1b ") == "138****1234"  # ASCII with controls: cleaned too


def test_a_reveal_from_the_privacy_service_prints_its_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = Revealed(
        "worker:7",
        {PersonalField.worker_mobile: MOBILE, PersonalField.worker_id_number: ID_NUMBER},
    )
    _, data = printed_json(capsys, {"revealed": plain_value(shown, ZONE), "note": QUOTED})
    assert data == {
        "revealed": {
            "subject": "worker:7",
            "values": {"worker_mobile": MOBILE, "worker_id_number": ID_NUMBER},
        },
        "note": MASKED_QUOTE,
    }


def test_every_table_cell_is_masked_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    echo_table(
        ["代码", "标题"],
        [
            ["320102002001001", f"联系 {MOBILE}\n第二行\x1b[2J"],
            ["MY-20261129-0001", RevealedText(MOBILE)],
        ],
    )
    assert capsys.readouterr().out.splitlines() == [
        "代码              标题",
        "----------------  --------------------------",
        "320102002001001   联系 138****1234 第二行[2J",
        f"MY-20261129-0001  {MOBILE}",
    ]


def test_a_refusal_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        fail(f"no such worker: {QUOTED}\nsecond line")
    assert exit_.value.code == 1
    assert capsys.readouterr().err == f"no such worker: {MASKED_QUOTE}\nsecond line\n"
