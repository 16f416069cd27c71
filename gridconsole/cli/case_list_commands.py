"""Listing, showing and importing cases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gridconsole.cli.output import echo_json, echo_table, masked, masked_lines, plain_value
from gridconsole.domain.enums import CaseState
from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.records import CaseDetail
from gridconsole.cli.main import CliState, fail, main, pass_state


@main.group()
def cases() -> None:
    """List, show and import cases."""


@cases.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in CaseState]))
@click.option("--category", metavar="CODE")
@click.option("--grid", metavar="CODE")
@click.option("--search", default="", metavar="TEXT")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def cases_list(
    state: CliState,
    states: tuple[str, ...],
    category: str | None,
    grid: str | None,
    search: str,
    limit: int,
    as_json: bool,
) -> None:
    """List cases, most urgent then oldest first."""
    from gridconsole.services.records import QueueFilter

    services = state.services()
    query = QueueFilter(
        states=tuple(CaseState(value) for value in states),
        category_code=category,
        grid_code=grid,
        search=search,
    )
    rows: list[Any] = []
    cursor = None
    total = 0
    while len(rows) < limit:
        page = services.queue.page(query, after=cursor, limit=min(limit - len(rows), 500))
        rows.extend(page.rows)
        total = page.total
        cursor = page.next_cursor
        if cursor is None:
            break
    zone = state.settings.centre.zone
    if as_json:
        echo_json([plain_value(row, zone) for row in rows])
        return
    headers = [
        t("cli.col_code"),
        t("cli.col_priority"),
        t("cli.col_state"),
        t("cli.col_category"),
        t("cli.col_grid"),
        t("cli.col_title"),
        t("cli.col_reported"),
    ]
    echo_table(
        headers,
        [
            [
                row.code,
                t(f"priority.{row.priority.name}"),
                t(f"state.{row.state.value}"),
                row.category_name,
                row.grid_name,
                row.title,
                f"{row.reported_at.astimezone(zone):%Y-%m-%d %H:%M}",
            ]
            for row in rows
        ],
    )
    click.echo(t("cli.shown_of", shown=len(rows), total=total))


@cases.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_state
def cases_show(state: CliState, code: str, as_json: bool) -> None:
    """Every field of one case and its timeline."""
    services = state.services()
    detail = services.queue.detail(code)
    zone = state.settings.centre.zone
    if as_json:
        echo_json(plain_value(detail, zone))
        return
    _echo_detail(detail, zone)


def _echo_detail(detail: CaseDetail, zone: Any) -> None:
    from gridconsole.services.escalation_text import with_reason

    def when(instant: datetime | None) -> str:
        return f"{instant.astimezone(zone):%Y-%m-%d %H:%M:%S}" if instant else "-"

    lines: list[tuple[str, str]] = [
        ("code", detail.code),
        ("version", str(detail.version)),
        ("state", t(f"state.{detail.state.value}")),
        ("priority", t(f"priority.{detail.priority.name}")),
        ("source", t(f"source.{detail.source.value}")),
        ("category", f"{detail.category_name} ({detail.category_code})"),
        ("grid", f"{detail.grid_name} ({detail.grid_code})" if detail.grid_code else "-"),
        ("community", detail.community_name or "-"),
        ("street", detail.street_name),
        ("title", detail.title),
        ("address", detail.address or "-"),
        ("reporter_name", detail.reporter_name or "-"),
        ("reporter_phone", detail.reporter_phone_masked or "-"),
        ("external_id", detail.external_id or "-"),
        ("reported_at", when(detail.reported_at)),
        ("accepted_at", when(detail.accepted_at)),
        ("closed_at", when(detail.closed_at)),
        ("due_at", when(detail.due_at)),
        ("original_due_at", when(detail.original_due_at)),
        (
            "satisfaction",
            t(f"satisfaction.{detail.satisfaction.value}") if detail.satisfaction else "-",
        ),
        (
            "reject_reason",
            t(f"reject_reason.{detail.reject_reason.value}") if detail.reject_reason else "-",
        ),
        ("merged_into", detail.merged_into_code or "-"),
        ("updated", f"{when(detail.updated_at)} {detail.updated_by_name}"),
        (
            "allowed_actions",
            ", ".join(t(f"action.{action.value}") for action in detail.allowed_actions) or "-",
        ),
    ]
    for name, value in lines:
        click.echo(f"{t('cli.field.' + name)}: {masked(value)}")
    click.echo(f"{t('cli.field.description')}:")
    for text_line in masked_lines(detail.description):
        click.echo(f"  {text_line}")
    if detail.dispatches:
        click.echo(f"{t('cli.dispatches')}:")
    for dispatch in detail.dispatches:
        click.echo(
            f"  {when(dispatch.dispatched_at)}  {masked(dispatch.department_name)}"
            f"  {t(f'cli.dispatch_role_{dispatch.role.value}')}"
            f"  {t('cli.work_col_sign_due')} {when(dispatch.sign_due_at)}"
            f"  {t('cli.work_col_due')} {when(dispatch.handle_due_at)}"
            + ("" if dispatch.active else f"  {t('cli.dispatch_ended')}")
        )
    click.echo(f"{t('cli.timeline')}:")
    for event in detail.events:
        change = ""
        if event.from_state or event.to_state:
            before = t(f"state.{event.from_state.value}") if event.from_state else "-"
            after = t(f"state.{event.to_state.value}") if event.to_state else before
            change = f" {before} → {after}"
        said = with_reason(event.action, event.detail, event.reason, zone)
        reason = f" — {masked(said)}" if said else ""
        behalf = f" {t('cli.on_behalf')}" if event.on_behalf else ""
        click.echo(
            f"  {when(event.at)}  {masked(event.operator_name)}{behalf}  "
            f"{t(f'action.{event.action.value}')}{change}{reason}"
        )


@cases.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["auto", "jsonl", "csv", "open311"]),
    default="auto",
    show_default=True,
)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--progress", is_flag=True, help="Say each step on stderr (large files).")
@pass_state
def cases_import(
    state: CliState, file: Path, file_format: str, dry_run: bool, progress: bool
) -> None:
    """Import cases from JSON Lines, CSV or Open311 GeoReport v2 JSON: all or nothing.

    The same file (the same bytes) is imported once: a re-run says which batch holds it.
    """
    from gridconsole.services.import_formats import ImportFormat
    from gridconsole.services.imports import ImportPhase, import_cases

    def say_phase(phase: ImportPhase) -> None:
        click.echo(t(f"recovery.phase_{phase.value}"), err=True)

    services = state.services()
    report = import_cases(
        services.context,
        file,
        file_format=ImportFormat(file_format),
        dry_run=dry_run,
        progress=say_phase if progress else None,
    )
    name = click.format_filename(file)
    if report.already is not None:
        prior = report.already
        click.echo(
            t(
                "recovery.import_already",
                file=name,
                batch=prior.id,
                at=services.context.local_text(prior.imported_at),
                operator=masked(prior.operator_name),
                records=prior.records,
            )
        )
        return
    if not report.accepted:
        for problem in report.problems:
            click.echo(masked(problem.render(name)), err=True)
        fail(t("import.refused", problems=len(report.problems), records=report.records))
    if report.dry_run:
        click.echo(t("import.dry_run_ok", records=report.records, format=report.format.value))
        return
    click.echo(
        t("import.imported", count=len(report.imported), format=report.format.value)
        + f" — {t('recovery.import_batch', batch=report.batch_id)}"
    )
    if report.imported:
        click.echo(t("import.codes", first=report.imported[0].code, last=report.imported[-1].code))
    for case in report.imported:
        for candidate in case.duplicates:
            click.echo(
                t(
                    "import.possible_duplicate",
                    file=name,
                    line=case.line,
                    code=case.code,
                    other=candidate.code,
                    similarity=f"{candidate.similarity:.2f}",
                )
            )
    if report.duplicates_unchecked:
        click.echo(t("import.duplicates_unchecked", count=report.duplicates_unchecked))
