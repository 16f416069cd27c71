"""The audit log: verify the chain, anchor its head outside the database, list entries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from gridconsole.cli.main import EXIT_REFUSED, CliState, fail, main, pass_state
from gridconsole.cli.output import echo_table, masked
from gridconsole.i18n import t


@main.group()
def audit() -> None:
    """The tamper-evident audit log (Art. 31): verify, anchor, list."""


def _database(state: CliState):  # type: ignore[no-untyped-def]
    from gridconsole.services import database
    from gridconsole.services.bundle import configure_audit
    from gridconsole.services.database_files import require_existing

    require_existing(state.db_url)
    db = database.connect(state.db_url)
    configure_audit(db, state.settings, state.clock)
    return db


@audit.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A file of heads written by `audit anchor` (finds entries removed from the end).",
)
@pass_state
def audit_verify(state: CliState, anchor_file: Path | None) -> None:
    """Check every entry's keyed hash and link; exit 1 naming the first bad entry."""
    from gridconsole.services.audit import read_anchor_file, verify_database

    anchors = []
    if anchor_file is not None:
        try:
            anchors = read_anchor_file(anchor_file)
        except (OSError, ValueError) as exc:
            fail(t("audit.anchor_file_bad", file=str(anchor_file), error=str(exc)))
    verdict = verify_database(_database(state), anchors)
    if not verdict.ok:
        click.echo(
            t(
                "audit.verify_bad",
                seq=verdict.bad_seq,
                kind=t(f"audit.kind.{verdict.kind}"),
                problem=verdict.problem,
                good=verdict.entries,
            ),
            err=True,
        )
        raise SystemExit(EXIT_REFUSED)
    head = verdict.head
    click.echo(
        t(
            "audit.verify_ok",
            entries=verdict.entries,
            seq=head.seq if head else 0,
            hash=head.hash if head else "-",
            anchors=len(anchors),
        )
    )


@audit.command("anchor")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Append the head to this file (kept outside the database), as well as printing it.",
)
@pass_state
def audit_anchor(state: CliState, out_file: Path | None) -> None:
    """Print the chain's head (and append it to a file) for the shift handover."""
    from gridconsole.services.audit import verify_database

    verdict = verify_database(_database(state))
    if not verdict.ok or verdict.head is None:
        fail(
            t("audit.anchor_refused", problem=verdict.problem or t("audit.empty")),
        )
    line = verdict.head.line(f"{state.clock.now().astimezone():%Y-%m-%dT%H:%M:%S%z}")
    if out_file is not None:
        try:
            with out_file.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            fail(t("audit.anchor_write_failed", file=str(out_file), error=exc.strerror or exc))
    click.echo(line)


def _instant(value: str | None, zone: object) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(t("audit.bad_time", value=value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)  # type: ignore[arg-type]
    return parsed


@audit.command("list")
@click.option("--operator", "username", metavar="USER", help="Only this operator's entries.")
@click.option("--case", "case_code", metavar="CODE", help="Only entries about this case.")
@click.option("--action", "action", metavar="PREFIX", help="Actions starting so (e.g. auth.).")
@click.option("--since", metavar="ISO-8601", help="From this time (centre's zone if none given).")
@click.option("--until", metavar="ISO-8601", help="Before this time.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@pass_state
def audit_list(
    state: CliState,
    username: str | None,
    case_code: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int,
) -> None:
    """The newest entries first (auditors and admins)."""
    from gridconsole.services.audit import AuditFilter

    services = state.services()
    context = services.context
    where = AuditFilter(
        username=username,
        case_code=case_code,
        action_prefix=action,
        since=_instant(since, state.settings.centre.zone),
        until=_instant(until, state.settings.centre.zone),
    )
    page = services.audit.page(where, limit=limit)
    echo_table(
        [
            t("audit.col.seq"),
            t("audit.col.at"),
            t("audit.col.who"),
            t("audit.col.action"),
            t("audit.col.subject"),
            t("audit.col.detail"),
        ],
        [
            [
                str(row.seq),
                context.local_text(row.at),
                masked(row.display_name or row.username),
                row.action,
                masked(row.case_code or row.subject),
                masked(row.detail)[:80],
            ]
            for row in page.rows
        ],
    )
