"""The database schema and demo data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gridconsole.i18n import t

if TYPE_CHECKING:
    pass
from gridconsole.cli.main import (
    EXIT_REFUSED,
    CliState,
    main,
    pass_state,
)


@main.group()
def db() -> None:
    """Database schema and demo data."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: CliState) -> None:
    """Bring the database to the latest schema revision."""
    from gridconsole.services.admin import upgrade_database

    before, after = upgrade_database(state.db_url, state.settings)
    click.echo(t("cli.upgrade_before", revision=before.revision or "-", state=before.state))
    click.echo(t("cli.upgrade_after", revision=after.revision or "-", state=after.state))


@db.command("status")
@pass_state
def db_status(state: CliState) -> None:
    """Say where the schema stands (exit 1 unless it is current) and the database's purpose."""
    from gridconsole.services.admin import schema_report

    report = schema_report(state.db_url)
    click.echo(report.message)
    if report.purpose is not None:
        click.echo(t("cli.purpose", purpose=report.purpose.value))
    if report.state != "current":
        raise SystemExit(EXIT_REFUSED)


@db.command("seed-demo")
@click.option(
    "--cases", "case_count", type=click.IntRange(0, 1_000_000), default=2000, show_default=True
)
@pass_state
def db_seed_demo(state: CliState, case_count: int) -> None:
    """Seed demo data into an empty database without opening the console."""
    from gridconsole.services.admin import prepare_demo
    from gridconsole.services.operators import os_username

    prepare_demo(
        state.db_url,
        state.clock,
        cases=case_count,
        username=os_username(),
        settings=state.settings,
        reuse=False,
    )
    click.echo(t("cli.demo_created", url=state.db_url, cases=case_count))
