"""Roster files: import grids and workers from CSV or Excel, export them, print the notice.

An import is all-or-nothing: every row is checked first (field rules, the coding rule, codes and
ID numbers that exist or repeat, Art. 12 heads, Art. 14 eligibility of full-time workers) and
every problem is reported as ``file:row: column: reason`` (:class:`ImportProblem`, as the case
import reports); only a file without problems is written, in one transaction. A row is the
physical line of a CSV file, the sheet row of an Excel file (the header is row 1).

Exports read the tables a batch at a time (never the whole table at once) and write the columns
an import reads, so an export of one database imports into another. The files hold personal
data in full (they are for the admin who keeps the roster: the export needs that permission);
the public notice of Art. 19 holds what the regulation publishes.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import AdminAction, GridChangeKind, WorkerRole, WorkerStatus
from gridconsole.domain.errors import ValidationFailed
from gridconsole.domain.roster import (
    DECLARED_RULES,
    EligibilityRule,
    GridDraft,
    WorkerDraft,
    check_eligibility,
    split_codes,
    validate_grid,
    validate_worker,
)
from gridconsole.domain.text import clean_text, display_text
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.import_formats import ImportProblem, SourceRecord, decode
from gridconsole.services.roster import RosterService
from gridconsole.services.roster_records import NoticeGrid
from gridconsole.store.models import (
    Community,
    Grid,
    GridChange,
    GridWorker,
    GridWorkerGrid,
    WorkerDeclaration,
    row_id,
)

GRID_COLUMNS: tuple[str, ...] = (
    "community",
    "code",
    "name",
    "kind",
    "unit_name",
    "households",
    "units",
    "staff",
    "area",
)
GRID_REQUIRED: tuple[str, ...] = ("community", "code", "name")
WORKER_COLUMNS: tuple[str, ...] = (
    "name",
    "role",
    "part_time_category",
    "mobile",
    "id_number",
    "status",
    "grids",
    "head_of",
    *(rule.value for rule in DECLARED_RULES),
)
WORKER_REQUIRED: tuple[str, ...] = ("name", "role")
# columns whose digits Excel must keep as text (a number cell of 18 digits has lost its last ones)
_TEXT_COLUMNS = frozenset({"id_number", "mobile", "code", "community", "grids", "head_of"})
EXPORT_BATCH = 500


class RosterKind(StrEnum):
    grids = "grids"
    workers = "workers"


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"

    @classmethod
    def of(cls, path: Path) -> FileFormat:
        return cls.xlsx if path.suffix.lower() in (".xlsx", ".xlsm") else cls.csv


@dataclass(frozen=True)
class RosterImportReport:
    kind: RosterKind
    format: FileFormat
    records: int
    problems: tuple[ImportProblem, ...]  # non-empty: refused, nothing written
    written: int
    dry_run: bool

    @property
    def accepted(self) -> bool:
        return not self.problems


class _NothingWritten(Exception):
    """Rolls the import's transaction back (a refused file or a dry run)."""


def _problem(at: int | None, field: str | None, key: str, /, **params: object) -> ImportProblem:
    return ImportProblem(at, field, t(key, **params))


# -- reading ------------------------------------------------------------------------------------


def _aliases(columns: Sequence[str]) -> dict[str, str]:
    """Header names a file may use for each column: ours, and the headings of both languages."""
    from gridconsole.i18n import t_in

    aliases: dict[str, str] = {}
    for column in columns:
        aliases[column] = column
        for locale in ("zh", "en"):
            aliases[t_in(locale, f"roster.column.{column}")] = column
    return aliases


def _header(
    cells: Sequence[object], columns: Sequence[str], required: Sequence[str]
) -> tuple[list[str | None], list[ImportProblem]]:
    aliases = _aliases(columns)
    names = [clean_text(str(cell or "")) for cell in cells]
    header: list[str | None] = [aliases.get(name) if name else None for name in names]
    problems: list[ImportProblem] = []
    unknown = [name for name, column in zip(names, header, strict=True) if name and not column]
    if unknown:
        problems.append(
            _problem(
                1,
                "header",
                "import.unknown_columns",
                columns=", ".join(unknown),
                known=", ".join(columns),
            )
        )
    present = [column for column in header if column]
    repeated = sorted({column for column in present if present.count(column) > 1})
    if repeated:
        problems.append(
            _problem(1, "header", "import.repeated_columns", columns=", ".join(repeated))
        )
    missing = [column for column in required if column not in present]
    if missing:
        problems.append(_problem(1, "header", "import.missing_columns", columns=", ".join(missing)))
    return header, problems


def _records_from_rows(
    rows: Iterator[tuple[int, Sequence[object]]],
    columns: Sequence[str],
    required: Sequence[str],
) -> tuple[list[SourceRecord], list[ImportProblem]]:
    records: list[SourceRecord] = []
    problems: list[ImportProblem] = []
    header: list[str | None] | None = None
    for line, cells in rows:
        if all(cell is None or not str(cell).strip() for cell in cells):
            continue
        if header is None and str(cells[0] or "").startswith("#"):
            continue  # a note above the header (an export says it holds personal data)
        if header is None:
            header, header_problems = _header(cells, columns, required)
            if header_problems:
                return [], header_problems
            continue
        if len(cells) > len(header) and any(
            cell is not None and str(cell).strip() for cell in cells[len(header) :]
        ):
            problems.append(
                _problem(line, "row", "import.field_count", count=len(cells), expected=len(header))
            )
            continue
        values: dict[str, object] = {}
        for column, cell in zip(header, cells, strict=False):
            if column is None:
                continue
            if (
                column in _TEXT_COLUMNS
                and isinstance(cell, float | int)
                and not isinstance(cell, bool)
            ):
                if column == "id_number" or (isinstance(cell, float) and not cell.is_integer()):
                    problems.append(_problem(line, column, "roster.import.number_cell"))
                    continue
                cell = str(int(cell))
            values[column] = cell
        records.append(SourceRecord(line, values))
    if header is None:
        problems.append(_problem(1, "file", "import.empty_file"))
    elif not records and not problems:
        problems.append(_problem(1, "file", "import.no_records"))
    return records, problems


def _csv_rows(text: str, problems: list[ImportProblem]) -> Iterator[tuple[int, Sequence[object]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next_line = 1
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            yield line, row
    except csv.Error as exc:
        problems.append(_problem(next_line, "row", "import.csv_syntax", error=str(exc)))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def read_records(
    data: bytes, file_format: FileFormat, columns: Sequence[str], required: Sequence[str]
) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """The records of a CSV (UTF-8, as Excel's "CSV UTF-8" writes it) or Excel file."""
    if file_format is FileFormat.xlsx:
        try:
            return _records_from_rows(_xlsx_rows(data), columns, required)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            return [], [_problem(1, "file", "roster.import.not_xlsx", error=type(exc).__name__)]
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        return [], [problem]
    problems: list[ImportProblem] = []
    records, more = _records_from_rows(_csv_rows(text, problems), columns, required)
    return records, [*problems, *more]


# -- importing ------------------------------------------------------------------------------------


def import_roster(
    roster: RosterService,
    path: Path,
    kind: RosterKind,
    *,
    dry_run: bool = False,
    data: bytes | None = None,
) -> RosterImportReport:
    """Read, check and (unless refused or ``dry_run``) write the grids or workers of ``path``."""
    roster._require(AdminAction.manage_roster)
    file_format = FileFormat.of(path)
    if data is None:
        data = path.read_bytes()
    columns, required = (
        (GRID_COLUMNS, GRID_REQUIRED)
        if kind is RosterKind.grids
        else (WORKER_COLUMNS, WORKER_REQUIRED)
    )
    records, problems = read_records(data, file_format, columns, required)
    # checked and written in one transaction: the checks see what the write will change
    try:
        with roster.context.db.write() as session:
            if kind is RosterKind.grids:
                grid_drafts, more = _check_grids(roster, session, records)
                problems.extend(more)
                if problems or dry_run:
                    raise _NothingWritten
                _write_grids(roster, session, grid_drafts)
                written = len(grid_drafts)
            else:
                worker_drafts, more = _check_workers(roster, session, records)
                problems.extend(more)
                if problems or dry_run:
                    raise _NothingWritten
                _write_workers(roster, session, worker_drafts)
                written = len(worker_drafts)
            record_audit(
                session,
                roster.context,
                f"roster.import_{kind.value}",
                detail={"records": written},
            )
    except _NothingWritten:
        pass
    ordered = tuple(sorted(problems, key=lambda problem: problem.line or 0))
    written = 0 if ordered or dry_run else len(records)
    return RosterImportReport(kind, file_format, len(records), ordered, written, dry_run)


def _check_grids(
    roster: RosterService, session: Session, records: Sequence[SourceRecord]
) -> tuple[list[tuple[int, GridDraft]], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    communities = {
        code: ident
        for ident, code in session.execute(select(col(Community.id), col(Community.code)))
    }
    existing = {
        str(code): name for code, name in session.execute(select(col(Grid.code), col(Grid.name)))
    }
    first_line: dict[str, int] = {}
    drafts: list[tuple[int, GridDraft]] = []
    rule = roster.code_rule()
    for record in records:
        community = clean_text(str(record.values.get("community") or ""))
        community_id = communities.get(community)
        if community and community_id is None:
            problems.append(
                _problem(record.line, "community", "roster.rule.community_unknown", value=community)
            )
        elif not community:
            problems.append(_problem(record.line, "community", "rule.required"))
        try:
            draft = validate_grid(
                record.values,
                community_code=community if community_id is not None else None,
                rule=rule,
            )
        except ValidationFailed as exc:
            problems.extend(
                ImportProblem(record.line, problem.field, problem.message)
                for problem in exc.problems
            )
            continue
        if draft.code in existing:
            problems.append(
                _problem(
                    record.line,
                    "code",
                    "roster.rule.code_taken",
                    value=draft.code,
                    name=existing[draft.code],
                )
            )
        elif draft.code in first_line:
            problems.append(
                _problem(
                    record.line,
                    "code",
                    "import.external_id_repeated",
                    value=draft.code,
                    line=first_line[draft.code],
                )
            )
        else:
            first_line[draft.code] = record.line
        if community_id is not None:
            drafts.append((community_id, draft))
    return drafts, problems


def _write_grids(
    roster: RosterService, session: Session, drafts: Sequence[tuple[int, GridDraft]]
) -> None:
    from gridconsole.services.roster import _assign_grid, _grid_summary

    now = roster.context.now()
    for community_id, draft in drafts:
        grid = Grid(community_id=community_id, code=draft.code, name=draft.name, kind=draft.kind)
        _assign_grid(grid, draft)
        grid.updated_at = now
        grid.updated_by_id = roster.context.actor.id
        session.add(grid)
        session.flush()
        session.add(
            GridChange(
                grid_id=row_id(grid),
                kind=GridChangeKind.created,
                new_value=_grid_summary(grid),
                reason=t("roster.import.reason"),
                changed_at=now,
                changed_by_id=roster.context.actor.id,
            )
        )


@dataclass(frozen=True)
class _WorkerRow:
    line: int
    draft: WorkerDraft
    head_of: tuple[str, ...]


def _check_workers(
    roster: RosterService, session: Session, records: Sequence[SourceRecord]
) -> tuple[list[_WorkerRow], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    today = roster.today()
    grids = {code for (code,) in session.execute(select(col(Grid.code)))}
    registered = {
        str(number): name
        for number, name in session.execute(
            select(col(GridWorker.id_number), col(GridWorker.name)).where(
                col(GridWorker.id_number) != ""
            )
        )
    }
    first_line: dict[str, int] = {}
    head_line: dict[str, int] = {}
    rows: list[_WorkerRow] = []

    def add(at: int, field: str, key: str, /, **params: object) -> None:
        problems.append(_problem(at, field, key, **params))

    for record in records:
        line = record.line
        head_of = split_codes(record.values.get("head_of"))
        listed = split_codes(record.values.get("grids"))
        draft: WorkerDraft | None = None
        try:
            draft = validate_worker(record.values, today=today)
        except ValidationFailed as exc:
            problems.extend(
                ImportProblem(line, problem.field, problem.message) for problem in exc.problems
            )
        # the grids are checked also when other fields failed: every problem of a row at once
        for field, codes in (("grids", listed), ("head_of", head_of)):
            for code in codes:
                if code not in grids:
                    add(line, field, "roster.rule.grid_unknown", value=code)
        if draft is None:
            continue
        if head_of and draft.role not in (WorkerRole.grid_head, WorkerRole.full_time):
            role = t(f"roster.WorkerRole.{draft.role.value}")
            add(line, "head_of", "roster.rule.head_role", name=draft.name, role=role)
        elif head_of and draft.status is WorkerStatus.left:
            add(line, "head_of", "roster.rule.head_left", name=draft.name)
        for code in head_of:
            if code in head_line:
                add(
                    line, "head_of", "import.external_id_repeated", value=code, line=head_line[code]
                )
            else:
                head_line[code] = line
        if draft.id_number is not None:
            number = draft.id_number.number
            if number in registered:
                add(
                    line, "id_number", "roster.rule.id_taken", value=number, name=registered[number]
                )
            elif number in first_line:
                add(
                    line,
                    "id_number",
                    "import.external_id_repeated",
                    value=number,
                    line=first_line[number],
                )
            else:
                first_line[number] = line
        if draft.role is WorkerRole.full_time and draft.status is not WorkerStatus.left:
            for refusal in check_eligibility(draft.id_number, draft.declaration, today):
                field = "id_number" if refusal.rule is EligibilityRule.age else refusal.rule.value
                problems.append(ImportProblem(line, field, str(refusal)))
        rows.append(_WorkerRow(line, draft, head_of))
    return rows, problems


def _write_workers(roster: RosterService, session: Session, rows: Sequence[_WorkerRow]) -> None:
    for row in rows:
        worker = GridWorker(name=row.draft.name, role=row.draft.role)
        roster._apply_worker(session, worker, row.draft, row.head_of, new=True)


# -- exporting ------------------------------------------------------------------------------------


def _worker_batches(session: Session) -> Iterator[list[dict[str, object]]]:
    """Every worker as the import reads it, a batch at a time, by id."""
    after = 0
    while True:
        workers = list(
            session.execute(
                select(GridWorker)
                .where(col(GridWorker.id) > after)
                .order_by(col(GridWorker.id))
                .limit(EXPORT_BATCH)
            ).scalars()
        )
        if not workers:
            return
        ids = [row_id(worker) for worker in workers]
        after = ids[-1]
        grids: dict[int, list[str]] = defaultdict(list)
        for worker_id, code in session.execute(
            select(col(GridWorkerGrid.worker_id), col(Grid.code))
            .join(Grid, col(Grid.id) == col(GridWorkerGrid.grid_id))
            .where(col(GridWorkerGrid.worker_id).in_(ids))
            .order_by(col(Grid.code))
        ):
            grids[worker_id].append(code)
        heads: dict[int, list[str]] = defaultdict(list)
        for head_id, code in session.execute(
            select(col(Grid.head_worker_id), col(Grid.code))
            .where(col(Grid.head_worker_id).in_(ids))
            .order_by(col(Grid.code))
        ):
            heads[int(head_id or 0)].append(code)
        declarations: dict[int, WorkerDeclaration] = {}
        for declaration in session.execute(
            select(WorkerDeclaration)
            .where(col(WorkerDeclaration.worker_id).in_(ids))
            .order_by(col(WorkerDeclaration.id))
        ).scalars():
            declarations[declaration.worker_id] = declaration  # the latest wins
        batch: list[dict[str, object]] = []
        for worker in workers:
            ident = row_id(worker)
            latest = declarations.get(ident)
            row: dict[str, object] = {
                "name": worker.name,
                "role": worker.role.value,
                "part_time_category": worker.part_time_category or "",
                "mobile": worker.mobile,
                "id_number": worker.id_number,
                "status": worker.status.value,
                "grids": " ".join(grids.get(ident, ())),
                "head_of": " ".join(heads.get(ident, ())),
            }
            for rule in DECLARED_RULES:
                answer = None if latest is None else getattr(latest, rule.value)
                row[rule.value] = "" if answer is None else ("是" if answer else "否")
            batch.append(row)
        yield batch


def _grid_batches(session: Session) -> Iterator[list[dict[str, object]]]:
    after = ""
    while True:
        rows = session.execute(
            select(Grid, col(Community.code))
            .join(Community, col(Community.id) == col(Grid.community_id))
            .where(col(Grid.code) > after)
            .order_by(col(Grid.code))
            .limit(EXPORT_BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1][0].code
        yield [
            {
                "community": community,
                "code": grid.code,
                "name": grid.name,
                "kind": grid.kind.value,
                "unit_name": grid.unit_name or "",
                "households": "" if grid.households is None else grid.households,
                "units": "" if grid.units is None else grid.units,
                "staff": "" if grid.staff is None else grid.staff,
                "area": grid.area_description,
            }
            for grid, community in rows
        ]


def export_roster(roster: RosterService, path: Path, kind: RosterKind) -> int:
    """Write the grids or workers to ``path`` (.csv or .xlsx); returns the rows written.

    The workers' file holds their mobile and ID numbers unmasked (it is what the import reads):
    it needs the export permission, says so in its first line and is recorded
    (``privacy.export``) in the transaction it is read in, so a file is never written without
    its entry nor an entry left for a file that failed."""
    roster._require(AdminAction.manage_roster)
    sheet = t(f"roster.sheet.{kind.value}")
    if kind is RosterKind.grids:
        with roster.context.db.read() as session:
            return _write_table(path, GRID_COLUMNS, _grid_batches(session), sheet=sheet)
    context = roster.context
    actor = context.actor
    permissions.require_personal_export(actor.role, operator=actor.display_name)
    note = t(
        "privacy.export_note", operator=actor.display_name, at=context.local_text(context.now())
    )
    with context.db.write() as session:
        count = _write_table(
            path, WORKER_COLUMNS, _worker_batches(session), sheet=sheet, title=note
        )
        record_audit(
            session,
            context,
            "privacy.export",
            subject=f"file:{path.name}",
            detail={"kind": kind.value, "rows": count, "fields": ["mobile", "id_number"]},
        )
        return count


def _write_table(
    path: Path,
    columns: Sequence[str],
    batches: Iterator[Sequence[Mapping[str, object]]],
    *,
    sheet: str,
    title: str | None = None,
) -> int:
    count = 0
    if FileFormat.of(path) is FileFormat.xlsx:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        if title:
            worksheet.append([title])
        worksheet.append(list(columns))
        for batch in batches:
            for row in batch:
                # text stays text: an ID number as a number cell would lose its last digits
                worksheet.append([_cell(row.get(column, "")) for column in columns])
                count += 1
        workbook.save(path)
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerow([title])
        writer.writerow(columns)
        for batch in batches:
            for row in batch:
                writer.writerow([_cell(row.get(column, "")) for column in columns])
                count += 1
    return count


def _cell(value: object) -> object:
    if isinstance(value, str):
        text = display_text(value)
        # a formula-looking cell is a formula to Excel (CSV injection): keep it text
        return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
    return value


# -- the public notice (Art. 19) and the filing list (Art. 7) ------------------------------------


def notice_text(notice: Sequence[NoticeGrid], centre: str) -> str:
    """The notice as plain text for printing: one block per grid, by community."""
    lines = [t("roster.notice.title", centre=centre), ""]
    community = None
    for grid in notice:
        if grid.community != community:
            community = grid.community
            lines += [f"【{display_text(community)}】", ""]
        lines.append(t("roster.notice.grid", name=display_text(grid.name), code=grid.code))
        if grid.area:
            lines.append(t("roster.notice.area", area=display_text(grid.area)))
        head = grid.head
        lines.append(
            t(
                "roster.notice.head",
                name=display_text(head.name) if head else t("roster.notice.vacant"),
                mobile=head.mobile if head else "",
            ).rstrip()
        )
        for person in grid.full_time:
            lines.append(
                t("roster.notice.full_time", name=display_text(person.name), mobile=person.mobile)
            )
        if not grid.full_time:
            lines.append(t("roster.notice.full_time_none"))
        lines.append("")
    lines.append(t("roster.notice.complaints"))
    return "\n".join(lines) + "\n"


NOTICE_COLUMNS: tuple[str, ...] = (
    "community",
    "grid_code",
    "grid",
    "area",
    "head",
    "head_mobile",
    "full_time",
    "full_time_mobiles",
)


def notice_rows(notice: Sequence[NoticeGrid]) -> list[dict[str, object]]:
    return [
        {
            "community": grid.community,
            "grid_code": grid.code,
            "grid": grid.name,
            "area": grid.area,
            "head": grid.head.name if grid.head else "",
            "head_mobile": grid.head.mobile if grid.head else "",
            "full_time": "、".join(person.name for person in grid.full_time),
            "full_time_mobiles": "、".join(person.mobile for person in grid.full_time),
        }
        for grid in notice
    ]


def write_notice(notice: Sequence[NoticeGrid], path: Path, centre: str) -> int:
    """The notice as an Excel sheet (.xlsx), CSV (.csv) or text (any other suffix)."""
    if path.suffix.lower() in (".xlsx", ".csv"):
        headings = [t(f"roster.notice.column_{column}") for column in NOTICE_COLUMNS]
        rows = [
            {heading: row[column] for heading, column in zip(headings, NOTICE_COLUMNS, strict=True)}
            for row in notice_rows(notice)
        ]
        return _write_table(
            path,
            headings,
            iter([rows]),
            sheet=t("roster.sheet.notice"),
            title=t("roster.notice.title", centre=centre)
            if FileFormat.of(path) is FileFormat.xlsx
            else None,
        )
    path.write_text(notice_text(notice, centre), encoding="utf-8")
    return len(notice)
