"""Masking of personal data (Art. 17): shown masked unless revealed with permission."""

from __future__ import annotations


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
