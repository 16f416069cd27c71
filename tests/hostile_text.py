"""Hostile strings, generated from a seed: markup, terminal control sequences, bidi and zero-width
characters, combining floods and sizes at the fields' limits.

Every control sequence planted carries a unique token, so a test can tell its bytes apart from
the console's own: :attr:`HostileText.forbidden` lists the exact byte strings that must never reach
the terminal. The text is built to fit a field: once cleaned (what the services store), it is at
most ``maximum`` characters and not empty.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field

from gridconsole.domain.text import clean_text

# Rich/Textual markup that does something when parsed: styles, actions, links, variables.
MARKUP = (
    "[bold]",
    "[/]",
    "[/",
    "[/bold]",
    "[bold red on blue]",
    "[@click=app.quit]退出[/]",
    "[@click=app.screenshot]截图[/]",
    "[@click=screen.dismiss]",
    "[ @click = app.quit ]x[/]",
    "[$accent @click=app.quit]x[/]",
    "[link=https://evil.example/x]链接[/link]",
    "[link='file:///etc/passwd']",
    "$accent",
    "[$text-error]",
    "\\[bold]",
    "[[",
    "]]",
    ":smile:",
    "[reverse blink]",
    "[b][i][u][s]",
    "[@click=app.bell()]",
    "[@click=app.copy_to_clipboard('x')]",
)
PLAIN = (
    "张三",
    "漏水",
    "噪音扰民",
    "中山东路18号",
    "居民反映",
    "025-8421",
    "😀",
    "ｗｉｄｅ",
    "a",
    " ",
    "\n",
    "\t",
    "--",
)
UNICODE_TRAPS = (
    "\u202e",  # right-to-left override
    "\u202a",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2069",
    "\u200b",  # zero-width space
    "\u200d",
    "\u200e",
    "\u200f",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u0085",
    "\u061c",
    "\U000e0041",  # tag character
    "\ufff9",
)


@dataclass
class HostileText:
    """One generated string and the byte strings of the sequences planted in it."""

    raw: str
    forbidden: list[bytes] = field(default_factory=list)


class HostileGenerator:
    """Seeded: the same seed gives the same strings and tokens."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.seed = seed
        self.serial = 0

    def token(self) -> str:
        self.serial += 1
        return f"HX{self.seed:03d}Q{self.serial:06d}"

    def _sequence(self) -> tuple[str, bytes | None]:
        """A terminal control sequence with a unique token where it can carry one."""
        tok = self.token()
        body = base64.b64encode(f"clipboard {tok}".encode()).decode()
        number = str(8_000_000 + self.serial)
        choices: list[tuple[str, bool]] = [
            (f"\x1b]52;c;{body}\x07", True),  # OSC 52: write the clipboard
            (f"\x1b]52;c;{body}\x1b\\", True),
            (f"\x9d52;c;{body}\x9c", True),  # the 8-bit OSC
            (f"\x1b]8;;https://evil.example/{tok}\x1b\\链接\x1b]8;;\x1b\\", True),  # OSC 8
            (f"\x1b]0;{tok}\x07", True),  # window title
            (f"\x1bP{tok}\x1b\\", True),  # DCS
            (f"\x1b[{number}m", True),  # CSI with a unique parameter
            (f"\x9b{number}m", True),  # the 8-bit CSI
            (f"\x1b[{number};1H", True),
            ("\x1b[2J", False),
            ("\x1b[6n", False),  # device status: the terminal would type an answer
            ("\x1bc", False),  # full reset
            ("\x1b[?1049l", False),
            ("\x1b[?1000h", False),
            ("\x07", False),
            ("\x08\x08\x08", False),
            ("\x00", False),
            ("\x7f", False),
            ("\r", False),
            ("\x1b", False),
        ]
        text, unique = self.random.choice(choices)
        return text, text.encode("utf-8") if unique else None

    def _fragment(self, planted: list[bytes]) -> str:
        kind = self.random.random()
        if kind < 0.3:
            return self.random.choice(MARKUP)
        if kind < 0.55:
            text, forbidden = self._sequence()
            if forbidden is not None:
                planted.append(forbidden)
            return text
        if kind < 0.7:
            return self.random.choice(UNICODE_TRAPS)
        if kind < 0.75:
            base = self.random.choice("aeo张")
            return base + "".join(
                self.random.choice("\u0301\u0300\u0308\u20dd\u0489")
                for _ in range(self.random.randint(5, 300))
            )
        return self.random.choice(PLAIN)

    def text(self, maximum: int, *, multiline: bool = False, fill: bool = False) -> HostileText:
        """A string that fits ``maximum`` characters once cleaned; ``fill`` grows it to the
        limit (the huge sizes)."""
        planted: list[bytes] = []
        parts: list[str] = []
        target = maximum if fill else self.random.randint(1, min(maximum, 40))
        length = 0
        for _ in range(400):
            fragment = self._fragment(planted)
            candidate = clean_text("".join((*parts, fragment)), multiline=multiline)
            if len(candidate) > maximum:
                if planted and fragment.encode("utf-8") in planted[-1:]:
                    planted.pop()
                break
            parts.append(fragment)
            length = len(candidate)
            if length >= target:
                break
        if not clean_text("".join(parts), multiline=multiline):
            parts.append("字")  # a required field must not clean to nothing
        raw = "".join(parts)
        return HostileText(raw, [item for item in planted if item in raw.encode("utf-8")])


ALWAYS_FORBIDDEN = (
    b"\x1b]52",  # the console never writes the clipboard while being looked at
    b"\xc2\x9b",  # 8-bit CSI, OSC, DCS, ST as UTF-8: the console's own sequences are 7-bit
    b"\xc2\x9d",
    b"\xc2\x90",
    b"\xc2\x9c",
    b"\x1b]8;;https://evil.example",  # a link the data asked for
    b"\x1b[6n",
    b"\x1bc",
)
