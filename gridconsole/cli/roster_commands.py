"""The roster of grids and grid workers: list, search, coverage, import/export, notice, complaints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gridconsole.domain.enums import ComplaintOutcome, ComplaintSource, PersonalField
from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.roster import RosterService
    from gridconsole.services.roster_records import WorkerRow
from gridconsole.cli.main import CliState, fail, main, pass_state
from gridconsole.cli.output import RevealedText, echo_json, echo_table, masked, plain_value

KIND_CHOICE = click.Choice(["grids", "workers"])


def _roster(state: CliState) -> RosterService:
    return state.services().roster


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(t("calendar.bad_date", value=value)) from None


def _worker_cells(row: WorkerRow) -> list[str]:
    return [
        str(row.id),
        masked(row.name),
        t(f"roster.WorkerRole.{row.role.value}"),
        t(f"roster.WorkerStatus.{row.status.value}")
        + (t("roster.cli.on_duty_mark") if row.on_duty_today else ""),
        row.mobile_masked or "-",
        "-" if row.age is None else str(row.age),
        " ".join(row.grid_codes) or "-",
        " ".join(row.heads) or "-",
        str(row.open_cases),
        str(row.reported_this_month),
        f"{row.complaints}/{row.open_complaints}",
    ]


@main.group()
def roster() -> None:
    """The roster of grids and grid workers (Art. 6–20): read by the centre, kept by admins."""


@roster.command("list")
@click.option("--search", "text", default="", help="Name, pinyin initials, grid code or community.")
@click.option("--grid", "grid_code", default=None, metavar="CODE")
@click.option("--community", "community_code", default=None, metavar="CODE")
@click.option("--all", "include_left", is_flag=True, help="Include workers who have left.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_state
def roster_list(
    state: CliState,
    text: str,
    grid_code: str | None,
    community_code: str | None,
    include_left: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List grid workers in pinyin order (masked numbers)."""
    from gridconsole.services.roster_records import RosterQuery

    query = RosterQuery(text, community_code, grid_code, include_left)
    page = _roster(state).page(query, limit=limit)
    if as_json:
        echo_json(plain_value(page, state.settings.centre.zone))
        return
    headers = [t(f"roster.cli.col_{name}") for name in _WORKER_COLUMNS]
    echo_table(headers, [_worker_cells(row) for row in page.rows])
    click.echo(t("roster.cli.shown", shown=len(page.rows), total=page.total))


_WORKER_COLUMNS = (
    "id",
    "name",
    "role",
    "status",
    "mobile",
    "age",
    "grids",
    "heads",
    "open_cases",
    "reported",
    "complaints",
)


@roster.command("show")
@click.argument("worker_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--reveal",
    "reason",
    default=None,
    metavar="REASON",
    help="Show the full mobile (and ID number: admins) for REASON, recorded in the audit log.",
)
@pass_state
def roster_show(state: CliState, worker_id: int, as_json: bool, reason: str | None) -> None:
    """A worker's record: grids, declarations (Art. 14), complaints (Art. 19); numbers masked."""
    zone = state.settings.centre.zone
    services = state.services()
    detail = services.roster.worker(worker_id)
    # field → the full value, marked RevealedText by plain_value: printed unmasked
    full: dict[str, str] = {}
    if reason is not None:
        # refused (no permission, no reason) before anything is printed
        revealed = plain_value(services.privacy.reveal_worker(worker_id, reason=reason), zone)
        assert isinstance(revealed, dict)
        full = revealed["values"]
    if as_json:
        data = plain_value(detail, zone)
        assert isinstance(data, dict)
        data["revealed"] = full
        echo_json(data)
        return
    row = detail.row
    for label, value in (
        ("name", row.name),
        ("role", t(f"roster.WorkerRole.{row.role.value}")),
        ("status", t(f"roster.WorkerStatus.{row.status.value}")),
        ("mobile", full.get(PersonalField.worker_mobile.value) or detail.mobile or "-"),
        ("id_number", full.get(PersonalField.worker_id_number.value) or detail.id_number or "-"),
        ("birth", "-" if row.birth_date is None else f"{row.birth_date} ({row.age})"),
        ("grids", " ".join(row.grid_codes) or "-"),
        ("heads", " ".join(row.heads) or "-"),
    ):
        mark = t("privacy.revealed") if isinstance(value, RevealedText) else ""
        click.echo(f"{t(f'roster.cli.col_{label}')}: {masked(value)}{mark}")
    if detail.declaration is not None:
        for rule in ("citizen", "criminal", "detention", "dismissal", "dishonesty"):
            answer = getattr(detail.declaration, rule)
            shown = "-" if answer is None else t("roster.cli.yes" if answer else "roster.cli.no")
            click.echo(f"  {t(f'roster.declaration.{rule}')}: {shown}")
    for complaint in detail.complaints:
        state_text = (
            t(f"roster.ComplaintOutcome.{complaint.outcome.value}")
            if complaint.outcome is not None
            else t("roster.cli.open")
        )
        click.echo(
            f"#{complaint.id} {complaint.received_at.astimezone(state.settings.centre.zone):%Y-%m-%d} "
            f"{t(f'roster.ComplaintSource.{complaint.source.value}')} {state_text}: "
            f"{masked(complaint.content)}"
        )


@roster.command("coverage")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def roster_coverage(state: CliState, as_json: bool) -> None:
    """Coverage findings: grids without head or full-time worker, overloaded workers,
    households outside the usual range. Exit status 1 when the regulation is breached."""
    report = _roster(state).coverage()
    if as_json:
        echo_json(plain_value(report, state.settings.centre.zone))
    else:
        for finding in report.findings:
            mark = t("roster.cli.warning") if finding.warning else t("roster.cli.breach")
            click.echo(
                f"{mark} {finding.subject} {masked(finding.subject_name)}: {masked(finding.detail)}"
            )
        click.echo(
            t(
                "roster.cli.coverage_summary",
                grids=report.grids,
                breaches=len(report.breaches),
                warnings=len(report.warnings),
            )
        )
    if report.breaches:
        raise SystemExit(1)


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--kind", type=KIND_CHOICE, required=True)
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@pass_state
def roster_import(state: CliState, file: Path, kind: str, dry_run: bool) -> None:
    """Import grids or workers from CSV (UTF-8) or Excel (.xlsx): all or nothing."""
    from gridconsole.services.roster_files import RosterKind, import_roster

    report = import_roster(_roster(state), file, RosterKind(kind), dry_run=dry_run)
    name = click.format_filename(file)
    if not report.accepted:
        for problem in report.problems:
            click.echo(masked(problem.render(name)), err=True)
        fail(t("roster.import.refused", problems=len(report.problems), records=report.records))
    if report.dry_run:
        click.echo(t("roster.import.dry_run_ok", records=report.records))
        return
    click.echo(t("roster.import.imported", count=report.written, kind=t(f"roster.sheet.{kind}")))


@roster.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", type=KIND_CHOICE, required=True)
@pass_state
def roster_export(state: CliState, file: Path, kind: str) -> None:
    """Export grids or workers (full numbers: admins) as .csv or .xlsx, as the import reads."""
    from gridconsole.services.roster_files import RosterKind, export_roster

    count = export_roster(_roster(state), file, RosterKind(kind))
    click.echo(t("roster.cli.exported", count=count, file=click.format_filename(file)))


@roster.command("notice")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--community", "community_code", default=None, metavar="CODE")
@pass_state
def roster_notice(state: CliState, file: Path, community_code: str | None) -> None:
    """The public notice of Art. 19: .xlsx, .csv, any other name as text, - to print it."""
    from gridconsole.services.roster_files import notice_text, write_notice

    notice = _roster(state).public_notice(community_code)
    if str(file) == "-":
        click.echo(notice_text(notice, state.settings.centre.name), nl=False)
        return
    count = write_notice(notice, file, state.settings.centre.name)
    click.echo(t("roster.cli.exported", count=count, file=click.format_filename(file)))


@roster.command("changes")
@click.option("--since", default=None, metavar="YYYY-MM-DD")
@click.option("--until", default=None, metavar="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def roster_changes(state: CliState, since: str | None, until: str | None, as_json: bool) -> None:
    """The grid changes with their reasons: the filing list for the city centre (Art. 7)."""
    records = _roster(state).grid_changes(_day(since), _day(until))
    if as_json:
        echo_json([plain_value(record, state.settings.centre.zone) for record in records])
        return
    zone = state.settings.centre.zone
    echo_table(
        [
            t(f"roster.cli.col_{name}")
            for name in ("when", "grid", "change", "old", "new", "reason", "by")
        ],
        [
            [
                f"{record.changed_at.astimezone(zone):%Y-%m-%d %H:%M}",
                f"{record.grid_code} {masked(record.grid_name)}",
                t(f"roster.GridChangeKind.{record.kind.value}"),
                masked(record.old_value) or "-",
                masked(record.new_value) or "-",
                masked(record.reason) or "-",
                masked(record.changed_by) or "-",
            ]
            for record in records
        ],
    )


@roster.command("duty")
@click.argument("worker_id", type=int)
@click.argument("on_duty", type=click.Choice(["on", "off"]))
@click.option("--version", type=int, default=None, help="The version you saw (default: current).")
@pass_state
def roster_duty(state: CliState, worker_id: int, on_duty: str, version: int | None) -> None:
    """Mark a worker on duty today, or not."""
    roster_service = _roster(state)
    if version is None:
        version = roster_service.worker(worker_id).row.version
    detail = roster_service.set_on_duty(worker_id, version, on_duty == "on")
    click.echo(
        t(
            "roster.cli.duty_on" if detail.row.on_duty_today else "roster.cli.duty_off",
            name=masked(detail.row.name),
        )
    )


@roster.command("complain")
@click.argument("worker_id", type=int)
@click.option("--source", type=click.Choice([s.value for s in ComplaintSource]), required=True)
@click.option("--content", required=True)
@click.option("--complainant", default="")
@click.option("--phone", "complainant_phone", default="")
@pass_state
def roster_complain(
    state: CliState,
    worker_id: int,
    source: str,
    content: str,
    complainant: str,
    complainant_phone: str,
) -> None:
    """Record a complaint from the public against a worker (Art. 19)."""
    record = _roster(state).record_complaint(
        worker_id,
        source=ComplaintSource(source),
        content=content,
        complainant=complainant,
        complainant_phone=complainant_phone,
    )
    click.echo(t("roster.cli.complaint_recorded", id=record.id, name=masked(record.worker_name)))


@roster.command("handle")
@click.argument("complaint_id", type=int)
@click.option("--outcome", type=click.Choice([o.value for o in ComplaintOutcome]), required=True)
@click.option("--note", required=True)
@pass_state
def roster_handle(state: CliState, complaint_id: int, outcome: str, note: str) -> None:
    """Settle a complaint with its outcome (shift lead, admin)."""
    record = _roster(state).handle_complaint(
        complaint_id, outcome=ComplaintOutcome(outcome), note=note
    )
    click.echo(
        t(
            "roster.cli.complaint_handled",
            id=record.id,
            outcome=t(f"roster.ComplaintOutcome.{outcome}"),
        )
    )


@roster.command("reindex")
@click.option("--all", "every", is_flag=True, help="Rewrite every key, not only missing ones.")
@pass_state
def roster_reindex(state: CliState, every: bool) -> None:
    """Write the pinyin search keys of names entered outside the console."""
    count = _roster(state).refresh_search_keys(every=every)
    click.echo(t("roster.cli.reindexed", count=count))
