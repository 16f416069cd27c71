"""Importing cases from a file: validate every record first, then insert all in one transaction.

A file with any bad record is refused whole and nothing is written: each problem names the
physical line of the file and the field (in the file's own words). Categories and grids are looked
up once into dictionaries and the file is validated in one pass, so a file of 100,000 records costs
a handful of queries before the insert. A good file is inserted in one transaction (a crash leaves
none of it), then each new case is checked for duplicate candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action, CaseSource
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.domain.validators import CaseDraft, validate_case_draft
from gridconsole.i18n import t
from gridconsole.services import cases as case_service
from gridconsole.services.context import ServiceContext
from gridconsole.services.import_formats import (
    ImportFormat,
    ImportProblem,
    ParsedFile,
    SourceRecord,
    parse,
)
from gridconsole.services.queue import find_duplicates
from gridconsole.services.records import DuplicateCandidate
from gridconsole.store.models import Case, CaseCategory, Grid, Street

# External ids are looked up in the database in chunks of this many (bound-parameter limits).
_LOOKUP_CHUNK = 500
# The session forgets inserted rows this often, so a large file does not grow memory.
_EXPUNGE_EVERY = 1000

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

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Lookups:
    category_ids: dict[str, int]
    grid_ids: dict[str, int]
    single_street: bool


def _create_case_function() -> object:
    # the intake module names it create_case; an older revision spelt it createcase_by_code
    return getattr(case_service, "create_case", None) or case_service.createcase_by_code


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
    imported = _insert(context, parsed.records, drafts)
    return ImportReport(parsed.format, len(parsed.records), (), imported, dry_run=False)


def _refused(parsed: ParsedFile, problems: Iterable[ImportProblem]) -> ImportReport:
    ordered = sorted(problems, key=lambda problem: problem.line or 0)  # stable within a line
    return ImportReport(parsed.format, len(parsed.records), tuple(ordered), (), dry_run=False)


def _load_lookups(context: ServiceContext) -> _Lookups:
    with context.db.read() as session:
        categories = session.execute(
            select(CaseCategory.code, CaseCategory.id).where(CaseCategory.active)  # type: ignore[arg-type]
        ).all()
        grids = session.execute(select(Grid.code, Grid.id)).all()
        streets = session.execute(select(func.count()).select_from(Street)).scalar_one()
    return _Lookups(
        category_ids={str(code): int(ident) for code, ident in categories},
        grid_ids={str(code): int(ident) for code, ident in grids},
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
        if draft is None:
            continue
        if draft.external_id is not None:
            key = (draft.source, draft.external_id)
            if key in first_line_of:
                add(
                    record,
                    "external_id",
                    t(
                        "import.external_id_repeated",
                        value=draft.external_id,
                        line=first_line_of[key],
                    ),
                )
            else:
                first_line_of[key] = record.line
                line_of_draft[key] = record
        drafts.append(draft)
    for (source, external_id), code in _existing_external_ids(context, first_line_of).items():
        add(
            line_of_draft[(source, external_id)],
            "external_id",
            t("import.external_id_exists", value=external_id, code=code),
        )
    return drafts, problems


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
                select(Case.source, Case.external_id, Case.code).where(
                    Case.external_id.in_(chunk)  # type: ignore[union-attr]
                )
            ).all()
            for source, external_id, code in rows:
                key = (CaseSource(source), external_id)
                if key in wanted:
                    found.setdefault(key, code)
    return found


def _insert(
    context: ServiceContext, records: Sequence[SourceRecord], drafts: Sequence[CaseDraft]
) -> tuple[ImportedCase, ...]:
    """All drafts in one transaction; each new case is compared with the cases before it."""
    create_case = _create_case_function()
    settings = context.settings.duplicates
    since = context.now() - timedelta(hours=settings.window_hours)
    imported: list[ImportedCase] = []
    with context.db.write() as session:
        for number, (record, draft) in enumerate(zip(records, drafts, strict=True), start=1):
            case = create_case(session, context, draft)  # type: ignore[operator]
            duplicates: tuple[DuplicateCandidate, ...] = ()
            if case.grid_id is not None:
                duplicates = find_duplicates(
                    session,
                    grid_id=case.grid_id,
                    category_id=case.category_id,
                    text=f"{case.title} {case.description}",
                    since=since,
                    threshold=settings.similarity,
                    exclude_code=case.code,
                )
            imported.append(ImportedCase(record.line, case.code, duplicates))
            if number % _EXPUNGE_EVERY == 0:
                session.expunge_all()
    return tuple(imported)
