"""The roster's rules: what a grid and a grid worker must carry, who may be a full-time worker
(Art. 14) and whether the grids are covered (Art. 12, 13).

Pure functions over plain values: the services read the rows, these decide. Every refusal names
its rule, so the operator reads why in words and a test can assert which rule refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from gridconsole.domain.enums import GridKind, WorkerRole, WorkerStatus
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.identifiers import (
    GridCodeRule,
    IdNumber,
    is_urban_community,
    parse_id_number,
    parse_mobile,
)
from gridconsole.domain.privacy import mask_id_number, mask_phone
from gridconsole.domain.text import clean_text
from gridconsole.i18n import t

WORKER_NAME_MAX = 40
GRID_NAME_MAX = 64
UNIT_NAME_MAX = 128
AREA_MAX = 500
CATEGORY_MAX = 32
COMPLAINT_MAX = 2000
COMPLAINANT_MAX = 40
COUNT_MAX = 1_000_000
# Art. 14 (二): 年满十八周岁 — the law's figure, not local practice
MINIMUM_AGE = 18
# Art. 15: who serves part time ("等": others are allowed, these are offered)
PART_TIME_CATEGORIES: tuple[str, ...] = (
    "国家工作人员",
    "人大代表",
    "政协委员",
    "人民调解员",
    "居民代表",
    "志愿者",
)


E = TypeVar("E", bound=StrEnum)


# -- field rules ----------------------------------------------------------------------------------


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
    cleaned = "" if value is None else clean_text(str(value), multiline=multiline)
    if required and not cleaned:
        problems.append(FieldProblem(name, t("rule.required")))
    elif len(cleaned) > maximum:
        problems.append(
            FieldProblem(name, t("rule.too_long", maximum=maximum, length=len(cleaned)))
        )
    return cleaned


def _count(raw: Mapping[str, object], name: str, problems: list[FieldProblem]) -> int | None:
    """A non-negative whole number, or None when empty."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(FieldProblem(name, t("roster.rule.count", value=value)))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = int(str(value).strip())
    except ValueError:
        problems.append(FieldProblem(name, t("roster.rule.count", value=clean_text(str(value)))))
        return None
    if not 0 <= number <= COUNT_MAX:
        problems.append(FieldProblem(name, t("roster.rule.count", value=number)))
        return None
    return number


def _enum_value(
    raw: Mapping[str, object],
    name: str,
    enum: type[E],
    default: E | None,
    problems: list[FieldProblem],
) -> E | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            problems.append(FieldProblem(name, t("rule.required")))
        return default
    if isinstance(value, enum):
        return value
    text = clean_text(str(value))
    for member in enum:
        # the stored value, or its name in either language (a file typed by hand)
        if text in (member.value, t(f"roster.{enum.__name__}.{member.value}")):
            return member
    choices = ", ".join(member.value for member in enum)
    problems.append(FieldProblem(name, t("rule.one_of", value=text, choices=choices)))
    return default


def parse_flag(value: object) -> bool | None:
    """A declared yes/no: ``是``/``否``, ``yes``/``no``, ``y``/``n``, ``1``/``0``, true/false;
    None when empty; raises ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = clean_text(str(value)).lower()
    if not text:
        return None
    if text in ("是", "有", "yes", "y", "true", "1"):
        return True
    if text in ("否", "无", "no", "n", "false", "0"):
        return False
    raise ValueError(text)


# -- workers --------------------------------------------------------------------------------------


class EligibilityRule(StrEnum):
    """The conditions of Art. 14 the centre can check (the others — political stance,
    education, health — are judged when hiring, not here)."""

    age = "age"  # 年满十八周岁 (from the ID number)
    citizen = "citizen"  # 中华人民共和国公民
    criminal = "criminal"  # 受过刑事处罚或涉嫌犯罪尚未结案
    detention = "detention"  # 曾被行政拘留、司法拘留
    dismissal = "dismissal"  # 曾被国家机关、事业单位开除公职
    dishonesty = "dishonesty"  # 被依法列为失信联合惩戒对象


# the declared conditions: for citizen the good answer is yes, for the rest no
DECLARED_RULES: tuple[EligibilityRule, ...] = (
    EligibilityRule.citizen,
    EligibilityRule.criminal,
    EligibilityRule.detention,
    EligibilityRule.dismissal,
    EligibilityRule.dishonesty,
)


@dataclass(frozen=True)
class EligibilityDeclaration:
    """What a full-time worker declared (and the centre checked) for Art. 14, each yes / no;
    None where nothing was declared."""

    citizen: bool | None = None
    criminal: bool | None = None
    detention: bool | None = None
    dismissal: bool | None = None
    dishonesty: bool | None = None

    def answer(self, rule: EligibilityRule) -> bool | None:
        value: bool | None = getattr(self, rule.value)
        return value

    @property
    def complete(self) -> bool:
        return all(self.answer(rule) is not None for rule in DECLARED_RULES)

    @classmethod
    def clean(cls) -> EligibilityDeclaration:
        """A citizen with none of the disqualifying conditions."""
        return cls(citizen=True, criminal=False, detention=False, dismissal=False, dishonesty=False)


@dataclass(frozen=True)
class EligibilityRefusal:
    rule: EligibilityRule
    undeclared: bool = False  # refused because nothing was declared, not because of the answer
    age: int | None = None

    def __str__(self) -> str:
        if self.undeclared:
            return t("roster.eligibility.undeclared", what=t(f"roster.declaration.{self.rule}"))
        if self.rule is EligibilityRule.age and self.age is not None:
            return t("roster.eligibility.age", age=self.age, minimum=MINIMUM_AGE)
        return t(f"roster.eligibility.{self.rule}")


def check_eligibility(
    id_number: IdNumber | None, declaration: EligibilityDeclaration, today: date
) -> tuple[EligibilityRefusal, ...]:
    """Every Art. 14 condition a full-time worker fails, in the article's order (empty: eligible)."""
    refusals: list[EligibilityRefusal] = []
    if id_number is None:
        refusals.append(EligibilityRefusal(EligibilityRule.age, undeclared=True))
    else:
        age = id_number.age_on(today)
        if age < MINIMUM_AGE:
            refusals.append(EligibilityRefusal(EligibilityRule.age, age=age))
    citizen = declaration.citizen
    if citizen is None:
        refusals.append(EligibilityRefusal(EligibilityRule.citizen, undeclared=True))
    elif not citizen or (id_number is not None and id_number.foreigner):
        refusals.append(EligibilityRefusal(EligibilityRule.citizen))
    for rule in DECLARED_RULES[1:]:
        answer = declaration.answer(rule)
        if answer is None:
            refusals.append(EligibilityRefusal(rule, undeclared=True))
        elif answer:
            refusals.append(EligibilityRefusal(rule))
    return tuple(refusals)


class NotEligible(DomainError):
    """A full-time worker refused under Art. 14; ``refusals`` names each rule."""

    key = "roster.error.not_eligible"

    def __init__(self, name: str, refusals: Sequence[EligibilityRefusal]) -> None:
        super().__init__(name=name, reasons="；".join(str(refusal) for refusal in refusals))
        self.refusals = tuple(refusals)

    @property
    def rules(self) -> tuple[EligibilityRule, ...]:
        return tuple(refusal.rule for refusal in self.refusals)


@dataclass(frozen=True)
class WorkerDraft:
    """A grid worker as entered or imported, after the field rules."""

    name: str
    role: WorkerRole
    part_time_category: str | None
    mobile: str
    id_number: IdNumber | None
    status: WorkerStatus
    grid_codes: tuple[str, ...]
    declaration: EligibilityDeclaration


def split_codes(value: object) -> tuple[str, ...]:
    """Grid codes listed in one field, separated by spaces, commas or semicolons, in order."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        parts = [str(item) for item in value]
    else:
        text = str(value)
        for separator in ",，;；、":
            text = text.replace(separator, " ")
        parts = text.split()
    codes: list[str] = []
    for part in parts:
        code = clean_text(part)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


@dataclass(frozen=True)
class StoredNumbers:
    """A worker's mobile and ID number as stored ("" none): what a change keeps of them where
    it gives none. Read in the change's own transaction, never from what a form was shown."""

    mobile: str = ""
    id_number: str = ""


def _number(
    raw: Mapping[str, object],
    name: str,
    problems: list[FieldProblem],
    *,
    maximum: int,
    stored: str | None,
    mask: Callable[[str | None], str],
) -> tuple[str, str]:
    """The number to check, and how a problem names it: the text given; None or absent with a
    ``stored`` number, that number, named masked (an error line is no reveal)."""
    if raw.get(name) is None and stored is not None:
        return stored, mask(stored)
    text = _text(raw, name, problems, required=False, maximum=maximum)
    return text, text


def validate_worker(
    raw: Mapping[str, object], *, today: date, stored: StoredNumbers | None = None
) -> WorkerDraft:
    """Check every field of a grid worker; raise :class:`ValidationFailed` listing all problems.

    Field names: ``name``, ``role``, ``part_time_category``, ``mobile``, ``id_number``,
    ``status``, ``grids`` and the declarations ``citizen``, ``criminal``, ``detention``,
    ``dismissal``, ``dishonesty``. Eligibility itself is :func:`check_eligibility`'s.

    A change passes the worker's ``stored`` numbers: ``mobile`` or ``id_number`` absent or
    None keeps the stored one (checked again, as the whole record is), ``""`` clears it, any
    other text replaces it. Without ``stored`` (a new worker, an import) absent means none.
    """
    problems: list[FieldProblem] = []
    name = _text(raw, "name", problems, required=True, maximum=WORKER_NAME_MAX)
    role = _enum_value(raw, "role", WorkerRole, None, problems)
    status = _enum_value(raw, "status", WorkerStatus, WorkerStatus.active, problems)
    category = _text(raw, "part_time_category", problems, required=False, maximum=CATEGORY_MAX)
    if role is WorkerRole.part_time and not category:
        problems.append(FieldProblem("part_time_category", t("roster.rule.category_required")))
    mobile_text, mobile_named = _number(
        raw,
        "mobile",
        problems,
        maximum=20,
        stored=None if stored is None else stored.mobile,
        mask=mask_phone,
    )
    mobile = ""
    if mobile_text:
        try:
            mobile = parse_mobile(mobile_text)
        except ValueError as exc:
            problems.append(FieldProblem("mobile", t(str(exc), value=mobile_named)))
    elif role in (WorkerRole.grid_head, WorkerRole.full_time):
        # Art. 19: the head's and full-time workers' contact numbers are published
        problems.append(FieldProblem("mobile", t("roster.rule.mobile_required")))
    id_text, id_named = _number(
        raw,
        "id_number",
        problems,
        maximum=24,
        stored=None if stored is None else stored.id_number,
        mask=mask_id_number,
    )
    id_number: IdNumber | None = None
    if id_text:
        try:
            id_number = parse_id_number(id_text, today=today)
        except ValueError as exc:
            problems.append(FieldProblem("id_number", t(str(exc), value=id_named)))
    elif role is WorkerRole.full_time:
        problems.append(FieldProblem("id_number", t("roster.rule.id_required")))
    answers: dict[str, bool | None] = {}
    for rule in DECLARED_RULES:
        try:
            answers[rule.value] = parse_flag(raw.get(rule.value))
        except ValueError as exc:
            problems.append(FieldProblem(rule.value, t("roster.rule.flag", value=exc.args[0])))
            answers[rule.value] = None
    if problems or role is None or status is None:
        raise ValidationFailed(problems)
    return WorkerDraft(
        name=name,
        role=role,
        part_time_category=category or None if role is WorkerRole.part_time else None,
        mobile=mobile,
        id_number=id_number,
        status=status,
        grid_codes=split_codes(raw.get("grids")),
        declaration=EligibilityDeclaration(**answers),
    )


# -- grids ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridDraft:
    code: str
    name: str
    kind: GridKind
    unit_name: str | None
    households: int | None
    units: int | None
    staff: int | None
    area_description: str


def validate_grid(
    raw: Mapping[str, object], *, community_code: str | None, rule: GridCodeRule
) -> GridDraft:
    """Check every field of a grid (``code``, ``name``, ``kind``, ``unit_name``, ``households``,
    ``units``, ``staff``, ``area``); the code against ``rule`` for the grid's community
    (``community_code`` None: the community is unknown, reported by the caller)."""
    problems: list[FieldProblem] = []
    code = _text(raw, "code", problems, required=True, maximum=32)
    if code and community_code is not None:
        try:
            code = rule.check(code, community_code)
        except ValueError as exc:
            problems.append(
                FieldProblem(
                    "code",
                    t(
                        str(exc),
                        value=code,
                        community=community_code,
                        length=rule.length(community_code),
                        pattern=rule.pattern,
                    ),
                )
            )
    name = _text(raw, "name", problems, required=True, maximum=GRID_NAME_MAX)
    kind = _enum_value(raw, "kind", GridKind, GridKind.comprehensive, problems)
    unit_name = _text(raw, "unit_name", problems, required=False, maximum=UNIT_NAME_MAX)
    households = _count(raw, "households", problems)
    units = _count(raw, "units", problems)
    staff = _count(raw, "staff", problems)
    area = _text(raw, "area", problems, required=False, maximum=AREA_MAX, multiline=True)
    if kind is GridKind.dedicated and not unit_name:
        # Art. 6: a 专属 grid is an administrative centre, a park, an enterprise or institution
        problems.append(FieldProblem("unit_name", t("roster.rule.unit_required")))
    if problems or kind is None:
        raise ValidationFailed(problems)
    dedicated = kind is GridKind.dedicated
    return GridDraft(
        code=code,
        name=name,
        kind=kind,
        unit_name=unit_name or None if dedicated else None,
        households=None if dedicated else households,
        units=units if dedicated else None,
        staff=staff if dedicated else None,
        area_description=area,
    )


# -- coverage -------------------------------------------------------------------------------------


class CoverageIssue(StrEnum):
    no_full_time = "no_full_time"  # an urban comprehensive grid without a full-time worker
    no_head = "no_head"  # a grid without a (serving) head
    too_many_grids = "too_many_grids"  # a worker covering more grids than configured
    households = "households"  # households outside the usual range (a soft warning)


@dataclass(frozen=True)
class CoverageRule:
    """The coverage settings (local practice, configurable)."""

    max_grids_per_worker: int = 3
    households_low: int = 300
    households_high: int = 500


@dataclass(frozen=True)
class GridStaffing:
    """What coverage needs to know of one grid."""

    code: str
    name: str
    kind: GridKind
    community_code: str
    households: int | None
    head_serving: bool  # a head is named and has not left
    full_time_serving: int  # full-time workers covering it who have not left


@dataclass(frozen=True)
class WorkerLoad:
    worker_id: int
    name: str
    grid_codes: tuple[str, ...]


@dataclass(frozen=True)
class CoverageFinding:
    issue: CoverageIssue
    subject: str  # a grid code, or a worker's name
    subject_name: str  # the grid's name, or the worker's grids
    warning: bool  # a soft warning rather than a breach of the regulation
    detail: str  # what is wrong, in words

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_name}: {self.detail}"


def check_grid(grid: GridStaffing, rule: CoverageRule) -> tuple[CoverageFinding, ...]:
    """What is missing in one grid: its head (Art. 12), its full-time worker where the grid is
    an urban comprehensive one (Art. 13), households in the usual range (Art. 6, warning)."""
    findings: list[CoverageFinding] = []

    def add(issue: CoverageIssue, *, warning: bool = False, **params: object) -> None:
        detail = t(f"roster.coverage.{issue.value}", **params)
        findings.append(CoverageFinding(issue, grid.code, grid.name, warning, detail))

    if not grid.head_serving:
        add(CoverageIssue.no_head)
    comprehensive = grid.kind is GridKind.comprehensive
    if comprehensive and is_urban_community(grid.community_code) and not grid.full_time_serving:
        add(CoverageIssue.no_full_time)
    households = grid.households
    if comprehensive and households is not None:
        usual = rule.households_low <= households <= rule.households_high
        if not usual:
            add(
                CoverageIssue.households,
                warning=True,
                households=households,
                low=rule.households_low,
                high=rule.households_high,
            )
    return tuple(findings)


def check_load(load: WorkerLoad, rule: CoverageRule) -> CoverageFinding | None:
    """A worker covering more grids than ``rule`` allows."""
    if len(load.grid_codes) <= rule.max_grids_per_worker:
        return None
    detail = t(
        "roster.coverage.too_many_grids",
        count=len(load.grid_codes),
        maximum=rule.max_grids_per_worker,
    )
    return CoverageFinding(
        CoverageIssue.too_many_grids, load.name, " ".join(load.grid_codes), False, detail
    )


def check_coverage(
    grids: Sequence[GridStaffing], loads: Sequence[WorkerLoad], rule: CoverageRule
) -> tuple[CoverageFinding, ...]:
    """Every finding: grids by code, then workers by name; breaches before warnings in each."""
    found: list[CoverageFinding] = []
    for grid in sorted(grids, key=lambda item: item.code):
        found.extend(sorted(check_grid(grid, rule), key=lambda finding: finding.warning))
    for load in sorted(loads, key=lambda item: (item.name, item.worker_id)):
        finding = check_load(load, rule)
        if finding is not None:
            found.append(finding)
    return tuple(found)
