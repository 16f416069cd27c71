"""Identifiers of the roster: 居民身份证 numbers, mobile numbers and grid codes.

Each parser returns the normalised value or raises :class:`ValueError` whose first argument is
the ``rule.*`` / ``roster.rule.*`` catalog key of the problem; the callers turn it into a
:class:`~gridconsole.domain.errors.FieldProblem` in the operator's language.

The ID number check follows GB 11643-1999: six digits of the area of first registration, the
birth date ``YYYYMMDD``, a three-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check
character (``0``–``9`` or ``X``). Permanent residence cards of foreigners (2023 format) begin
with ``9`` and pass the same check: they are valid numbers, but not of citizens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ID_LENGTH = 18
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# provinces (GB/T 2260) and the residence permits of Hong Kong, Macao and Taiwan residents (81–83);
# 91 and 9x: foreigners' permanent residence cards
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
FOREIGNER_PREFIX = "9"
EARLIEST_BIRTH = date(1900, 1, 1)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# mainland mobile numbers: 11 digits starting 13–19 (an optional +86 / 86 country prefix)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    if len(first17) != ID_LENGTH - 1 or not first17.isdigit():
        raise ValueError("roster.rule.id_shape")
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    """A checked 居民身份证 number and what it says of its holder."""

    number: str
    birth_date: date
    male: bool
    foreigner: bool  # a foreigner's permanent residence card (9…), not a citizen's card

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def age_on(birth: date, day: date) -> int:
    """Full years from ``birth`` to ``day`` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def parse_id_number(value: str, *, today: date) -> IdNumber:
    """The ID number in ``value`` (spaces dropped, ``x`` upper-cased), checked.

    Raises ``ValueError(key)``: ``roster.rule.id_shape`` (not 18 digits / X),
    ``roster.rule.id_area`` (no such province), ``roster.rule.id_birth`` (no such date, before
    1900 or after ``today``), ``roster.rule.id_checksum`` (the check character is wrong).
    """
    number = re.sub(r"\s+", "", value).upper()
    if not _ID_SHAPE.match(number):
        raise ValueError("roster.rule.id_shape")
    foreigner = number.startswith(FOREIGNER_PREFIX)
    if not foreigner and number[:2] not in PROVINCE_CODES:
        raise ValueError("roster.rule.id_area")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("roster.rule.id_birth") from None
    if not EARLIEST_BIRTH <= birth <= today:
        raise ValueError("roster.rule.id_birth")
    if id_check_character(number[:17]) != number[17]:
        raise ValueError("roster.rule.id_checksum")
    return IdNumber(number, birth, male=int(number[16]) % 2 == 1, foreigner=foreigner)


def parse_mobile(value: str) -> str:
    """The 11 digits of a mainland mobile number (spaces, dashes and a +86 prefix dropped).

    Raises ``ValueError("roster.rule.mobile")``.
    """
    compact = re.sub(r"[\s\-()（）]", "", value)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if not _MOBILE.match(compact):
        raise ValueError("roster.rule.mobile")
    return compact


# -- grid codes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCodeRule:
    """How grid codes are made (Art. 8: the province's coding standard, set by the city).

    By default the community's 12-digit division code followed by a ``sequence_digits`` sequence
    number (not all zeros). A ``pattern`` (a regular expression the whole code must match)
    replaces the default where the city codes otherwise.
    """

    sequence_digits: int = 3
    pattern: str = ""

    def check(self, code: str, community_code: str) -> str:
        """``code`` stripped, or ``ValueError(key)``: ``roster.rule.grid_code_pattern`` (the
        configured pattern refuses it), ``roster.rule.grid_code_shape`` (not digits of the right
        length), ``roster.rule.grid_code_community`` (not under the community's code),
        ``roster.rule.grid_code_sequence`` (sequence zero)."""
        code = code.strip()
        if self.pattern:
            if not re.fullmatch(self.pattern, code):
                raise ValueError("roster.rule.grid_code_pattern")
            return code
        if not code.isascii() or not code.isdigit() or len(code) != self.length(community_code):
            raise ValueError("roster.rule.grid_code_shape")
        if not code.startswith(community_code):
            raise ValueError("roster.rule.grid_code_community")
        if int(code[len(community_code) :]) == 0:
            raise ValueError("roster.rule.grid_code_sequence")
        return code

    def length(self, community_code: str) -> int:
        return len(community_code) + self.sequence_digits

    def make(self, community_code: str, sequence: int) -> str:
        """The default rule's code for ``sequence`` in the community."""
        if not 1 <= sequence < 10**self.sequence_digits:
            raise ValueError("roster.rule.grid_code_sequence")
        return f"{community_code}{sequence:0{self.sequence_digits}d}"


def is_urban_community(community_code: str) -> bool:
    """Whether a 12-digit village-level division code is a 居民委员会 (urban community).

    Statistical division codes number 居委会 001–199 and 村委会 200–399 at the village level;
    Art. 13 requires a full-time worker in every urban comprehensive grid. Codes of another shape
    are taken as urban (the stricter reading).
    """
    if len(community_code) != 12 or not community_code.isdigit():
        return True
    return 1 <= int(community_code[9:]) <= 199
