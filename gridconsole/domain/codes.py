"""Human case codes: ``JD-20261129-0042`` (street prefix, local date, daily sequence)."""

from __future__ import annotations

import re
from datetime import date

CASE_CODE_PATTERN = re.compile(r"^(?P<prefix>[A-Z]{2,6})-(?P<day>\d{8})-(?P<seq>\d{4,6})$")
STREET_PREFIX_PATTERN = re.compile(r"^[A-Z]{2,6}$")


def format_case_code(prefix: str, day: date, sequence: int) -> str:
    if not STREET_PREFIX_PATTERN.match(prefix):
        raise ValueError(f"street prefix {prefix!r} must be 2-6 capital letters")
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{prefix}-{day:%Y%m%d}-{sequence:04d}"


def is_case_code(value: str) -> bool:
    return CASE_CODE_PATTERN.match(value) is not None
