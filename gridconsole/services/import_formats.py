"""Reading case files: JSON Lines, CSV (as Excel writes it) and Open311 GeoReport v2 JSON.

This module only turns bytes into records that remember the physical line they start on, or into
problems that name the line; it knows nothing of the database. Each record's ``values`` use the
field names of :func:`gridconsole.domain.validators.validate_case_draft`; ``field_names`` maps them
back to the names the file used, so a problem is reported in the file's own words.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from gridconsole.i18n import t

# The columns of a CSV file and the keys of a JSON Lines object.
CASE_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "category",
    "grid",
    "source",
    "priority",
    "address",
    "reporter_name",
    "reporter_phone",
    "reported_at",
    "external_id",
    "lat",
    "lon",
    # Art. 30: how many people are involved (a category rule may propose escalating), and an
    # escalation raised with the case
    "people_involved",
    "escalation_kind",
    "severity",
    "escalation_reason",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("title", "description", "category")

# Open311 GeoReport v2 → our fields. Other keys (agency_responsible, status_notes, media_url,
# updated_datetime, expected_datetime, zipcode…) are ignored.
OPEN311_FIELDS: dict[str, str] = {
    "service_request_id": "external_id",
    "service_code": "category",
    "description": "description",
    "address": "address",
    "lat": "lat",
    "long": "lon",
    "requested_datetime": "reported_at",
}
OPEN311_SOURCE = "platform"
OPEN311_TITLE_MAX = 60
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")


class ImportFormat(StrEnum):
    auto = "auto"
    jsonl = "jsonl"
    csv = "csv"
    open311 = "open311"


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file: ``line`` is the physical line (1-based) where it is."""

    line: int | None
    field: str | None
    message: str

    def render(self, name: str) -> str:
        """``file:line: field: reason`` (the line or field left out where there is none)."""
        where = f"{name}:{self.line}" if self.line is not None else name
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceRecord:
    """One case as the file gave it: values under our field names, and where it starts."""

    line: int
    values: dict[str, object]
    # our field name → the file's name for it, where they differ (Open311)
    field_names: Mapping[str, str] = field(default_factory=dict)

    def field_name(self, name: str) -> str:
        return self.field_names.get(name, name)


@dataclass(frozen=True)
class ParsedFile:
    format: ImportFormat
    records: tuple[SourceRecord, ...]
    problems: tuple[ImportProblem, ...]


def _problem(line: int | None, field_name: str | None, key: str, **params: object) -> ImportProblem:
    return ImportProblem(line, field_name, t(f"import.{key}", **params))


def decode(data: bytes) -> tuple[str | None, ImportProblem | None]:
    """The text of a UTF-8 file (a leading BOM dropped), or the problem that stops reading it."""
    if not data.strip():
        return None, _problem(1, "file", "empty_file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, _problem(
            line, "encoding", "not_utf8", offset=exc.start, byte=f"0x{data[exc.start]:02X}"
        )
    return text.removeprefix("\ufeff"), None


def detect_format(path: Path, text: str) -> ImportFormat:
    """By extension (.jsonl/.ndjson, .csv, .json), else by the first character of the text."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return ImportFormat.jsonl
    if suffix == ".csv":
        return ImportFormat.csv
    if suffix == ".json":
        return ImportFormat.open311
    first = text.lstrip()[:1]
    if first == "[":
        return ImportFormat.open311
    if first == "{":
        return ImportFormat.jsonl
    return ImportFormat.csv


def parse(path: Path, data: bytes, requested: ImportFormat = ImportFormat.auto) -> ParsedFile:
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        shown = ImportFormat.csv if requested is ImportFormat.auto else requested
        return ParsedFile(shown, (), (problem,))
    fmt: ImportFormat = requested
    if requested is ImportFormat.auto:
        fmt = detect_format(path, text)
    if fmt is ImportFormat.csv:
        records, problems = parse_csv(text)
    elif fmt is ImportFormat.jsonl:
        records, problems = parse_jsonl(text)
    else:
        records, problems = parse_open311(text)
    if not records and not problems:
        problems = [_problem(1, "file", "no_records")]
    return ParsedFile(fmt, tuple(records), tuple(problems))


# -- CSV --------------------------------------------------------------------------------------


def parse_csv(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """A header row of field names, then one case per row; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[SourceRecord] = []
    problems: list[ImportProblem] = []
    header: list[str] | None = None
    next_line = 1  # the physical line the next row starts on
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not row or all(not value.strip() for value in row):
                continue  # blank lines, and the empty rows Excel leaves at the end
            if header is None:
                header = [name.strip() for name in row]
                header_problems = _check_header(header, line)
                if header_problems:
                    return [], header_problems
                continue
            if len(row) != len(header):
                problems.append(
                    _problem(line, "row", "field_count", count=len(row), expected=len(header))
                )
                continue
            records.append(SourceRecord(line, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        problems.append(_problem(next_line, "row", "csv_syntax", error=str(exc)))
    if header is None:
        problems.append(_problem(1, "file", "empty_file"))
    return records, problems


def _check_header(header: list[str], line: int) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    unknown = [name for name in header if name not in CASE_FIELDS]
    if unknown:
        problems.append(
            _problem(
                line,
                "header",
                "unknown_columns",
                columns=", ".join(unknown),
                known=", ".join(CASE_FIELDS),
            )
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(_problem(line, "header", "repeated_columns", columns=", ".join(repeated)))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(_problem(line, "header", "missing_columns", columns=", ".join(missing)))
    return problems


# -- JSON Lines -------------------------------------------------------------------------------


def jsonl_objects(
    text: str, problems: list[ImportProblem]
) -> Iterator[tuple[int, dict[str, object]]]:
    """Each JSON object of a JSON Lines text with its line number; blank lines are skipped, and
    a line that is not a JSON object becomes a problem of ``problems``."""
    # split on LF only: str.splitlines() would also break at U+2028 and other characters that
    # JSON allows inside strings, and the line numbers would no longer be the file's
    for number, line_text in enumerate(text.split("\n"), start=1):
        if not line_text.strip():
            continue
        try:
            value = json.loads(line_text)
        except json.JSONDecodeError as exc:
            problems.append(
                _problem(number, "json", "json_syntax", error=exc.msg, column=exc.colno)
            )
            continue
        if not isinstance(value, dict):
            problems.append(_problem(number, "json", "not_an_object"))
            continue
        yield number, value


def parse_jsonl(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """One JSON object per line with the CSV's field names; blank lines are skipped."""
    records: list[SourceRecord] = []
    problems: list[ImportProblem] = []
    for number, value in jsonl_objects(text, problems):
        record_problems = _scalar_problems(value, number, CASE_FIELDS)
        problems.extend(record_problems)
        # the rest of the record is still validated, so every problem of it is reported at once
        bad_keys = {problem.field for problem in record_problems}
        records.append(
            SourceRecord(number, {key: item for key, item in value.items() if key not in bad_keys})
        )
    return records, problems


def _scalar_problems(
    value: Mapping[str, object], line: int, known: tuple[str, ...] | None
) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    for key, item in value.items():
        if known is not None and key not in known:
            problems.append(_problem(line, key, "unknown_field"))
        elif isinstance(item, bool) or not isinstance(item, str | int | float | type(None)):
            problems.append(_problem(line, key, "not_scalar"))
    return problems


# -- Open311 GeoReport v2 ---------------------------------------------------------------------


def _object_starts(text: str) -> list[int]:
    """Offsets where each element of a top-level JSON array starts (``text`` is valid JSON)."""
    decoder = json.JSONDecoder()
    starts: list[int] = []
    position = text.index("[") + 1
    whitespace = re.compile(r"[ \t\n\r,]*")
    while True:
        position = whitespace.match(text, position).end()  # type: ignore[union-attr]
        if text[position] == "]":
            return starts
        starts.append(position)
        _, position = decoder.raw_decode(text, position)


def parse_open311(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """An array of GeoReport v2 service requests. Only open requests are taken: a closed one
    was handled elsewhere and is a problem to resolve before the file is imported."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [_problem(exc.lineno, "json", "json_syntax", error=exc.msg, column=exc.colno)]
    if not isinstance(document, list):
        return [], [_problem(1, "json", "open311_not_array")]
    starts = _object_starts(text)
    records: list[SourceRecord] = []
    problems: list[ImportProblem] = []
    line, counted_to = 1, 0
    for request, start in zip(document, starts, strict=True):
        line += text.count("\n", counted_to, start)
        counted_to = start
        if not isinstance(request, dict):
            problems.append(_problem(line, "json", "not_an_object"))
            continue
        known = {key: item for key, item in request.items() if key in OPEN311_FIELDS}
        known.update({key: request[key] for key in ("status", "service_name") if key in request})
        record_problems = _scalar_problems(known, line, None)
        status = request.get("status")
        if status is not None and not isinstance(status, str):
            status = str(status)
        status = (status or "open").strip().lower()
        if status == "closed":
            record_problems.append(_problem(line, "status", "open311_closed"))
        elif status != "open":
            record_problems.append(_problem(line, "status", "open311_status", value=status))
        problems.extend(record_problems)
        bad_keys = {problem.field for problem in record_problems}
        values: dict[str, object] = {
            ours: request[theirs]
            for theirs, ours in OPEN311_FIELDS.items()
            if theirs in request and theirs not in bad_keys
        }
        if isinstance(values.get("external_id"), int | float):
            values["external_id"] = str(values["external_id"])
        values["title"] = open311_title(
            str(values.get("description") or ""),
            "" if "service_name" in bad_keys else str(request.get("service_name") or ""),
        )
        values["source"] = OPEN311_SOURCE
        field_names = {ours: theirs for theirs, ours in OPEN311_FIELDS.items()}
        field_names["title"] = "description"
        records.append(SourceRecord(line, values, field_names))
    return records, problems


def open311_title(description: str, service_name: str) -> str:
    """The first sentence of the description (at most 60 characters), else the service name."""
    first = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip()
    title = first or service_name.strip()
    if len(title) > OPEN311_TITLE_MAX:
        title = title[: OPEN311_TITLE_MAX - 1].rstrip() + "…"
    return title
