"""Importing cases from a file: validate every record first, then insert all in one transaction.

A file with any bad record is refused whole and nothing is written: each problem names the
physical line of the file and the field (in the file's own words). Categories and grids are looked
up once into dictionaries and the file is validated in one pass, so a file of 100,000 records costs
a handful of queries before the insert. A good file is inserted in one transaction (a crash leaves
none of it), then each new case is checked for duplicate candidates.

Each imported file is a batch, named by the SHA-256 of its bytes and written in the same
transaction as its cases (each case carries the batch's id): a file already imported is
recognised before it is even parsed and reported as that batch, never imported twice, while a
file whose import was killed before its commit left no batch and is imported whole on a re-run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action, CaseSource
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.domain.validators import CaseDraft, validate_case_draft
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.duplicates import DuplicateFinder, DuplicateProbe, case_text
from gridconsole.services.import_formats import (
    ImportFormat,
    ImportProblem,
    ParsedFile,
    SourceRecord,
    parse,
)
from gridconsole.services.intake import create_cases
from gridconsole.services.records import DuplicateCandidate
from gridconsole.store.models import (
    Case,
    CaseCategory,
    Grid,
    ImportBatch,
    Operator,
    Street,
    row_id,
)

# External ids are looked up in the database in chunks of this many (bound-parameter limits).
_LOOKUP_CHUNK = 500
# The session forgets inserted rows this often, so a large file does not grow memory.
# At most this many text comparisons for the duplicate check of one import (~15 s).
DUPLICATE_COMPARISON_BUDGET = 300_000

# the stored file name is cut to the column's length (the digest, not the name, is the identity)
_FILENAME_LENGTH = 255

__all__ = [
    "ImportFormat",
    "ImportPhase",
    "ImportProblem",
    "ImportReport",
    "ImportedCase",
    "PriorBatch",
    "file_digest",
    "import_cases",
]


class ImportPhase(StrEnum):
    """Where an import stands, for a progress line (a 100,000-record file takes a while)."""

    reading = "reading"
    parsing = "parsing"
    validating = "validating"
    writing = "writing"
    committed = "committed"
    duplicates = "duplicates"


@dataclass(frozen=True)
class PriorBatch:
    """The batch a file was already imported as: re-running the file imports nothing."""

    id: int
    filename: str
    records: int
    imported_at: datetime
    operator_name: str


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
    batch_id: int | None = None  # the batch written by this import
    already: PriorBatch | None = None  # the file had been imported before: nothing written

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
    progress: Callable[[ImportPhase], None] | None = None,
) -> ImportReport:
    """Read, validate and (unless ``dry_run`` or refused) insert the cases of ``path``.

    A file imported before (the same bytes) is reported as that batch and nothing is written.
    """
    actor = context.actor
    permissions.require(actor.role, Action.report, operator=actor.display_name)
    step = progress or (lambda _phase: None)
    step(ImportPhase.reading)
    if data is None:
        data = path.read_bytes()
    digest = file_digest(data)
    with context.db.read() as session:
        prior = _prior_batch(session, digest)
    if prior is not None:
        return _already(file_format, prior, dry_run=dry_run)
    step(ImportPhase.parsing)
    parsed = parse(path, data, file_format)
    step(ImportPhase.validating)
    # the records that could be read are validated even when others could not: every problem
    # of the file is reported at once
    drafts, problems = validate_records(context, parsed.records)
    if parsed.problems or problems:
        return _refused(parsed, [*parsed.problems, *problems])
    if dry_run:
        return ImportReport(parsed.format, len(parsed.records), (), (), dry_run=True)
    step(ImportPhase.writing)
    batch = _Batch(digest, path.name[:_FILENAME_LENGTH], parsed.format, len(parsed.records))
    outcome = _insert(context, batch, parsed.records, drafts, step)
    if isinstance(outcome, PriorBatch):  # another console imported the file meanwhile
        return _already(parsed.format, outcome, dry_run=False)
    batch_id, imported, unchecked = outcome
    return ImportReport(
        parsed.format,
        len(parsed.records),
        (),
        imported,
        dry_run=False,
        duplicates_unchecked=unchecked,
        batch_id=batch_id,
    )


def file_digest(data: bytes) -> str:
    """A file's identity as a batch: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class _Batch:
    digest: str
    filename: str
    format: ImportFormat
    records: int


def _prior_batch(session: Session, digest: str) -> PriorBatch | None:
    row = session.execute(
        select(ImportBatch, col(Operator.display_name))
        .outerjoin(Operator, col(Operator.id) == col(ImportBatch.operator_id))
        .where(col(ImportBatch.digest) == digest)
    ).first()
    if row is None:
        return None
    batch, operator_name = row
    return PriorBatch(
        id=row_id(batch),
        filename=batch.filename,
        records=batch.records,
        imported_at=batch.imported_at,
        operator_name=operator_name or "-",
    )


def _already(file_format: ImportFormat, prior: PriorBatch, *, dry_run: bool) -> ImportReport:
    return ImportReport(file_format, prior.records, (), (), dry_run=dry_run, already=prior)


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
    context: ServiceContext,
    batch: _Batch,
    records: Sequence[SourceRecord],
    drafts: Sequence[CaseDraft],
    step: Callable[[ImportPhase], None],
) -> tuple[int, tuple[ImportedCase, ...], int] | PriorBatch:
    """The batch and all its drafts in one transaction, then the duplicate check (outside the
    write lock). Returns the batch already holding this file if another import wrote it first."""
    settings = context.settings.duplicates
    finder = DuplicateFinder(
        since=context.now() - timedelta(hours=settings.window_hours),
        threshold=settings.similarity,
        budget=DUPLICATE_COMPARISON_BUDGET,
    )
    try:
        with context.db.write() as session:
            # checked again under the write lock: a console may have imported the file since
            prior = _prior_batch(session, batch.digest)
            if prior is not None:
                return prior
            row = ImportBatch(
                digest=batch.digest,
                filename=batch.filename,
                format=batch.format.value,
                records=batch.records,
                imported_at=context.now(),
                operator_id=context.actor.id,
            )
            session.add(row)
            session.flush()
            batch_id = row_id(row)
            last_id_before = session.execute(select(func.max(Case.id))).scalar_one() or 0
            created = create_cases(session, context, drafts, import_batch_id=batch_id)
            _audit_batch(session, context, batch, batch_id)
            # the open cases each new one may duplicate, as they were before this import
            groups = {(case.grid_id, case.category_id) for case in created}
            finder.load(session, groups, last_id_before)
    except IntegrityError:
        # PostgreSQL: a concurrent import of the same file committed first (unique digest)
        with context.db.read() as session:
            prior = _prior_batch(session, batch.digest)
        if prior is None:
            raise
        return prior
    step(ImportPhase.committed)
    step(ImportPhase.duplicates)
    imported = []
    for record, case in zip(records, created, strict=True):
        probe = DuplicateProbe(
            code=case.code,
            grid_id=case.grid_id,
            category_id=case.category_id,
            title=case.title,
            text=case_text(case.title, case.description),
            reported_at=case.reported_at,
        )
        imported.append(ImportedCase(record.line, case.code, finder.candidates(probe)))
        finder.add(probe)
    return batch_id, tuple(imported), finder.unchecked


def _audit_batch(session: Session, context: ServiceContext, batch: _Batch, batch_id: int) -> None:
    """The import's one audit entry: the batch, its file and how many cases it brought."""
    record_audit(
        session,
        context,
        "import.batch",
        subject=f"batch:{batch_id}",
        detail={
            "file": batch.filename,
            "sha256": batch.digest,
            "format": str(batch.format),
            "records": batch.records,
        },
    )
