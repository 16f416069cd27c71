"""What a local password must be: long enough to resist guessing, short enough to type, and
free of control characters (a terminal would act on them, and they cannot be typed back)."""

from __future__ import annotations

import unicodedata

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def password_problem(password: str) -> str | None:
    """The catalog key of the rule ``password`` breaks, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "auth.rule.password_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "auth.rule.password_long"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in password):
        return "auth.rule.password_control"
    if not password.strip():
        return "auth.rule.password_blank"
    return None
