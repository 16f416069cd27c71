"""What verifying the audit chain finds, and the anchors that pin its head outside the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ANCHOR = re.compile(r"^(?:\S+\s+)?seq=(\d+)\s+hash=([0-9a-f]{64})\s*$")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str

    def line(self, at_text: str) -> str:
        return f"{at_text} seq={self.seq} hash={self.hash}"


@dataclass(frozen=True)
class ChainVerdict:
    entries: int  # entries checked
    head: Anchor | None  # the last entry seen
    bad_seq: int | None = None  # the first entry found wrong (or where one is missing)
    problem: str = ""  # what is wrong there, in English for logs; the CLI translates the kind
    kind: str = ""  # edited | missing | reordered | inserted | truncated | ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def parse_anchors(lines: Iterable[str]) -> list[Anchor]:
    """Anchors from a handover file: one ``<time> seq=N hash=H`` per line, blanks and # ignored.

    Raises ValueError naming the line that is not an anchor.
    """
    anchors: list[Anchor] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ANCHOR.match(stripped)
        if match is None:
            raise ValueError(f"line {number}: not an anchor (expected '… seq=N hash=<64 hex>')")
        anchors.append(Anchor(int(match.group(1)), match.group(2)))
    return anchors
