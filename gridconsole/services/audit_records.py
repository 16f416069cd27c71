"""Plain data of the audit log as the services return it (no database types)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    case_code: str | None = None
    action_prefix: str | None = None  # "auth." matches every login entry
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    username: str
    display_name: str
    role: str
    action: str
    case_code: str
    subject: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    next_before: int | None  # the seq to continue below (newest first); None: last page
