"""Importing cases from a file: validate every record first, then insert all in one transaction.

A file with any bad record is refused whole and nothing is written: each problem names the
physical line of the file and the field (in the file's own words). Categories and grids are looked
up once into dictionaries and the file is validated in one pass, so a file of 100,000 records costs
a handful of queries before the insert. A good file is inserted in one transaction (a crash leaves
none of it), then each new case is checked for duplicate candidates.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import OPEN_STATES, Action, CaseSource, CaseState
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.domain.validators import CaseDraft, validate_case_draft
from gridconsole.i18n import t
from gridconsole.services.context import ServiceContext
from gridconsole.services.import_formats import (
    ImportFormat,
    ImportProblem,
    ParsedFile,
    SourceRecord,
    parse,
)
from gridconsole.services.intake import create_cases
from gridconsole.services.queue import DUPLICATE_SCAN_LIMIT
from gridconsole.services.records import DuplicateCandidate
from gridconsole.store.models import Case, CaseCategory, Grid, Street

# External ids are looked up in the database in chunks of this many (bound-parameter limits).
_LOOKUP_CHUNK = 500
# The session forgets inserted rows this often, so a large file does not grow memory.
# At most this many text comparisons for the duplicate check of one import (~15 s).
DUPLICATE_COMPARISON_BUDGET = 300_000

__all__ = ["ImportFormat", "ImportProblem", "ImportReport", "ImportedCase", "import_cases"]


@dataclass(frozen=True)
class ImportedCase:
    line: int
    code: str
    duplicates: tuple[DuplicateCandidate, ...]


@dataclass(frozen=True)
class ImportReport:
    format: ImportFormat
    records: int  # records read from the file
    problems: tuple[ImportProblem, ...]  # non-empty: the file was refused, nothing written
    imported: tuple[ImportedCase, ...]  # empty on refusal and on a dry run
    dry_run: bool
    duplicates_unchecked: int = 0  # new cases the capped duplicate check did not reach

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Lookups:
    category_ids: dict[str, int]
    grid_ids: dict[str, int]
    single_street: bool


def import_cases(
    context: ServiceContext,
    path: Path,
    *,
    file_format: ImportFormat = ImportFormat.auto,
    dry_run: bool = False,
    data: bytes | None = None,
) -> ImportReport:
    """Read, validate and (unless ``dry_run`` or refused) insert the cases of ``path``."""
    actor = context.actor
    permissions.require(actor.role, Action.report, operator=actor.display_name)
    if data is None:
        data = path.read_bytes()
    parsed = parse(path, data, file_format)
    # the records that could be read are validated even when others could not: every problem
    # of the file is reported at once
    drafts, problems = validate_records(context, parsed.records)
    if parsed.problems or problems:
        return _refused(parsed, [*parsed.problems, *problems])
    if dry_run:
        return ImportReport(parsed.format, len(parsed.records), (), (), dry_run=True)
    imported, unchecked = _insert(context, parsed.records, drafts)
    return ImportReport(
        parsed.format,
        len(parsed.records),
        (),
        imported,
        dry_run=False,
        duplicates_unchecked=unchecked,
    )


def _refused(parsed: ParsedFile, problems: Iterable[ImportProblem]) -> ImportReport:
    ordered = sorted(problems, key=lambda problem: problem.line or 0)  # stable within a line
    return ImportReport(parsed.format, len(parsed.records), tuple(ordered), (), dry_run=False)


def _load_lookups(context: ServiceContext) -> _Lookups:
    with context.db.read() as session:
        categories = session.execute(
            select(col(CaseCategory.code), col(CaseCategory.id)).where(col(CaseCategory.active))
        ).all()
        grids = session.execute(select(col(Grid.code), col(Grid.id))).all()
        streets = session.execute(select(func.count()).select_from(Street)).scalar_one()
    return _Lookups(
        category_ids={str(code): ident for code, ident in categories if ident is not None},
        grid_ids={str(code): ident for code, ident in grids if ident is not None},
        single_street=streets == 1,
    )


def validate_records(
    context: ServiceContext, records: Sequence[SourceRecord]
) -> tuple[list[CaseDraft], list[ImportProblem]]:
    """Every record checked in one pass: field rules, codes that exist, unique external ids."""
    now = context.now()
    lookups = _load_lookups(context)
    drafts: list[CaseDraft] = []
    problems: list[ImportProblem] = []
    first_line_of: dict[tuple[CaseSource, str], int] = {}
    line_of_draft: dict[tuple[CaseSource, str], SourceRecord] = {}

    def add(record: SourceRecord, field_name: str, message: str) -> None:
        problems.append(ImportProblem(record.line, record.field_name(field_name), message))

    for record in records:
        draft: CaseDraft | None = None
        try:
            draft = validate_case_draft(record.values, now=now)
        except ValidationFailed as exc:
            for problem in exc.problems:
                add(record, problem.field, problem.message)
        category = clean_text(str(record.values.get("category") or ""))
        if category and category not in lookups.category_ids:
            add(record, "category", t("rule.unknown_code", value=category))
        grid = clean_text(str(record.values.get("grid") or ""))
        if grid and grid not in lookups.grid_ids:
            add(record, "grid", t("rule.unknown_code", value=grid))
        if not grid and not lookups.single_street:
            add(record, "grid", t("rule.grid_needed_for_street"))
        key = _external_key(record, draft)
        if key is not None:
            if key in first_line_of:
                add(
                    record,
                    "external_id",
                    t(
                        "import.external_id_repeated",
                        value=key[1],
                        line=first_line_of[key],
                    ),
                )
            else:
                first_line_of[key] = record.line
                line_of_draft[key] = record
        if draft is not None:
            drafts.append(draft)
    for (source, external_id), code in _existing_external_ids(context, first_line_of).items():
        add(
            line_of_draft[(source, external_id)],
            "external_id",
            t("import.external_id_exists", value=external_id, code=code),
        )
    return drafts, problems


def _external_key(record: SourceRecord, draft: CaseDraft | None) -> tuple[CaseSource, str] | None:
    """(source, external id) of a record, also of one that failed validation elsewhere."""
    if draft is not None:
        return None if draft.external_id is None else (draft.source, draft.external_id)
    external_id = clean_text(str(record.values.get("external_id") or ""))
    source = clean_text(str(record.values.get("source") or "")) or CaseSource.phone.value
    if not external_id or source not in {member.value for member in CaseSource}:
        return None
    return CaseSource(source), external_id


def _existing_external_ids(
    context: ServiceContext, keys: Iterable[tuple[CaseSource, str]]
) -> dict[tuple[CaseSource, str], str]:
    """Which of ``keys`` (source, external id) the database already holds, and as which case."""
    wanted = set(keys)
    external_ids = sorted({external_id for _, external_id in wanted})
    found: dict[tuple[CaseSource, str], str] = {}
    with context.db.read() as session:
        for start in range(0, len(external_ids), _LOOKUP_CHUNK):
            chunk = external_ids[start : start + _LOOKUP_CHUNK]
            rows = session.execute(
                select(col(Case.source), col(Case.external_id), col(Case.code)).where(
                    col(Case.external_id).in_(chunk)
                )
            ).all()
            for source, external_id, code in rows:
                key = (CaseSource(source), external_id)
                if key in wanted:
                    found.setdefault(key, code)
    return found


def _insert(
    context: ServiceContext, records: Sequence[SourceRecord], drafts: Sequence[CaseDraft]
) -> tuple[tuple[ImportedCase, ...], int]:
    """All drafts in one transaction, then the duplicate check (outside the write lock)."""
    finder = _DuplicateFinder(context)
    with context.db.write() as session:
        last_id_before = session.execute(select(func.max(Case.id))).scalar_one() or 0
        created = create_cases(session, context, drafts)
        new_cases = [
            _NewCase(
                line=record.line,
                code=case.code,
                grid_id=case.grid_id,
                category_id=case.category_id,
                title=case.title,
                text=f"{case.title} {case.description}",
                reported_at=case.reported_at,
            )
            for record, case in zip(records, created, strict=True)
        ]
        # the open cases each new one may duplicate, as they were before this import
        finder.load(session, {(new.grid_id, new.category_id) for new in new_cases}, last_id_before)
    imported = tuple(ImportedCase(new.line, new.code, finder.check(new)) for new in new_cases)
    return imported, finder.unchecked


@dataclass(frozen=True)
class _NewCase:
    line: int
    code: str
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
    matcher: SequenceMatcher[str]
    counts: Counter[str]
    length: int


class _DuplicateFinder:
    """:func:`gridconsole.services.queue.find_duplicates` for a whole file at once.

    The same rule (open cases of the same grid and category reported within the window, the
    most recent ``DUPLICATE_SCAN_LIMIT`` of them, text similarity at or above the threshold),
    applied to each new case against the cases before it: those already in the database, loaded
    with one query per grid and category, and the earlier records of the file. Each candidate's
    matcher is built once, and the exact upper bounds of the ratio are checked before the ratio
    itself. A pathological file (thousands of recent cases in one grid and category) would still
    cost millions of comparisons, so the work is capped: cases beyond the cap are left unchecked
    and the report says how many.
    """

    def __init__(self, context: ServiceContext) -> None:
        settings = context.settings.duplicates
        self.since = context.now() - timedelta(hours=settings.window_hours)
        self.threshold = settings.similarity
        self.pools: dict[tuple[int, int], list[_Candidate]] = {}
        self.comparisons_left = DUPLICATE_COMPARISON_BUDGET
        self.unchecked = 0

    def load(
        self,
        session: Session,
        groups: Iterable[tuple[int | None, int]],
        last_id_before: int,
    ) -> None:
        open_states = [state.value for state in OPEN_STATES]
        for grid_id, category_id in groups:
            if grid_id is None:
                continue
            rows = session.execute(
                select(
                    col(Case.code),
                    col(Case.title),
                    col(Case.description),
                    col(Case.state),
                    col(Case.reported_at),
                )
                .where(
                    col(Case.grid_id) == grid_id,
                    col(Case.category_id) == category_id,
                    col(Case.reported_at) >= self.since,
                    col(Case.state).in_(open_states),
                    col(Case.id) <= last_id_before,
                )
                .order_by(col(Case.reported_at).desc())
                .limit(DUPLICATE_SCAN_LIMIT)
            ).all()
            pool = [
                self._candidate(code, title, f"{title} {description}", CaseState(state), at)
                for code, title, description, state, at in rows
            ]
            self.pools[(grid_id, category_id)] = pool

    def _candidate(
        self, code: str, title: str, text: str, state: CaseState, reported_at: datetime
    ) -> _Candidate:
        matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(text)
        return _Candidate(code, title, state, reported_at, matcher, Counter(text), len(text))

    def check(self, new: _NewCase) -> tuple[DuplicateCandidate, ...]:
        """The candidates of ``new`` among the cases before it; then it joins the pool."""
        if new.grid_id is None:
            return ()
        pool = self.pools.setdefault((new.grid_id, new.category_id), [])
        found: list[DuplicateCandidate] = []
        if self.comparisons_left < len(pool):
            self.unchecked += 1
        else:
            self.comparisons_left -= len(pool)
            counts = Counter(new.text)
            length = len(new.text)
            for candidate in pool:
                total = length + candidate.length
                if not total or 2 * min(length, candidate.length) / total < self.threshold:
                    continue  # SequenceMatcher.real_quick_ratio
                common = sum(
                    min(count, candidate.counts.get(char, 0)) for char, count in counts.items()
                )
                if 2 * common / total < self.threshold:
                    continue  # SequenceMatcher.quick_ratio, from counts made once per text
                matcher = candidate.matcher
                matcher.set_seq1(new.text)
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
        if new.reported_at >= self.since:
            # keep the most recent DUPLICATE_SCAN_LIMIT, newest first
            entry = self._candidate(
                new.code, new.title, new.text, CaseState.reported, new.reported_at
            )
            keys = [-candidate.reported_at.timestamp() for candidate in pool]
            pool.insert(bisect.bisect_right(keys, -new.reported_at.timestamp()), entry)
            del pool[DUPLICATE_SCAN_LIMIT:]
        found.sort(key=lambda candidate: (-candidate.similarity, candidate.code))
        return tuple(found)
