"""Duplicate candidates: open cases of the same grid and category, reported within the window,
whose text is close (difflib ratio at or above the configured similarity).

One rule for the new-case form (one text) and for imports (a whole file: each record against
the cases before it, in the database and earlier in the file). Each candidate's matcher is built
once, and the exact upper bounds of the ratio (``real_quick_ratio``, ``quick_ratio``) are
checked before the ratio itself. A pathological file (thousands of recent cases in one grid and
category) would still cost millions of comparisons, so a finder can be given a budget: cases
beyond it are left unchecked and counted.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from sqlalchemy.orm import Session

from gridconsole.domain.enums import CaseState
from gridconsole.services.records import DuplicateCandidate
from gridconsole.store.case_queries import duplicate_pool_statement

# the most recent open cases of one grid and category that a new case is compared with
DUPLICATE_SCAN_LIMIT = 200


def case_text(title: str, description: str) -> str:
    """The text two cases are compared on."""
    return f"{title} {description}"


@dataclass(frozen=True)
class DuplicateProbe:
    """A case (new, or being entered) to look for duplicates of."""

    code: str | None  # None: not saved yet
    grid_id: int | None
    category_id: int
    title: str
    text: str
    reported_at: datetime


@dataclass
class _Candidate:
    code: str
    title: str
    state: CaseState
    reported_at: datetime
    text: str
    # built on the first comparison: most cases of a large import are never compared (the
    # budget runs out first), and building them cost two thirds of a 100,000-record import's
    # duplicate check
    _matcher: SequenceMatcher[str] | None = None
    _counts: Counter[str] | None = None

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def counts(self) -> Counter[str]:
        if self._counts is None:
            self._counts = Counter(self.text)
        return self._counts

    @property
    def matcher(self) -> SequenceMatcher[str]:
        if self._matcher is None:
            self._matcher = SequenceMatcher(None, autojunk=False)
            self._matcher.set_seq2(self.text)
        return self._matcher


class DuplicateFinder:
    def __init__(self, *, since: datetime, threshold: float, budget: int | None = None) -> None:
        self.since = since
        self.threshold = threshold
        self.pools: dict[tuple[int, int], list[_Candidate]] = {}
        self.comparisons_left = budget
        self.unchecked = 0

    def load(
        self,
        session: Session,
        groups: Iterable[tuple[int | None, int]],
        up_to_id: int | None = None,
    ) -> None:
        """Read the open cases of each (grid, category) group, as they were up to ``up_to_id``."""
        for grid_id, category_id in groups:
            if grid_id is None:
                continue
            rows = session.execute(
                duplicate_pool_statement(
                    grid_id, category_id, self.since, up_to_id, DUPLICATE_SCAN_LIMIT
                )
            ).all()
            self.pools[(grid_id, category_id)] = [
                self._candidate(code, title, case_text(title, description), CaseState(state), at)
                for code, title, description, state, at in rows
            ]

    @staticmethod
    def _candidate(
        code: str, title: str, text: str, state: CaseState, reported_at: datetime
    ) -> _Candidate:
        return _Candidate(code, title, state, reported_at, text)

    def candidates(self, probe: DuplicateProbe) -> tuple[DuplicateCandidate, ...]:
        """The loaded cases close to ``probe``, most similar first."""
        if probe.grid_id is None:
            return ()
        pool = self.pools.get((probe.grid_id, probe.category_id), [])
        if self.comparisons_left is not None:
            if self.comparisons_left < len(pool):
                self.unchecked += 1
                return ()
            self.comparisons_left -= len(pool)
        counts = Counter(probe.text)
        length = len(probe.text)
        found: list[DuplicateCandidate] = []
        for candidate in pool:
            if candidate.code == probe.code:
                continue
            total = length + candidate.length
            if not total or 2 * min(length, candidate.length) / total < self.threshold:
                continue  # SequenceMatcher.real_quick_ratio
            common = sum(
                min(count, candidate.counts.get(char, 0)) for char, count in counts.items()
            )
            if 2 * common / total < self.threshold:
                continue  # SequenceMatcher.quick_ratio, from counts made once per text
            matcher = candidate.matcher
            matcher.set_seq1(probe.text)
            score = matcher.ratio()
            if score >= self.threshold:
                found.append(
                    DuplicateCandidate(
                        candidate.code,
                        candidate.title,
                        candidate.state,
                        candidate.reported_at,
                        round(score, 2),
                    )
                )
        found.sort(key=lambda candidate: (-candidate.similarity, candidate.code))
        return tuple(found)

    def add(self, probe: DuplicateProbe) -> None:
        """A new case joins its pool, so later records of the same file are compared with it."""
        if probe.grid_id is None or probe.code is None or probe.reported_at < self.since:
            return
        pool = self.pools.setdefault((probe.grid_id, probe.category_id), [])
        entry = self._candidate(
            probe.code, probe.title, probe.text, CaseState.reported, probe.reported_at
        )
        # newest first, at most DUPLICATE_SCAN_LIMIT, as the query orders them
        position = bisect.bisect_right(
            pool, -probe.reported_at.timestamp(), key=lambda held: -held.reported_at.timestamp()
        )
        pool.insert(position, entry)
        del pool[DUPLICATE_SCAN_LIMIT:]
