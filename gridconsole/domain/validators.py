"""Field rules for what people type and files carry; each problem names the field and the rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from gridconsole.domain.enums import CaseSource, Priority, RejectReason
from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t

TITLE_MAX = 60
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 200
NAME_MAX = 40
REASON_MAX = 500
# Mainland mobile numbers, landlines with area code, and short service numbers (12345, 110).
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,5})$")
# A report may be stamped slightly ahead of our clock by a device whose clock runs fast.
FUTURE_TOLERANCE = timedelta(minutes=5)


def _rule(key: str, **params: object) -> str:
    return t(f"rule.{key}", **params)


@dataclass(frozen=True)
class CaseDraft:
    """A new case as entered or imported, after validation: clean text, typed values."""

    title: str
    description: str
    category_code: str
    source: CaseSource
    priority: Priority
    grid_code: str | None
    address: str
    reporter_name: str
    reporter_phone: str
    reported_at: datetime | None
    external_id: str | None = None
    lat: float | None = None
    lon: float | None = None


def _text(
    raw: Mapping[str, object],
    name: str,
    problems: list[FieldProblem],
    *,
    required: bool,
    maximum: int,
    multiline: bool = False,
) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    cleaned = clean_text(value, multiline=multiline)
    if required and not cleaned:
        problems.append(FieldProblem(name, _rule("required")))
    elif len(cleaned) > maximum:
        problems.append(FieldProblem(name, _rule("too_long", maximum=maximum, length=len(cleaned))))
    return cleaned


E = TypeVar("E")


def _choice(
    raw: Mapping[str, object],
    name: str,
    parse: Callable[[str], E],
    choices: list[str],
    default: E,
    problems: list[FieldProblem],
) -> E:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        return parse(str(value).strip())
    except (KeyError, ValueError):
        problems.append(
            FieldProblem(name, _rule("one_of", value=value, choices=", ".join(choices)))
        )
        return default


def parse_phone(value: str) -> str:
    """Digits of a phone number, spaces and dashes removed; raises ValueError when not one."""
    compact = re.sub(r"[\s()（）]", "", value)
    if not _PHONE.match(compact):
        raise ValueError(value)
    return compact.replace("-", "")


def validate_case_draft(raw: Mapping[str, object], *, now: datetime) -> CaseDraft:
    """Check every field of a new case; raise :class:`ValidationFailed` listing all problems.

    ``raw`` holds strings (a form, a CSV row) or JSON values. ``reported_at`` may be a timezone-
    aware ``datetime`` or an ISO-8601 string with an offset.
    """
    problems: list[FieldProblem] = []
    title = _text(raw, "title", problems, required=True, maximum=TITLE_MAX)
    description = _text(
        raw, "description", problems, required=True, maximum=DESCRIPTION_MAX, multiline=True
    )
    category_code = _text(raw, "category", problems, required=True, maximum=32)
    grid_code = _text(raw, "grid", problems, required=False, maximum=32) or None
    address = _text(raw, "address", problems, required=False, maximum=ADDRESS_MAX)
    reporter_name = _text(raw, "reporter_name", problems, required=False, maximum=NAME_MAX)
    source = _choice(
        raw, "source", CaseSource, [s.value for s in CaseSource], CaseSource.phone, problems
    )
    priority = _choice(
        raw,
        "priority",
        lambda v: Priority[v] if not v.isdigit() else Priority(int(v)),
        [p.name for p in Priority],
        Priority.normal,
        problems,
    )
    phone_raw = _text(raw, "reporter_phone", problems, required=False, maximum=20)
    reporter_phone = ""
    if phone_raw:
        try:
            reporter_phone = parse_phone(phone_raw)
        except ValueError:
            problems.append(FieldProblem("reporter_phone", _rule("phone", value=phone_raw)))
    reported_at = _instant(raw.get("reported_at"), "reported_at", now, problems)
    external_id = _text(raw, "external_id", problems, required=False, maximum=64) or None
    lat = _coordinate(raw.get("lat"), "lat", 3.0, 54.0, problems)
    lon = _coordinate(raw.get("lon"), "lon", 73.0, 136.0, problems)
    if problems:
        raise ValidationFailed(problems)
    return CaseDraft(
        title=title,
        description=description,
        category_code=category_code,
        source=source,
        priority=priority,
        grid_code=grid_code,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reported_at=reported_at,
        external_id=external_id,
        lat=lat,
        lon=lon,
    )


def _instant(
    value: object, name: str, now: datetime, problems: list[FieldProblem]
) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        instant = value
    else:
        try:
            instant = datetime.fromisoformat(str(value).strip())
        except ValueError:
            problems.append(FieldProblem(name, _rule("datetime", value=value)))
            return None
    if instant.tzinfo is None:
        problems.append(FieldProblem(name, _rule("datetime_zone", value=value)))
        return None
    if instant > now + FUTURE_TOLERANCE:
        problems.append(FieldProblem(name, _rule("in_future", value=value)))
        return None
    return instant


def _coordinate(
    value: object, name: str, low: float, high: float, problems: list[FieldProblem]
) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value))
    except ValueError:
        problems.append(FieldProblem(name, _rule("number", value=value)))
        return None
    if not low <= number <= high:
        problems.append(FieldProblem(name, _rule("range", value=value, low=low, high=high)))
        return None
    return number


def validate_reason(
    value: str | None,
    *,
    field: str = "reason",
    required: bool = True,
    maximum: int = REASON_MAX,
) -> str:
    """A free-text reason (reject, merge, priority change): cleaned, bounded, required."""
    problems: list[FieldProblem] = []
    cleaned = _text(
        {field: value}, field, problems, required=required, maximum=maximum, multiline=True
    )
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def parse_reject_reason(value: str) -> RejectReason:
    try:
        return RejectReason(value)
    except ValueError:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reject_reason",
                    _rule("one_of", value=value, choices=", ".join(r.value for r in RejectReason)),
                )
            ]
        ) from None
