"""The department directory and the routing rules: where cases are dispatched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gridconsole.domain.enums import DepartmentKind
from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.departments import DepartmentService
    from gridconsole.services.dispatch_records import DepartmentRecord
    from gridconsole.services.routing import RouteRecord
from gridconsole.cli.main import CliState, main, pass_state
from gridconsole.cli.output import echo_json, echo_table, masked, plain_value

KIND_CHOICE = click.Choice([kind.value for kind in DepartmentKind])


def _department_service(state: CliState) -> DepartmentService:
    return state.services().departments


def _kind_label(kind: DepartmentKind) -> str:
    return t(f"department.kind_{kind.value}")


def _named(record: DepartmentRecord) -> dict[str, str]:
    return {"code": record.code, "name": masked(record.name)}


# -- gridconsole department ---------------------------------------------------------------------


@main.group()
def department() -> None:
    """The department directory: linkage departments, the categories they handle (admins change it)."""


@department.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def department_list(state: CliState, as_json: bool) -> None:
    """List the departments by code, with their categories and liaisons."""
    records = _department_service(state).list_departments()
    if as_json:
        echo_json([plain_value(record, state.settings.centre.zone) for record in records])
        return
    if not records:
        click.echo(t("department.none"))
        return
    headers = [
        t("department.col_code"),
        t("department.col_name"),
        t("department.col_kind"),
        t("department.col_phone"),
        t("department.col_active"),
        t("department.col_categories"),
        t("department.col_liaisons"),
    ]
    echo_table(
        headers,
        [
            [
                record.code,
                masked(record.name),
                _kind_label(record.kind),
                record.duty_phone or "-",
                t("department.active") if record.active else t("department.inactive"),
                " ".join(record.category_codes) or "-",
                " ".join(masked(name) for name in record.liaison_names) or "-",
            ]
            for record in records
        ],
    )


@department.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--kind", "kind_text", type=KIND_CHOICE, required=True)
@click.option("--phone", "duty_phone", default="", metavar="PHONE", help="Duty phone.")
@pass_state
def department_add(state: CliState, code: str, name: str, kind_text: str, duty_phone: str) -> None:
    """Add a department (admins only); give it its categories with `department categories`."""
    record = _department_service(state).add(
        code=code, name=name, kind=DepartmentKind(kind_text), duty_phone=duty_phone
    )
    click.echo(t("department.added", **_named(record)))


@department.command("set")
@click.argument("code")
@click.option("--name", default=None, help="New name.")
@click.option("--kind", "kind_text", type=KIND_CHOICE, default=None)
@click.option(
    "--phone", "duty_phone", default=None, metavar="PHONE", help='Duty phone ("" removes it).'
)
@pass_state
def department_set(
    state: CliState,
    code: str,
    name: str | None,
    kind_text: str | None,
    duty_phone: str | None,
) -> None:
    """Change a department's name, kind or duty phone (admins only)."""
    if name is None and kind_text is None and duty_phone is None:
        raise click.UsageError(t("department.nothing_to_change"))
    record = _department_service(state).update(
        code,
        name=name,
        kind=DepartmentKind(kind_text) if kind_text is not None else None,
        duty_phone=duty_phone,
    )
    click.echo(t("department.updated", **_named(record)))


@department.command("enable")
@click.argument("code")
@pass_state
def department_enable(state: CliState, code: str) -> None:
    """Enable a department: cases can be dispatched to it again (admins only)."""
    record = _department_service(state).set_active(code, True)
    click.echo(t("department.enabled", **_named(record)))


@department.command("disable")
@click.argument("code")
@pass_state
def department_disable(state: CliState, code: str) -> None:
    """Disable a department: dispatching to it is refused; its routes stay (admins only)."""
    record = _department_service(state).set_active(code, False)
    click.echo(t("department.disabled", **_named(record)))


@department.command("categories")
@click.argument("code")
@click.argument("category_codes", metavar="CATEGORY...", nargs=-1, required=True)
@pass_state
def department_categories(state: CliState, code: str, category_codes: tuple[str, ...]) -> None:
    """Set the categories a department handles, replacing what it had (admins only)."""
    record = _department_service(state).set_categories(code, category_codes)
    categories = " ".join(record.category_codes) or t("department.no_categories")
    click.echo(t("department.categories_set", code=record.code, categories=categories))


# -- gridconsole route --------------------------------------------------------------------------


@main.group()
def route() -> None:
    """Routing rules: which department a category goes to, by default or in a community or grid."""


def _place(record: RouteRecord) -> str:
    """`` 320102002001 大行宫社区`` for a community or grid; empty for a category's default."""
    if record.scope == "category":
        return ""
    return f" {record.scope_code} {masked(record.scope_name)}"


def _route_fields(record: RouteRecord) -> dict[str, str]:
    return {
        "category": f"{record.category_code} {masked(record.category_name)}",
        "scope": t(f"routing.scope_{record.scope}"),
        "place": _place(record),
        "department": f"{record.department.code} {masked(record.department.name)}",
    }


def _scope_options(community: str | None, grid: str | None) -> None:
    if community is not None and grid is not None:
        raise click.UsageError(t("routing.both_scopes"))


@route.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def route_list(state: CliState, as_json: bool) -> None:
    """List the routes by category: its default first, then community and grid rules."""
    records = _department_service(state).routes()
    if as_json:
        echo_json([plain_value(record, state.settings.centre.zone) for record in records])
        return
    if not records:
        click.echo(t("routing.none"))
        return
    headers = [
        t("routing.col_category"),
        t("routing.col_scope"),
        t("routing.col_place"),
        t("routing.col_department"),
    ]
    rows = []
    for record in records:
        department = f"{record.department.code} {masked(record.department.name)}"
        if not record.department_active:
            department += t("routing.inactive")
        rows.append(
            [
                f"{record.category_code} {masked(record.category_name)}",
                t(f"routing.scope_{record.scope}"),
                _place(record).strip() or "-",
                department,
            ]
        )
    echo_table(headers, rows)


@route.command("set")
@click.argument("category")
@click.argument("department_code", metavar="DEPARTMENT")
@click.option("--community", metavar="CODE", default=None, help="Only in this community.")
@click.option("--grid", metavar="CODE", default=None, help="Only in this grid.")
@pass_state
def route_set(
    state: CliState, category: str, department_code: str, community: str | None, grid: str | None
) -> None:
    """Route CATEGORY to DEPARTMENT: in a community, in a grid, or by default (admins only).

    The most specific route wins: the grid's, then the community's, then the default.
    """
    _scope_options(community, grid)
    record = _department_service(state).set_route(
        category_code=category,
        department_code=department_code,
        community_code=community,
        grid_code=grid,
    )
    click.echo(t("routing.set", **_route_fields(record)))


@route.command("clear")
@click.argument("category")
@click.option("--community", metavar="CODE", default=None, help="The community's route.")
@click.option("--grid", metavar="CODE", default=None, help="The grid's route.")
@pass_state
def route_clear(state: CliState, category: str, community: str | None, grid: str | None) -> None:
    """Remove a route of CATEGORY: a community's, a grid's, or its default (admins only)."""
    _scope_options(community, grid)
    record = _department_service(state).clear_route(
        category_code=category, community_code=community, grid_code=grid
    )
    click.echo(t("routing.cleared", **_route_fields(record)))
