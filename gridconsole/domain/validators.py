"""Field rules for what people type and files carry; each problem names the field and the rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from gridconsole.domain.enums import CaseSource, EscalationKind, Priority, RejectReason, Severity
from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t

TITLE_MAX = 60
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 200
NAME_MAX = 40
REASON_MAX = 500
# people involved in one matter: a mass incident is counted in tens or hundreds; a figure beyond
# this is a typing slip, not a crowd
PEOPLE_MAX = 100_000
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
    # how many people the matter involves, where the reporter knows (escalation proposals)
    people_involved: int | None = None
    # raised onto the escalation board with the new case (Art. 30): kind and severity together
    escalation_kind: EscalationKind | None = None
    severity: Severity | None = None
    escalation_reason: str = ""

    @property
    def escalates(self) -> bool:
        return self.escalation_kind is not None and self.severity is not None


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
    people_involved = _count(raw.get("people_involved"), "people_involved", PEOPLE_MAX, problems)
    escalation_kind = _choice(
        raw,
        "escalation_kind",
        EscalationKind,
        [kind.value for kind in EscalationKind],
        None,
        problems,
    )
    severity = _choice(
        raw, "severity", Severity, [severity.value for severity in Severity], None, problems
    )
    if (escalation_kind is None) != (severity is None) and not any(
        problem.field in ("escalation_kind", "severity") for problem in problems
    ):
        missing = "severity" if severity is None else "escalation_kind"
        problems.append(FieldProblem(missing, _rule("escalation_needs_both")))
    escalation_reason = _text(
        raw, "escalation_reason", problems, required=False, maximum=REASON_MAX, multiline=True
    )
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
        people_involved=people_involved,
        escalation_kind=escalation_kind,
        severity=severity,
        escalation_reason=escalation_reason,
    )


def _count(value: object, name: str, maximum: int, problems: list[FieldProblem]) -> int | None:
    """A whole number from 0 to ``maximum`` (a form's text, a CSV cell, a JSON number)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(FieldProblem(name, _rule("whole_number", value=value)))
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not text.isascii() or not text.lstrip("-").isdigit():
            problems.append(FieldProblem(name, _rule("whole_number", value=value)))
            return None
        if len(text) > len(str(maximum)) + 1:  # no need to read a thousand digits to refuse them
            problems.append(
                FieldProblem(name, _rule("range", value=text[:12] + "…", low=0, high=maximum))
            )
            return None
        number = int(text)
    if not 0 <= number <= maximum:
        problems.append(FieldProblem(name, _rule("range", value=value, low=0, high=maximum)))
        return None
    return number


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
