"""Operators: the OS accounts that may use the console."""

from __future__ import annotations

import sys

import click

from gridconsole.cli.main import CliState, fail, main, pass_state
from gridconsole.cli.output import echo_table, masked
from gridconsole.domain.enums import Role
from gridconsole.i18n import t

ROLE_CHOICE = click.Choice([role.value for role in Role])


@main.group()
def operator() -> None:
    """Operators: the OS accounts that may use the console, and their roles."""


@operator.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=ROLE_CHOICE, required=True)
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
        settings=state.settings,
    )
    click.echo(
        t(
            "cli.operator_added",
            username=added.username,
            name=masked(added.display_name),
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
            masked(view.display_name),
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


@operator.command("disable")
@click.argument("username")
@pass_state
def operator_disable(state: CliState, username: str) -> None:
    """Disable an operator (admins): they can no longer log in; their history stays."""
    from gridconsole.services.admin import disable_operator
    from gridconsole.services.operators import os_username

    state.check_clock()
    disable_operator(
        state.db_url, state.clock, state.settings, caller=os_username(), username=username
    )
    click.echo(t("auth.operator_disabled", username=username))


@operator.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--department", metavar="DEPT", default=None, help="A liaison's department.")
@pass_state
def operator_set_role(state: CliState, username: str, role: str, department: str | None) -> None:
    """Change an operator's role (admins); a liaison needs their department."""
    from gridconsole.services.admin import set_operator_role
    from gridconsole.services.operators import os_username

    state.check_clock()
    changed = set_operator_role(
        state.db_url,
        state.clock,
        state.settings,
        caller=os_username(),
        username=username,
        role=Role(role),
        department=department,
    )
    click.echo(t("auth.operator_role_set", username=username, role=t(f"role.{changed.role.value}")))


@operator.command("password")
@click.argument("username")
@click.option(
    "--stdin", "from_stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@pass_state
def operator_password(state: CliState, username: str, from_stdin: bool) -> None:
    """Set an operator's local password (admins): argon2id, asked twice, never echoed. It is the
    second factor on shared accounts and unlocks an idle-locked console."""
    from gridconsole.services.admin import set_operator_password
    from gridconsole.services.operators import os_username

    state.check_clock()
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            t("auth.password_prompt", username=username), hide_input=True, err=True
        )
        again = click.prompt(
            t("auth.password_prompt", username=username), hide_input=True, err=True
        )
        if again != password:
            fail(t("auth.password_mismatch"))
    set_operator_password(
        state.db_url,
        state.clock,
        state.settings,
        caller=os_username(),
        username=username,
        password=password,
    )
    click.echo(t("auth.operator_password_set", username=username))
