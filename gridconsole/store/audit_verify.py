"""Checking the audit chain: every entry's hash, its link to the one before, no gaps.

The log is read in pages of ``seq`` (never whole), so a chain of millions verifies in constant
memory. An anchor (``seq`` and hash written outside the database at a shift handover) also
catches the one change the chain alone cannot: removing the newest entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.store.audit_log import GENESIS, entry_hash
from gridconsole.store.models import AuditEntry

_PAGE = 2_000
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


def verify_chain(
    session: Session, key: bytes, anchors: Iterable[Anchor] = (), *, page: int = _PAGE
) -> ChainVerdict:
    """Walk the whole chain in ``seq`` order; stop at the first bad entry."""
    wanted = {anchor.seq: anchor.hash for anchor in anchors}
    expected_seq = 1
    prev_hash = GENESIS
    seen_hashes: dict[str, int] = {}
    last: Anchor | None = None
    entries = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(col(AuditEntry.seq) >= expected_seq)
                .order_by(col(AuditEntry.seq))
                .limit(page)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return ChainVerdict(
                    entries,
                    last,
                    expected_seq,
                    f"entry {expected_seq} is missing (the next is {row.seq})",
                    "missing",
                )
            recomputed = entry_hash(
                key,
                seq=row.seq,
                at=row.at,
                operator_id=row.operator_id,
                username=row.username,
                role=row.role,
                action=row.action,
                case_id=row.case_id,
                subject=row.subject,
                detail=row.detail,
                prev_hash=row.prev_hash,
            )
            if recomputed != row.hash:
                kind = "inserted" if row.prev_hash != prev_hash else "edited"
                return ChainVerdict(
                    entries, last, row.seq, f"entry {row.seq}: its hash does not match", kind
                )
            if row.prev_hash != prev_hash:
                kind = "reordered" if row.prev_hash in seen_hashes else "missing"
                return ChainVerdict(
                    entries,
                    last,
                    row.seq,
                    f"entry {row.seq} does not follow entry {row.seq - 1}",
                    kind,
                )
            if row.seq in wanted and wanted[row.seq] != row.hash:
                return ChainVerdict(
                    entries,
                    last,
                    row.seq,
                    f"entry {row.seq} differs from the anchored one",
                    "edited",
                )
            seen_hashes[row.hash] = row.seq
            if len(seen_hashes) > page * 2:
                seen_hashes.clear()  # reorder detection only needs the recent past
            prev_hash = row.hash
            last = Anchor(row.seq, row.hash)
            entries += 1
            expected_seq += 1
        session.expunge_all()
    beyond = [seq for seq in wanted if seq >= expected_seq]
    if beyond:
        return ChainVerdict(
            entries,
            last,
            expected_seq,
            f"the log ends at entry {expected_seq - 1} but entry {max(beyond)} was anchored",
            "truncated",
        )
    return ChainVerdict(entries, last)
