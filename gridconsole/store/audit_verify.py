"""Checking the audit chain: every entry's hash, its link to the one before, no gaps.

The log is read in pages of ``seq`` (never whole), so a chain of millions verifies in constant
memory. An anchor (``seq`` and hash written outside the database at a shift handover) also
catches the one change the chain alone cannot: removing the newest entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain.audit_chain import Anchor, ChainVerdict, parse_anchors
from gridconsole.store.audit_log import GENESIS, entry_hash
from gridconsole.store.models import AuditEntry

_PAGE = 2_000

__all__ = ["Anchor", "ChainVerdict", "parse_anchors", "verify_chain"]


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
