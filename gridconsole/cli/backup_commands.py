"""Backups and restores of the SQLite database (PostgreSQL: ``pg_dump``, see the README)."""

from __future__ import annotations

from pathlib import Path

import click

from gridconsole.cli.main import CliState, main, pass_state
from gridconsole.i18n import t


@main.command("backup")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@pass_state
def backup(state: CliState, file: Path, overwrite: bool) -> None:
    """Write a verified copy of the database to FILE while consoles keep working.

    The copy is SQLite's online backup (never a file copy), checked (integrity and the audit
    chain) under a temporary name and renamed to FILE only then; FILE is readable by its owner
    only (mode 0600).
    """
    from gridconsole.services.backup import backup_database

    services = state.services()
    try:
        report = backup_database(services.context, file, overwrite=overwrite)
    finally:
        services.context.db.dispose()  # a restore run next in this process finds it closed
    click.echo(
        t(
            "recovery.backup_made",
            path=click.format_filename(report.path),
            size=f"{report.size:,}",
            entries=report.check.audit_entries,
            seconds=f"{report.seconds:.1f}",
            sha256=report.sha256,
        )
    )


@main.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_state
def restore(state: CliState, file: Path) -> None:
    """Replace the database with the backup FILE, once FILE is verified.

    Refused while a console or the scheduler has the database open. The database replaced is
    kept beside it as NAME.before-restore-<UTC time>.
    """
    from gridconsole.services.backup import restore_database
    from gridconsole.services.operators import os_username

    report = restore_database(
        state.db_url,
        file,
        settings=state.settings,
        clock=state.clock,
        username=os_username(),
    )
    click.echo(
        t(
            "recovery.restored",
            path=click.format_filename(report.path),
            source=click.format_filename(file),
            entries=report.check.audit_entries,
            previous=click.format_filename(report.previous),
        )
    )
