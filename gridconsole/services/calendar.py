"""Hand-entered holiday notices: the days an admin declares holidays or working days.

``chinesecalendar`` knows the State Council's notices only up to its release; an admin enters the
next year's notice by hand (one day at a time or a file), and those days take precedence over the
package. Every write returns the days it changed, so the caller can recompute the open deadlines
that run across them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import AdminAction
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.text import clean_text
from gridconsole.domain.work_calendar import DayKind, WorkCalendar
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import recompute_open_deadlines
from gridconsole.services.import_formats import ImportProblem, decode, jsonl_objects
from gridconsole.store.models import CalendarDay, Operator

NOTE_MAX = 200
CALENDAR_FIELDS: tuple[str, ...] = ("date", "kind", "note")

# What an admin may write for a kind: our values, and the words of the notices themselves.
KIND_WORDS: dict[str, DayKind] = {
    "workday": DayKind.workday,
    "班": DayKind.workday,
    "上班": DayKind.workday,
    "holiday": DayKind.holiday,
    "休": DayKind.holiday,
    "放假": DayKind.holiday,
}
_SLASHED_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")

__all__ = [
    "CalendarDayNotFound",
    "CalendarEntry",
    "CalendarImportReport",
    "CalendarService",
    "DayKind",
    "load_work_calendar",
    "parse_day",
    "parse_kind",
]


class CalendarDayNotFound(DomainError):
    key = "calendar.not_found"


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    kind: DayKind
    note: str
    entered_by_name: str
    entered_at: datetime


@dataclass(frozen=True)
class CalendarImportReport:
    records: int  # records read from the file
    problems: tuple[ImportProblem, ...]  # non-empty: the file was refused, nothing written
    entries: tuple[CalendarEntry, ...]  # what was written; empty on refusal and on a dry run
    # days whose kind is new or different from what the database held (what a dry run would
    # change): the open deadlines running across them must be recomputed
    changed_days: tuple[date, ...]
    dry_run: bool

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _DayRecord:
    line: int
    day: date
    kind: DayKind
    note: str


def parse_day(value: str) -> date | None:
    """``2027-01-01`` (ISO) or ``2027/1/1`` (as Excel writes it), else None."""
    text = value.strip()
    slashed = _SLASHED_DATE.match(text)
    try:
        if slashed:
            return date(int(slashed[1]), int(slashed[2]), int(slashed[3]))
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_kind(value: str) -> DayKind | None:
    return KIND_WORDS.get(value.strip().lower())


def _clean_note(value: str) -> tuple[str, str | None]:
    """The cleaned note, and what is wrong with it (None when it is fine)."""
    note = clean_text(value)
    if not note:
        return note, t("rule.required")
    if len(note) > NOTE_MAX:
        return note, t("rule.too_long", maximum=NOTE_MAX, length=len(note))
    return note, None


class CalendarService:
    """Hand-entered days: admins write them, every operator reads them."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def _require_admin(self) -> None:
        actor = self.context.actor
        permissions.require_admin_action(
            actor.role, AdminAction.manage_calendar, operator=actor.display_name
        )

    # -- writes -----------------------------------------------------------------------------------

    def set_day(self, day: date, kind: DayKind, note: str) -> CalendarEntry:
        """Declare ``day`` a holiday or a working day (replacing what was entered for it).

        The returned entry's ``day`` is the day that changed: open deadlines running across it
        must be recomputed.
        """
        self._require_admin()
        cleaned, problem = _clean_note(note)
        if problem is not None:
            raise ValidationFailed([FieldProblem("note", problem)])
        with self.context.db.write() as session:
            self._write(session, [_DayRecord(0, day, DayKind(kind), cleaned)])
            recompute_open_deadlines(session, self.context.settings, self.context.now())
            record_audit(
                session,
                self.context,
                "calendar.set_day",
                subject=f"day:{day.isoformat()}",
                detail={"kind": DayKind(kind).value, "note": cleaned},
            )
        return self._entries([day])[0]

    def remove_day(self, day: date) -> CalendarEntry:
        """Forget what was entered for ``day`` (the package or Monday–Friday decides again).

        Returns the removed entry; its ``day`` changed.
        """
        self._require_admin()
        query = self._entry_query().where(col(CalendarDay.day) == day)
        with self.context.db.write() as session:
            found = session.execute(query).one_or_none()
            row = session.get(CalendarDay, day)
            if found is None or row is None:
                raise CalendarDayNotFound(day=day.isoformat())
            session.delete(row)
            session.flush()
            recompute_open_deadlines(session, self.context.settings, self.context.now())
            record_audit(
                session, self.context, "calendar.remove_day", subject=f"day:{day.isoformat()}"
            )
        return _entry(*found)

    def import_days(
        self, path: Path, data: bytes | None = None, dry_run: bool = False
    ) -> CalendarImportReport:
        """Read a CSV (``date,kind,note``) or JSON Lines file of days: every record is checked
        first, then all are written in one transaction, or none when any is wrong."""
        self._require_admin()
        if data is None:
            data = path.read_bytes()
        records, problems, read = parse_calendar_file(path, data)
        if problems:
            ordered = sorted(problems, key=lambda problem: problem.line or 0)
            return CalendarImportReport(read, tuple(ordered), (), (), dry_run=dry_run)
        if dry_run:
            before = self.overrides()
            changed = tuple(
                sorted(record.day for record in records if before.get(record.day) != record.kind)
            )
            return CalendarImportReport(len(records), (), (), changed, dry_run=True)
        with self.context.db.write() as session:
            changed = self._write(session, records)
            if changed:
                session.flush()
                recompute_open_deadlines(session, self.context.settings, self.context.now())
                record_audit(
                    session,
                    self.context,
                    "calendar.import",
                    subject=f"file:{path.name}",
                    detail={"records": len(records), "changed": [d.isoformat() for d in changed]},
                )
        entries = self._entries([record.day for record in records])
        return CalendarImportReport(len(records), (), entries, changed, dry_run=False)

    def _write(self, session: Session, records: Sequence[_DayRecord]) -> tuple[date, ...]:
        """Upsert ``records``; the days whose kind is new or different."""
        now = self.context.now()
        days = [record.day for record in records]
        existing = {
            row.day: row
            for row in session.execute(
                select(CalendarDay).where(col(CalendarDay.day).in_(days))
            ).scalars()
        }
        changed: list[date] = []
        for record in records:
            row = existing.get(record.day)
            if row is None:
                row = CalendarDay(
                    day=record.day,
                    kind=record.kind,
                    note=record.note,
                    entered_by_id=self.context.actor.id,
                    entered_at=now,
                )
                session.add(row)
                changed.append(record.day)
                continue
            if row.kind is not record.kind:
                changed.append(record.day)
            row.kind = record.kind
            row.note = record.note
            row.entered_by_id = self.context.actor.id
            row.entered_at = now
        return tuple(sorted(changed))

    # -- reads ------------------------------------------------------------------------------------

    def list_days(self, year: int | None = None) -> tuple[CalendarEntry, ...]:
        """The hand-entered days in date order (of one year, or all)."""
        query = self._entry_query()
        if year is not None:
            query = query.where(
                col(CalendarDay.day) >= date(year, 1, 1), col(CalendarDay.day) <= date(year, 12, 31)
            )
        with self.context.db.read() as session:
            return tuple(_entry(*row) for row in session.execute(query).all())

    def overrides(self) -> dict[date, DayKind]:
        """Every hand-entered day and its kind: they take precedence over ``chinesecalendar``."""
        with self.context.db.read() as session:
            rows = session.execute(select(col(CalendarDay.day), col(CalendarDay.kind))).all()
        return {day: DayKind(kind) for day, kind in rows}

    def _entry_query(self) -> Select[date, DayKind, str, str, datetime]:
        return (
            select(
                col(CalendarDay.day),
                col(CalendarDay.kind),
                col(CalendarDay.note),
                col(Operator.display_name),
                col(CalendarDay.entered_at),
            )
            .join(Operator, col(Operator.id) == col(CalendarDay.entered_by_id))
            .order_by(col(CalendarDay.day))
        )

    def _entries(self, days: Sequence[date]) -> tuple[CalendarEntry, ...]:
        query = self._entry_query().where(col(CalendarDay.day).in_(list(days)))
        with self.context.db.read() as session:
            return tuple(_entry(*row) for row in session.execute(query).all())


def _entry(day: date, kind: DayKind, note: str, name: str, entered_at: datetime) -> CalendarEntry:
    return CalendarEntry(day, DayKind(kind), note, name, entered_at)


def load_work_calendar(context: ServiceContext) -> WorkCalendar:
    """The work calendar of the centre: its working hours and zone, the hand-entered days first."""
    return WorkCalendar(
        context.settings.work_hours.periods,
        context.settings.centre.zone,
        overrides=CalendarService(context).overrides(),
    )


# -- the file ---------------------------------------------------------------------------------


def parse_calendar_file(
    path: Path, data: bytes
) -> tuple[list[_DayRecord], list[ImportProblem], int]:
    """The good records of a CSV or JSON Lines file of days, its problems (each naming a line and
    a field), and how many records were read."""
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        return [], [problem], 0
    suffix = path.suffix.lower()
    jsonl = suffix in (".jsonl", ".ndjson") or (suffix != ".csv" and text.lstrip()[:1] == "{")
    raw, problems = _read_jsonl(text) if jsonl else _read_csv(text)
    if not raw and not problems:
        problems.append(ImportProblem(1, "file", t("import.no_records")))
    records: list[_DayRecord] = []
    first_line_of: dict[date, int] = {}
    for line, values, unusable in raw:
        record, record_problems = _check_record(line, values, unusable, first_line_of)
        problems.extend(record_problems)
        if record is not None:
            records.append(record)
    return records, problems, len(raw)


def _check_record(
    line: int, values: Mapping[str, str], unusable: frozenset[str], first_line_of: dict[date, int]
) -> tuple[_DayRecord | None, list[ImportProblem]]:
    """One record checked: the day it declares, or what is wrong with it.

    ``unusable`` fields were already reported; ``first_line_of`` remembers each date's line so a
    date given twice names the other line.
    """
    problems: list[ImportProblem] = []
    day_text, kind_text = values.get("date", ""), values.get("kind", "")
    day = None if "date" in unusable else parse_day(day_text)
    kind = None if "kind" in unusable else parse_kind(kind_text)
    if "date" not in unusable:
        if not day_text.strip():
            problems.append(ImportProblem(line, "date", t("rule.required")))
        elif day is None:
            problems.append(ImportProblem(line, "date", t("calendar.bad_date", value=day_text)))
        elif day in first_line_of:
            message = t("calendar.repeated_date", value=day.isoformat(), line=first_line_of[day])
            problems.append(ImportProblem(line, "date", message))
        else:
            first_line_of[day] = line
    if "kind" not in unusable:
        if not kind_text.strip():
            problems.append(ImportProblem(line, "kind", t("rule.required")))
        elif kind is None:
            message = t("rule.one_of", value=kind_text, choices=", ".join(KIND_WORDS))
            problems.append(ImportProblem(line, "kind", message))
    note, note_problem = _clean_note(values.get("note", ""))
    if note_problem is not None and "note" not in unusable:
        problems.append(ImportProblem(line, "note", note_problem))
    if problems or unusable or day is None or kind is None:
        return None, problems
    return _DayRecord(line, day, kind, note), problems


# (line, the record's fields as text, the fields already reported as unusable)
_RawRecord = tuple[int, dict[str, str], frozenset[str]]


def _read_csv(text: str) -> tuple[list[_RawRecord], list[ImportProblem]]:
    """A header row (``date,kind,note`` in any order), then one day per row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_RawRecord] = []
    problems: list[ImportProblem] = []
    header: list[str] | None = None
    next_line = 1
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not row or all(not value.strip() for value in row):
                continue
            if header is None:
                header = [name.strip().lower() for name in row]
                header_problems = _header_problems(header, line)
                if header_problems:
                    return [], header_problems
                continue
            if len(row) != len(header):
                problems.append(
                    ImportProblem(
                        line,
                        "row",
                        t("import.field_count", count=len(row), expected=len(header)),
                    )
                )
                continue
            rows.append((line, dict(zip(header, row, strict=True)), frozenset()))
    except csv.Error as exc:
        problems.append(ImportProblem(next_line, "row", t("import.csv_syntax", error=str(exc))))
    if header is None:
        problems.append(ImportProblem(1, "file", t("import.empty_file")))
    return rows, problems


def _header_problems(header: list[str], line: int) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    unknown = [name for name in header if name not in CALENDAR_FIELDS]
    if unknown:
        message = t(
            "import.unknown_columns", columns=", ".join(unknown), known=", ".join(CALENDAR_FIELDS)
        )
        problems.append(ImportProblem(line, "header", message))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(
            ImportProblem(line, "header", t("import.repeated_columns", columns=", ".join(repeated)))
        )
    missing = [name for name in CALENDAR_FIELDS if name not in header]
    if missing:
        problems.append(
            ImportProblem(line, "header", t("import.missing_columns", columns=", ".join(missing)))
        )
    return problems


def _read_jsonl(text: str) -> tuple[list[_RawRecord], list[ImportProblem]]:
    """One object per line: ``{"date": "2027-01-01", "kind": "holiday", "note": "元旦"}``."""
    rows: list[_RawRecord] = []
    problems: list[ImportProblem] = []
    for number, value in jsonl_objects(text, problems):
        fields, unusable = _text_fields(value, number, problems)
        rows.append((number, fields, unusable))
    return rows, problems


def _text_fields(
    value: Mapping[str, object], line: int, problems: list[ImportProblem]
) -> tuple[dict[str, str], frozenset[str]]:
    """The known text fields of one JSON object, and the fields reported as not text.

    Unknown fields and fields that are not strings are problems, reported here once each.
    """
    fields: dict[str, str] = {}
    unusable: set[str] = set()
    for key, item in value.items():
        if key not in CALENDAR_FIELDS:
            problems.append(ImportProblem(line, key, t("import.unknown_field")))
        elif not isinstance(item, str):
            problems.append(ImportProblem(line, key, t("calendar.not_text")))
            unusable.add(key)
        else:
            fields[key] = item
    return fields, frozenset(unusable)
