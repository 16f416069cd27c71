"""The monthly performance report (绩效考评月报) the centre hands upward, and the Open311
GeoReport v2 export of a period's cases for pooling with the grid data centre (Art. 21).

The report is one sheet per view — departments, communities, categories (each ranked, with the
centre's totals), the overdue list, the escalations and the grid workers — built from the
statistics service's figures, so the workbook and the pane never disagree. Written as an Excel
workbook (Chinese headers, frozen header rows, fitted widths, number formats), one CSV per sheet,
or one JSON document. Personal data: the reporter's phone is masked (Art. 17); Open311 carries no
reporter at all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from gridconsole.domain import permissions
from gridconsole.domain.enums import CaseState
from gridconsole.domain.periods import Period
from gridconsole.domain.text import display_text
from gridconsole.i18n import t
from gridconsole.services.context import ServiceContext
from gridconsole.services.statistics import StatisticsService
from gridconsole.services.statistics_records import (
    Dimension,
    Measures,
    StatisticsRow,
    StatisticsTable,
)
from gridconsole.store.statistics_queries import open311_statement


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"

    @classmethod
    def of(cls, path: Path) -> ReportFormat:
        suffix = path.suffix.lower().lstrip(".")
        return cls(suffix) if suffix in {member.value for member in cls} else cls.xlsx


class ColumnKind(StrEnum):
    text = "text"
    integer = "integer"
    percent = "percent"  # a rate 0–1
    hours = "hours"
    score = "score"
    instant = "instant"  # a datetime, shown in the centre's time


_NUMBER_FORMATS = {
    ColumnKind.integer: "#,##0",
    ColumnKind.percent: "0.0%",
    ColumnKind.hours: "0.0",
    ColumnKind.score: "0.0",
    ColumnKind.instant: "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class ReportColumn:
    key: str  # the JSON key and the i18n header
    header: str
    kind: ColumnKind


@dataclass(frozen=True)
class ReportSheet:
    key: str
    title: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[object, ...], ...]
    total: tuple[object, ...] | None = None


@dataclass(frozen=True)
class PerformanceReport:
    title: str
    period: Period
    sheets: tuple[ReportSheet, ...]
    tables: dict[Dimension, StatisticsTable]

    def sheet(self, key: str) -> ReportSheet:
        return next(sheet for sheet in self.sheets if sheet.key == key)


# -- the ranking sheets -------------------------------------------------------------------------

_C = ColumnKind
_MEASURE_COLUMNS: tuple[tuple[str, ColumnKind], ...] = (
    ("rank", _C.integer),
    ("code", _C.text),
    ("name", _C.text),
    ("score", _C.score),
    ("received", _C.integer),
    ("signed_on_time", _C.integer),
    ("sign_on_time_rate", _C.percent),
    ("completed", _C.integer),
    ("completed_on_time", _C.integer),
    ("missed_unfinished", _C.integer),
    ("on_time_rate", _C.percent),
    ("overdue_now", _C.integer),
    ("overdue_ever", _C.integer),
    ("handling_median", _C.hours),
    ("handling_p90", _C.hours),
    ("returns", _C.integer),
    ("refused_returns", _C.integer),
    ("extensions", _C.integer),
    ("reopenings", _C.integer),
    ("urges", _C.integer),
    ("supervisions", _C.integer),
    ("follow_ups", _C.integer),
    ("satisfied_rate", _C.percent),
    ("basically_rate", _C.percent),
    ("unsatisfied_rate", _C.percent),
)


def measure_values(measures: Measures) -> dict[str, object]:
    """The figures of one row by column key (None where there is nothing to judge)."""
    return {
        "received": measures.received,
        "signed_on_time": measures.signed_on_time,
        "sign_on_time_rate": measures.sign_on_time_rate,
        "completed": measures.completed,
        "completed_on_time": measures.completed_on_time,
        "missed_unfinished": measures.missed_unfinished,
        "on_time_rate": measures.on_time_rate,
        "overdue_now": measures.overdue_now,
        "overdue_ever": measures.overdue_ever,
        "handling_median": measures.handling_median_hours,
        "handling_p90": measures.handling_p90_hours,
        "returns": measures.returns,
        "refused_returns": measures.refused_returns,
        "extensions": measures.extensions,
        "reopenings": measures.reopenings,
        "urges": measures.urges,
        "supervisions": measures.supervisions,
        "follow_ups": measures.follow_ups,
        "satisfied_rate": measures.satisfied_rate,
        "basically_rate": measures.basically_rate,
        "unsatisfied_rate": measures.unsatisfied_rate,
    }


def _ranking_sheet(key: str, table: StatisticsTable) -> ReportSheet:
    columns = tuple(
        ReportColumn(name, t(f"statistics.measure.{name}"), kind) for name, kind in _MEASURE_COLUMNS
    )

    def line(row: StatisticsRow) -> tuple[object, ...]:
        values = {
            "rank": row.rank,
            "code": row.code,
            "name": row.name or t("statistics.measure.no_place"),
            "score": row.score,
            **measure_values(row.measures),
        }
        return tuple(values[column.key] for column in columns)

    total_values = {
        "rank": None,
        "code": "",
        "name": t("statistics.measure.total"),
        "score": table.total_score,
        **measure_values(table.totals),
    }
    return ReportSheet(
        key=key,
        title=t(f"statistics.report.sheet_{key}"),
        columns=columns,
        rows=tuple(line(row) for row in table.rows),
        total=tuple(total_values[column.key] for column in columns),
    )


def build_report(
    context: ServiceContext, service: StatisticsService, period: Period
) -> PerformanceReport:
    """Every sheet of the report for ``period`` (a handful of aggregate queries per sheet)."""
    tables = {
        dimension: service.table(dimension, period)
        for dimension in (Dimension.department, Dimension.community, Dimension.category)
    }
    sheets = [_ranking_sheet(dimension.value, table) for dimension, table in tables.items()]
    r = "statistics.report."

    def columns(*specs: tuple[str, ColumnKind]) -> tuple[ReportColumn, ...]:
        return tuple(ReportColumn(name, t(r + name), kind) for name, kind in specs)

    overdue = service.overdue_list(period)
    sheets.append(
        ReportSheet(
            key="overdue",
            title=t(r + "sheet_overdue"),
            columns=columns(
                ("case_code", _C.text),
                ("case_title", _C.text),
                ("category", _C.text),
                ("community", _C.text),
                ("department", _C.text),
                ("dispatched_at", _C.instant),
                ("scored_due_at", _C.instant),
                ("feedback_at", _C.instant),
                ("reporter_phone", _C.text),
            ),
            rows=tuple(
                (
                    row.code,
                    row.title,
                    row.category_name,
                    row.community_name,
                    row.department_name,
                    row.dispatched_at,
                    row.scored_due_at,
                    row.feedback_at,
                    row.reporter_phone,
                )
                for row in overdue
            ),
        )
    )
    escalations = service.escalations(period)
    sheets.append(
        ReportSheet(
            key="escalations",
            title=t(r + "sheet_escalations"),
            columns=columns(
                ("case_code", _C.text),
                ("case_title", _C.text),
                ("kind", _C.text),
                ("severity", _C.text),
                ("stage", _C.text),
                ("raised_at", _C.instant),
                ("closed_at", _C.instant),
                ("reports", _C.integer),
                ("late_reports", _C.integer),
            ),
            rows=tuple(
                (
                    row.code,
                    row.title,
                    _label("escalation_kind", row.kind),
                    _label("severity", row.severity),
                    _label("escalation_stage", row.stage),
                    row.raised_at,
                    row.closed_at,
                    row.reports,
                    row.late_reports,
                )
                for row in escalations
            ),
        )
    )
    workers = service.workers(period)
    sheets.append(
        ReportSheet(
            key="workers",
            title=t(r + "sheet_workers"),
            columns=columns(
                ("worker", _C.text),
                ("grids", _C.text),
                ("reported", _C.integer),
                ("resolved_in_grid", _C.integer),
                ("verifications", _C.integer),
                ("verified_on_time", _C.integer),
                ("verified_on_time_rate", _C.percent),
            ),
            rows=tuple(
                (
                    row.name,
                    row.grids,
                    row.reported,
                    row.resolved_in_grid,
                    row.verifications,
                    row.verified_on_time,
                    row.verified_on_time_rate,
                )
                for row in workers
            ),
        )
    )
    title = t(
        r + "title",
        centre=context.settings.centre.name,
        period=period.label,
        at=context.local_text(context.now()),
    )
    return PerformanceReport(title=title, period=period, sheets=tuple(sheets), tables=tables)


def _label(kind: str, value: str) -> str:
    """An enum value's label (``escalation_kind.major_dispute`` …)."""
    return t(f"{kind}.{value}")


# -- writing ------------------------------------------------------------------------------------


def _text(value: object) -> object:
    """Untrusted text as text: control characters removed, a formula-looking cell kept text."""
    if isinstance(value, str):
        text = display_text(value)
        return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
    return value


def _local(value: datetime, context: ServiceContext) -> datetime:
    return context.local(value).replace(tzinfo=None)


def _plain(value: object, kind: ColumnKind, context: ServiceContext) -> object:
    """A cell for CSV and JSON: instants as local ISO text, rates rounded, text made safe."""
    if value is None:
        return None
    if kind is ColumnKind.instant and isinstance(value, datetime):
        return context.local(value).isoformat(timespec="minutes")
    if kind is ColumnKind.percent and isinstance(value, float):
        return round(value, 4)
    if kind in (ColumnKind.hours, ColumnKind.score) and isinstance(value, float):
        return round(value, 1)
    return _text(value)


def write_report(
    report: PerformanceReport, path: Path, file_format: ReportFormat, context: ServiceContext
) -> tuple[Path, ...]:
    """Write ``report``: one workbook, one CSV per sheet (``name-<sheet>.csv``) or one JSON
    document. Returns the files written."""
    if file_format is ReportFormat.xlsx:
        _write_xlsx(report, path, context)
        return (path,)
    if file_format is ReportFormat.json:
        document = {
            "title": report.title,
            "period": {
                "first": report.period.first.isoformat(),
                "last": report.period.last.isoformat(),
            },
            "sheets": {
                sheet.key: {
                    "title": sheet.title,
                    "columns": {column.key: column.header for column in sheet.columns},
                    "rows": [
                        {
                            column.key: _plain(value, column.kind, context)
                            for column, value in zip(sheet.columns, row, strict=True)
                        }
                        for row in sheet.rows
                    ],
                    "total": None
                    if sheet.total is None
                    else {
                        column.key: _plain(value, column.kind, context)
                        for column, value in zip(sheet.columns, sheet.total, strict=True)
                    },
                }
                for sheet in report.sheets
            },
        }
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return (path,)
    written = []
    for sheet in report.sheets:
        target = path.with_name(f"{path.stem}-{sheet.key}.csv")
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column.header for column in sheet.columns])
            for row in (*sheet.rows, *((sheet.total,) if sheet.total else ())):
                writer.writerow(
                    [
                        "" if (cell := _plain(value, column.kind, context)) is None else cell
                        for column, value in zip(sheet.columns, row, strict=True)
                    ]
                )
        written.append(target)
    return tuple(written)


def _width(value: object, kind: ColumnKind) -> int:
    if value is None:
        return 0
    if kind is ColumnKind.instant:
        return 16
    if kind in (ColumnKind.percent, ColumnKind.hours, ColumnKind.score):
        return 7
    return cell_len(str(value))


def _write_xlsx(report: PerformanceReport, path: Path, context: ServiceContext) -> None:
    # XlsxWriter streams each row to the file as it is written (constant_memory) with one
    # shared format per kind of cell; openpyxl built a cell object per value, styled each in a
    # second pass and serialised them all at save: 3.5 s of the 100,000-case demo's report
    # (7,351 overdue rows), more than every query of it together
    import xlsxwriter  # type: ignore[import-untyped]

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats: dict[tuple[str | None, bool], Any] = {}

    def style(number_format: str | None, strong: bool) -> Any:
        key = (number_format, strong)
        if key not in formats:
            properties: dict[str, object] = {"bold": True} if strong else {}
            if number_format is not None:
                properties["num_format"] = number_format
            formats[key] = workbook.add_format(properties) if properties else None
        return formats[key]

    try:
        for sheet in report.sheets:
            worksheet = workbook.add_worksheet(sheet.title)
            body = (*sheet.rows, *((sheet.total,) if sheet.total else ()))
            for index, column in enumerate(sheet.columns):
                widest = max(
                    [cell_len(column.header), *(_width(row[index], column.kind) for row in body)]
                )
                worksheet.set_column(index, index, min(60, widest + 2))
            worksheet.freeze_panes(2, 0)  # the title and the header stay on screen
            worksheet.write_string(0, 0, str(_text(report.title)))
            for index, column in enumerate(sheet.columns):
                worksheet.write_string(1, index, str(_text(column.header)), style(None, True))
            number_formats = [_NUMBER_FORMATS.get(column.kind) for column in sheet.columns]
            for offset, row in enumerate(body):
                strong = sheet.total is not None and offset == len(body) - 1
                for index, value in enumerate(row):
                    _write_cell(
                        worksheet,
                        2 + offset,
                        index,
                        value,
                        style(number_formats[index], strong),
                        context,
                    )
    finally:
        workbook.close()


def _write_cell(
    worksheet: Any, row: int, column: int, value: object, cell_format: Any, context: ServiceContext
) -> None:
    """One cell as its type: an instant in the centre's time, a number, text made safe (never
    a formula), an empty cell (None or no text) keeping its column's format."""
    if isinstance(value, str):
        value = _text(value) or None
    if value is None:
        if cell_format is not None:
            worksheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, column, _local(value, context), cell_format)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float):
        worksheet.write_number(row, column, value, cell_format)
    else:
        worksheet.write_string(row, column, str(value), cell_format)


# -- Open311 GeoReport v2 -----------------------------------------------------------------------

_CLOSED_STATES = {CaseState.closed.value, CaseState.followed_up.value, CaseState.rejected.value}


def open311_requests(
    context: ServiceContext, period: Period, *, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """The period's cases (reported in it) as Open311 GeoReport v2 service requests, streamed
    from the database. No reporter data (Art. 17)."""
    zone = context.settings.centre.zone
    start, end = period.start(zone), period.end(zone)
    with context.db.read(scan=True) as session:
        result = session.execute(
            open311_statement(start, end), execution_options={"yield_per": batch}
        )
        for row in result:
            state = str(row.state)
            closed = state in _CLOSED_STATES
            yield {
                "service_request_id": row.code,
                "status": "closed" if closed else "open",
                "status_notes": t(f"state.{state}"),
                "service_code": row.category_code,
                "service_name": display_text(row.category_name),
                "description": display_text(row.description),
                "agency_responsible": display_text(row.department_name or ""),
                "service_notice": "",
                "requested_datetime": context.local(row.reported_at).isoformat(),
                "updated_datetime": context.local(row.updated_at).isoformat(),
                "expected_datetime": context.local(row.due_at).isoformat()
                if row.due_at is not None and not closed
                else None,
                "address": display_text(row.address),
                "address_id": row.grid_code or "",
                "zipcode": "",
                "lat": row.lat,
                "long": row.lon,
                "media_url": "",
            }


def write_open311(context: ServiceContext, period: Period, path: Path) -> int:
    """Write the period's cases as one Open311 JSON array; returns how many."""
    actor = context.actor
    permissions.require_statistics_reader(actor.role, operator=actor.display_name)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for request in open311_requests(context, period):
            handle.write(("," if count else "") + "\n" + json.dumps(request, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count


def sheet_keys(report: PerformanceReport) -> Sequence[str]:
    return [sheet.key for sheet in report.sheets]
