"""Operators: the OS accounts that may use the console."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gridconsole.domain.enums import Role
from gridconsole.domain.text import display_text
from gridconsole.i18n import t

if TYPE_CHECKING:
    pass
from gridconsole.cli.main import (
    CliState,
    echo_table,
    main,
    pass_state,
)


@main.group()
def operator() -> None:
    """Operators: the OS accounts that may use the console, and their roles."""


@operator.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option(
    "--department", metavar="DEPT", default=None, help="A liaison's department (required for them)."
)
@pass_state
def operator_add(
    state: CliState, username: str, display_name: str, role: str, department: str | None
) -> None:
    """Add an operator (the first must be an admin; later ones are added by an admin)."""
    from gridconsole.services.admin import add_operator
    from gridconsole.services.operators import os_username

    state.check_clock()
    added = add_operator(
        state.db_url,
        state.clock,
        caller=os_username(),
        username=username,
        display_name=display_name,
        role=Role(role),
        department=department,
    )
    click.echo(
        t(
            "cli.operator_added",
            username=added.username,
            name=added.display_name,
            role=t(f"role.{added.role.value}"),
        )
    )


@operator.command("list")
@pass_state
def operator_list(state: CliState) -> None:
    """List the operators."""
    from gridconsole.services.admin import list_operators

    rows = [
        [
            view.username,
            display_text(view.display_name),
            t(f"role.{view.role.value}"),
            t("cli.yes") if view.active else t("cli.no"),
            view.department_code,
        ]
        for view in list_operators(state.db_url)
    ]
    headers = [
        t("cli.col_username"),
        t("cli.col_name"),
        t("cli.col_role"),
        t("cli.col_active"),
        t("cli.col_department"),
    ]
    echo_table(headers, rows)
