"""UI and error strings: one catalog per language (``zh.toml``, ``en.toml``), none inline.

``t("state.closed")`` looks a key up in the active locale; parameters are filled with
``str.format``. A missing key is a programming error and raises ``KeyError`` so tests catch it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from gridconsole.config import LOCALES, Locale

_active: Locale = "zh"


def _flatten(prefix: str, table: dict[str, Any], into: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, into)
        else:
            into[full] = str(value)


@cache
def catalog(locale: Locale) -> dict[str, str]:
    """Every key of one language, flattened to dotted names."""
    text = resources.files(__package__).joinpath(f"{locale}.toml").read_text(encoding="utf-8")
    flat: dict[str, str] = {}
    _flatten("", tomllib.loads(text), flat)
    return flat


def set_locale(locale: Locale) -> None:
    global _active
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    _active = locale


def get_locale() -> Locale:
    return _active


def t(key: str, /, **params: object) -> str:
    """The text for ``key`` in the active locale."""
    return t_in(_active, key, **params)


def t_in(locale: Locale, key: str, /, **params: object) -> str:
    """The text for ``key`` in ``locale``."""
    template = catalog(locale)[key]
    return template.format(**params) if params else template
