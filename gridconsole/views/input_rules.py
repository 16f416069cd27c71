"""Limits for what operators type: lengths from the domain validators, no control characters."""

from __future__ import annotations

from gridconsole.domain.validators import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
)

# Input(restrict=...) must match the whole value: any text without C0/C1 controls or DEL.
SINGLE_LINE = r"[^\x00-\x1f\x7f-\x9f]*"
SEARCH_MAX = 100
PHONE_MAX = 20
CASE_CODE_MAX = 24

__all__ = [
    "ADDRESS_MAX",
    "CASE_CODE_MAX",
    "DESCRIPTION_MAX",
    "NAME_MAX",
    "PHONE_MAX",
    "REASON_MAX",
    "SEARCH_MAX",
    "SINGLE_LINE",
    "TITLE_MAX",
]
