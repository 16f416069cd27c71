"""The roster's rules: identifiers, eligibility (Art. 14), coverage (Art. 12, 13), pinyin keys."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gridconsole.domain.enums import GridKind, WorkerRole, WorkerStatus
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.identifiers import (
    GridCodeRule,
    age_on,
    id_check_character,
    is_urban_community,
    parse_id_number,
    parse_mobile,
)
from gridconsole.domain.pinyin_keys import search_keys, search_needle
from gridconsole.domain.privacy import mask_id_number, mask_phone
from gridconsole.domain.roster import (
    MINIMUM_AGE,
    CoverageIssue,
    CoverageRule,
    EligibilityDeclaration,
    EligibilityRule,
    GridStaffing,
    StoredNumbers,
    WorkerLoad,
    check_coverage,
    check_eligibility,
    parse_flag,
    split_codes,
    validate_grid,
    validate_worker,
)

TODAY = date(2026, 11, 29)
AREAS = ("320102", "320104", "110105", "440305", "810000", "710000")


def make_id(area: str, birth: date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
id_numbers = st.builds(make_id, st.sampled_from(AREAS), births, st.integers(0, 999))


# -- ID numbers -------------------------------------------------------------------------------


def test_known_id_number_and_derived_facts() -> None:
    # the GB 11643 example number
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.birth_date == date(1949, 12, 31)
    assert not parsed.male  # 17th digit 2: a woman
    assert parsed.age_on(TODAY) == 76
    assert not parsed.foreigner


@given(id_numbers)
def test_every_well_made_number_parses_to_its_birth_date(number: str) -> None:
    parsed = parse_id_number(number.lower(), today=TODAY)  # a lower-case x is accepted
    assert parsed.number == number
    assert parsed.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.male == (int(number[16]) % 2 == 1)


@given(id_numbers, st.integers(0, 16), st.integers(1, 9))
def test_any_changed_digit_is_caught_by_the_checksum(
    number: str, position: int, delta: int
) -> None:
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValueError, match=r"roster\.rule\.id_"):
        parse_id_number(changed, today=TODAY)


@given(id_numbers)
def test_a_swap_of_two_different_neighbours_is_caught(number: str) -> None:
    for position in range(16):
        a, b = number[position], number[position + 1]
        if a != b:
            swapped = number[:position] + b + a + number[position + 2 :]
            with pytest.raises(ValueError, match=r"roster\.rule\.id_"):
                parse_id_number(swapped, today=TODAY)
            return


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("3201021990010112", "id_shape"),
        ("32010219900101123Y", "id_shape"),
        ("000102199001011234", "id_area"),
        (make_id("320102", date(2000, 1, 1), 1)[:10] + "0230" + "0011", "id_birth"),
        (make_id("320102", TODAY + timedelta(days=1), 1), "id_birth"),
        (make_id("320102", date(1899, 12, 31), 1), "id_birth"),
    ],
)
def test_bad_id_numbers_name_their_rule(value: str, rule: str) -> None:
    with pytest.raises(ValueError, match=f"roster.rule.{rule}"):
        parse_id_number(value, today=TODAY)


def test_foreigners_permanent_residence_card_is_valid_but_not_a_citizen() -> None:
    parsed = parse_id_number(make_id("932000", date(1990, 5, 1), 11), today=TODAY)
    assert parsed.foreigner


@given(births, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_age_counts_full_years(birth: date, day: date) -> None:
    age = age_on(birth, day)
    if day >= birth:
        assert age >= 0

        # the birthday of age+1 is after day, and the birthday of age is not
        def birthday(years: int) -> date:
            try:
                return birth.replace(year=birth.year + years)
            except ValueError:  # 29 February
                return date(birth.year + years, 3, 1)

        if birth.year + age + 1 <= 9999:
            assert birthday(age + 1) > day
        assert birthday(age) <= day


def test_leap_day_birthday_counts_on_first_of_march() -> None:
    birth = date(2008, 2, 29)
    assert age_on(birth, date(2026, 2, 28)) == 17
    assert age_on(birth, date(2026, 3, 1)) == 18


# -- mobiles and grid codes ------------------------------------------------------------------


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_mobiles_parse_with_separators_and_country_code(second: str, rest: str) -> None:
    number = f"1{second}{rest}"
    assert parse_mobile(number) == number
    assert parse_mobile(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number
    assert parse_mobile(f"86{number}") == number
    assert mask_phone(number) == f"{number[:3]}****{number[-4:]}"


@pytest.mark.parametrize("value", ["12812341234", "1381234123", "138123412345", "025-84001234", ""])
def test_bad_mobiles_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"roster\.rule\.mobile"):
        parse_mobile(value)


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 999))
def test_default_grid_codes_round_trip(community: str, sequence: int) -> None:
    rule = GridCodeRule()
    code = rule.make(community, sequence)
    assert rule.check(code, community) == code
    assert len(code) == 15


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("32010200200100", "grid_code_shape"),
        ("32010200200100A", "grid_code_shape"),
        ("320102002002001", "grid_code_community"),
        ("320102002001000", "grid_code_sequence"),
    ],
)
def test_bad_grid_codes_name_their_rule(code: str, key: str) -> None:
    with pytest.raises(ValueError, match=key):
        GridCodeRule().check(code, "320102002001")


def test_configured_pattern_replaces_the_default_rule() -> None:
    rule = GridCodeRule(pattern=r"MY-\d{4}")
    assert rule.check("MY-0012", "320102002001") == "MY-0012"
    with pytest.raises(ValueError, match="grid_code_pattern"):
        rule.check("320102002001001", "320102002001")


def test_urban_and_rural_communities_by_division_code() -> None:
    assert is_urban_community("320102002001")  # 居委会 001–199
    assert not is_urban_community("320115101201")  # 村委会 200–399


def test_id_masking_is_the_privacy_module_s() -> None:
    assert mask_id_number("320102199001011234") == "3201**********1234"


# -- worker fields and eligibility -----------------------------------------------------------


def worker_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": "张三",
        "role": "full_time",
        "mobile": "13812341234",
        "id_number": make_id("320102", date(1990, 1, 1), 11),
        "grids": "320102002001001, 320102002001002",
    }
    fields.update(overrides)
    return fields


def test_a_full_time_worker_validates_and_lists_grids() -> None:
    draft = validate_worker(worker_fields(citizen="是", criminal="否"), today=TODAY)
    assert draft.role is WorkerRole.full_time
    assert draft.status is WorkerStatus.active
    assert draft.grid_codes == ("320102002001001", "320102002001002")
    assert draft.declaration.citizen is True
    assert draft.declaration.criminal is False
    assert draft.declaration.detention is None


def test_worker_problems_are_all_reported_by_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_worker(
            {"name": "", "role": "full_time", "mobile": "123", "citizen": "maybe"}, today=TODAY
        )
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["name", "mobile", "id_number", "citizen"]


def test_part_time_needs_a_category_and_roles_read_in_chinese() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_worker(worker_fields(role="兼职网格员", id_number=""), today=TODAY)
    assert [problem.field for problem in caught.value.problems] == ["part_time_category"]
    draft = validate_worker(
        worker_fields(role="兼职网格员", part_time_category="志愿者", mobile=""), today=TODAY
    )
    assert draft.part_time_category == "志愿者"


def test_a_change_keeps_a_stored_number_not_given_and_clears_an_empty_one() -> None:
    stored = StoredNumbers(mobile="13900001111", id_number=make_id("320102", date(1980, 5, 5), 7))
    part_time = {"role": "part_time", "part_time_category": "志愿者"}
    # absent or None: the stored numbers, parsed (the ID number's birth date with them)
    for extra in ({}, {"mobile": None, "id_number": None}):
        fields = worker_fields(**part_time)
        del fields["mobile"], fields["id_number"]
        draft = validate_worker({**fields, **extra}, today=TODAY, stored=stored)
        assert draft.mobile == "13900001111"
        assert draft.id_number is not None
        assert draft.id_number.number == stored.id_number
        assert draft.id_number.birth_date == date(1980, 5, 5)
    # "" clears; text replaces
    draft = validate_worker(
        worker_fields(**part_time, mobile="", id_number=""), today=TODAY, stored=stored
    )
    assert (draft.mobile, draft.id_number) == ("", None)
    draft = validate_worker(
        worker_fields(**part_time, mobile="139 0000 2222", id_number=None),
        today=TODAY,
        stored=stored,
    )
    assert draft.mobile == "13900002222"
    assert draft.id_number is not None
    assert draft.id_number.number == stored.id_number
    # without stored numbers (a new worker, an import) absent is none
    fields = worker_fields(**part_time)
    del fields["mobile"]
    assert validate_worker(fields, today=TODAY).mobile == ""


def test_a_kept_number_that_no_longer_passes_is_named_masked() -> None:
    valid = make_id("320102", date(1990, 1, 1), 123)
    wrong_check = valid[:-1] + ("1" if valid[-1] == "0" else "0")
    stored = StoredNumbers(mobile="12345678901", id_number=wrong_check)
    fields = worker_fields()
    del fields["mobile"], fields["id_number"]
    with pytest.raises(ValidationFailed) as caught:
        validate_worker(fields, today=TODAY, stored=stored)
    messages = {problem.field: problem.message for problem in caught.value.problems}
    assert set(messages) == {"mobile", "id_number"}
    assert "123****8901" in messages["mobile"]
    assert mask_id_number(wrong_check) in messages["id_number"]
    assert "12345678901" not in str(caught.value)
    assert wrong_check not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"citizen": False}, EligibilityRule.citizen),
        ({"criminal": True}, EligibilityRule.criminal),
        ({"detention": True}, EligibilityRule.detention),
        ({"dismissal": True}, EligibilityRule.dismissal),
        ({"dishonesty": True}, EligibilityRule.dishonesty),
    ],
)
def test_each_disqualifying_declaration_refuses_with_its_rule(
    overrides: dict[str, bool], rule: EligibilityRule
) -> None:
    id_number = parse_id_number(make_id("320102", date(1990, 1, 1), 11), today=TODAY)
    clean = EligibilityDeclaration.clean()
    declaration = EligibilityDeclaration(**{**clean.__dict__, **overrides})
    refusals = check_eligibility(id_number, declaration, TODAY)
    assert [refusal.rule for refusal in refusals] == [rule]
    assert "第十四条" in str(refusals[0])


@given(st.integers(0, 40))
def test_age_rule_refuses_under_18_and_only_then(years: int) -> None:
    birth = date(TODAY.year - years, TODAY.month, TODAY.day)
    id_number = parse_id_number(make_id("320102", birth, 11), today=TODAY)
    refusals = check_eligibility(id_number, EligibilityDeclaration.clean(), TODAY)
    assert bool(refusals) == (years < MINIMUM_AGE)
    if refusals:
        assert refusals[0].rule is EligibilityRule.age
        assert f"现年 {years} 岁" in str(refusals[0])


def test_the_day_before_the_eighteenth_birthday_is_refused() -> None:
    birth = date(2008, 11, 30)
    id_number = parse_id_number(make_id("320102", birth, 11), today=TODAY)
    assert check_eligibility(id_number, EligibilityDeclaration.clean(), TODAY)
    assert not check_eligibility(id_number, EligibilityDeclaration.clean(), date(2026, 11, 30))


def test_nothing_declared_refuses_every_declared_rule_as_undeclared() -> None:
    refusals = check_eligibility(None, EligibilityDeclaration(), TODAY)
    assert [refusal.rule for refusal in refusals] == list(EligibilityRule)
    assert all(refusal.undeclared for refusal in refusals)
    assert str(refusals[0]).startswith("未声明")


def test_a_foreigner_is_refused_as_not_a_citizen_even_when_declared() -> None:
    id_number = parse_id_number(make_id("932000", date(1990, 5, 1), 11), today=TODAY)
    refusals = check_eligibility(id_number, EligibilityDeclaration.clean(), TODAY)
    assert [refusal.rule for refusal in refusals] == [EligibilityRule.citizen]


@given(
    st.fixed_dictionaries(
        {rule.value: st.none() | st.booleans() for rule in list(EligibilityRule)[1:]}
    )
)
def test_eligible_exactly_when_every_answer_is_the_good_one(
    answers: dict[str, bool | None],
) -> None:
    id_number = parse_id_number(make_id("320102", date(1990, 1, 1), 11), today=TODAY)
    refusals = check_eligibility(id_number, EligibilityDeclaration(**answers), TODAY)
    good = answers["citizen"] is True and all(
        answers[name] is False for name in ("criminal", "detention", "dismissal", "dishonesty")
    )
    assert (not refusals) == good


@pytest.mark.parametrize(
    ("text", "value"), [("是", True), ("否", False), ("Y", True), ("no", False), ("", None)]
)
def test_flags(text: str, value: bool | None) -> None:
    assert parse_flag(text) is value


def test_split_codes_accepts_chinese_separators_and_drops_repeats() -> None:
    assert split_codes("A，B；C、A B") == ("A", "B", "C")


# -- grids ------------------------------------------------------------------------------------


def test_grid_fields() -> None:
    draft = validate_grid(
        {"code": "320102002001003", "name": "第三网格", "kind": "综合网格", "households": "410"},
        community_code="320102002001",
        rule=GridCodeRule(),
    )
    assert draft.kind is GridKind.comprehensive
    assert draft.households == 410
    with pytest.raises(ValidationFailed) as caught:
        validate_grid(
            {"code": "999", "name": "", "kind": "dedicated", "households": "-1"},
            community_code="320102002001",
            rule=GridCodeRule(),
        )
    assert [problem.field for problem in caught.value.problems] == [
        "code",
        "name",
        "households",
        "unit_name",
    ]


# -- coverage ---------------------------------------------------------------------------------


def staffing(**overrides: object) -> GridStaffing:
    values: dict[str, object] = {
        "code": "320102002001001",
        "name": "第一网格",
        "kind": GridKind.comprehensive,
        "community_code": "320102002001",
        "households": 420,
        "head_serving": True,
        "full_time_serving": 1,
    }
    values.update(overrides)
    return GridStaffing(**values)  # type: ignore[arg-type]


def issues(grid: GridStaffing, rule: CoverageRule | None = None) -> list[CoverageIssue]:
    return [finding.issue for finding in check_coverage([grid], [], rule or CoverageRule())]


def test_a_staffed_grid_has_no_findings() -> None:
    assert issues(staffing()) == []


def test_urban_comprehensive_grid_without_full_time_worker() -> None:
    assert issues(staffing(full_time_serving=0)) == [CoverageIssue.no_full_time]
    # a rural one (村委会) or a dedicated one is not required to have one
    assert issues(staffing(full_time_serving=0, community_code="320115101201")) == []
    assert issues(staffing(full_time_serving=0, kind=GridKind.dedicated)) == []


def test_grid_without_head() -> None:
    assert issues(staffing(head_serving=False)) == [CoverageIssue.no_head]


@given(st.integers(0, 2000))
def test_households_outside_the_range_is_a_warning(households: int) -> None:
    findings = check_coverage([staffing(households=households)], [], CoverageRule())
    assert bool(findings) == (not 300 <= households <= 500)
    assert all(finding.warning for finding in findings)


@given(st.integers(1, 6), st.integers(1, 10))
def test_worker_covering_more_grids_than_configured(maximum: int, grids: int) -> None:
    load = WorkerLoad(1, "张三", tuple(f"G{index}" for index in range(grids)))
    findings = check_coverage([], [load], CoverageRule(max_grids_per_worker=maximum))
    assert [finding.issue for finding in findings] == (
        [CoverageIssue.too_many_grids] if grids > maximum else []
    )


# -- pinyin keys ------------------------------------------------------------------------------


def test_pinyin_keys_of_a_name() -> None:
    keys = search_keys("张三")
    assert keys.pinyin == "zhangsan"
    assert keys.initials.split()[0] == "zs"


def test_heteronym_surname_adds_other_initials() -> None:
    keys = search_keys("曾小明")
    assert {"cxm", "zxm"} <= set(keys.initials.split())


def test_letters_and_digits_are_kept() -> None:
    keys = search_keys("A栋 3单元")
    assert keys.pinyin.startswith("adong3")
    assert keys.initials.split()[0] == "ad3dy"


@given(st.text(max_size=30))
@example("\uf900")  # a compatibility ideograph (豈): pypinyin gave it back as itself
@example("\U00030000")  # a character with no reading at all
def test_keys_are_bounded_lower_case_ascii(text: str) -> None:
    keys = search_keys(text)
    assert len(keys.pinyin) <= 200
    assert len(keys.initials) <= 100
    assert keys.pinyin == keys.pinyin.lower()
    assert keys.initials.isascii()


def test_needle() -> None:
    assert search_needle("  Z S ") == "zs"
