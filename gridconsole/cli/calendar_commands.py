"""The work calendar: hand-entered holiday notices."""

from __future__ import annotations

import enum
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.calendar import CalendarService
from gridconsole.cli.main import CliState, fail, main, pass_state
from gridconsole.cli.output import echo_json, echo_table, masked, plain_value


@main.group()
def calendar() -> None:
    """Hand-entered holiday notices: days declared holidays or working days (调休)."""


def _calendar_service(state: CliState) -> CalendarService:
    from gridconsole.services.calendar import CalendarService

    return CalendarService(state.services().context)


def _day_argument(value: str) -> date:
    from gridconsole.services.calendar import parse_day

    day = parse_day(value)
    if day is None:
        raise click.BadParameter(t("calendar.bad_date", value=value), param_hint="DATE")
    return day


def _kind_label(kind: enum.Enum) -> str:
    return t(f"calendar.kind_{kind.value}")


@calendar.command("set")
@click.argument("day_text", metavar="DATE")
@click.argument("kind_text", metavar="holiday|workday")
@click.argument("note")
@pass_state
def calendar_set(state: CliState, day_text: str, kind_text: str, note: str) -> None:
    """Declare DATE a holiday or a working day (replaces what was entered for it; admins only).

    holiday may also be written 休 or 放假, workday 班 or 上班; NOTE names the notice (元旦…).
    """
    from gridconsole.services.calendar import KIND_WORDS, parse_kind

    day = _day_argument(day_text)
    kind = parse_kind(kind_text)
    if kind is None:
        choices = ", ".join(KIND_WORDS)
        message = t("rule.one_of", value=kind_text, choices=choices)
        raise click.BadParameter(message, param_hint="holiday|workday")
    entry = _calendar_service(state).set_day(day, kind, note)
    click.echo(
        t(
            "calendar.set",
            day=entry.day.isoformat(),
            kind=_kind_label(entry.kind),
            note=masked(entry.note),
        )
    )


@calendar.command("remove")
@click.argument("day_text", metavar="DATE")
@pass_state
def calendar_remove(state: CliState, day_text: str) -> None:
    """Forget what was entered for DATE (admins only)."""
    entry = _calendar_service(state).remove_day(_day_argument(day_text))
    click.echo(
        t(
            "calendar.removed",
            day=entry.day.isoformat(),
            kind=_kind_label(entry.kind),
            note=masked(entry.note),
        )
    )


@calendar.command("list")
@click.option("--year", type=click.IntRange(1900, 9999), default=None, help="Only this year.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def calendar_list(state: CliState, year: int | None, as_json: bool) -> None:
    """List the hand-entered days in date order."""
    entries = _calendar_service(state).list_days(year)
    zone = state.settings.centre.zone
    if as_json:
        echo_json([plain_value(entry, zone) for entry in entries])
        return
    if not entries:
        click.echo(t("calendar.none"))
        return
    weekdays = t("calendar.weekdays").split()
    headers = [
        t("calendar.col_date"),
        t("calendar.col_weekday"),
        t("calendar.col_kind"),
        t("calendar.col_note"),
        t("calendar.col_entered_by"),
        t("calendar.col_entered_at"),
    ]
    echo_table(
        headers,
        [
            [
                entry.day.isoformat(),
                weekdays[entry.day.weekday()],
                _kind_label(entry.kind),
                masked(entry.note),
                masked(entry.entered_by_name),
                f"{entry.entered_at.astimezone(zone):%Y-%m-%d %H:%M}",
            ]
            for entry in entries
        ],
    )


@calendar.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_state
def calendar_import(state: CliState, file: Path, dry_run: bool) -> None:
    """Enter a year's notice from CSV (date,kind,note) or JSON Lines: all or nothing (admins only)."""
    report = _calendar_service(state).import_days(file, dry_run=dry_run)
    name = click.format_filename(file)
    if not report.accepted:
        for problem in report.problems:
            click.echo(masked(problem.render(name)), err=True)
        fail(t("import.refused", problems=len(report.problems), records=report.records))
    if report.dry_run:
        click.echo(
            t("calendar.dry_run_ok", records=report.records, changed=len(report.changed_days))
        )
        return
    click.echo(t("calendar.imported", count=len(report.entries), changed=len(report.changed_days)))
