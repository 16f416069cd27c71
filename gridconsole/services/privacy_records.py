"""Plain data of a reveal, for the views (importing it costs no database driver)."""

from __future__ import annotations

from dataclasses import dataclass

from gridconsole.domain.enums import PersonalField


@dataclass(frozen=True)
class Revealed:
    """What one reveal showed: each field the operator's role may see, by field."""

    subject: str
    values: dict[PersonalField, str]
