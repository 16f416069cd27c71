"""Masking of personal data (Art. 17): shown masked unless revealed with permission."""

from __future__ import annotations

import re

from gridconsole.domain.text import display_text


def mask_phone(phone: str | None) -> str:
    """``13812341234`` → ``138****1234``; short or odd numbers keep only their last four digits."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
    if len(phone) > 4:
        return f"{'*' * (len(phone) - 4)}{phone[-4:]}"
    return "*" * len(phone)


def mask_id_number(id_number: str | None) -> str:
    """``320102199001011234`` → ``3201**********1234``."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"


def mask_name(name: str | None) -> str:
    """``张三丰`` → ``张**``: for reporters' names where the centre configures it."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


# A mainland mobile (11 digits from 13–19) or an 18-character 居民身份证 number standing alone in
# free text: a description or a note often quotes one ("请联系 13812341234").  Digits on either
# side make it part of something else (a 15-digit grid code, a case code), which stays.
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def mask_numbers_in_text(text: str) -> str:
    """``text`` with every mobile and ID number in it masked as the fields are."""
    text = _ID_IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)
    return _MOBILE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)


def masked_text(value: str | None) -> str:
    """Stored free text for a terminal or a log line: cleaned (``display_text``) and any mobile
    or ID number quoted in it masked."""
    return mask_numbers_in_text(display_text(value))
