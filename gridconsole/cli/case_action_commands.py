"""Changing one case: the transitions of the lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from gridconsole.cli.output import masked
from gridconsole.domain.enums import Priority, RejectReason
from gridconsole.i18n import t

if TYPE_CHECKING:
    from gridconsole.services.bundle import Services
    from gridconsole.services.records import CaseDetail, ClaimView
from gridconsole.cli.main import (
    CliState,
    main,
    pass_state,
)


@main.group()
def case() -> None:
    """Change one case: accept, reject, merge, resolve in grid, set priority, claim."""


def _version_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--version",
        "seen_version",
        type=int,
        default=None,
        help="Refuse unless the case is still at this version (the one you saw).",
    )(function)


def _transition(
    state: CliState,
    code: str,
    seen_version: int | None,
    change: Callable[[Services, str, int], CaseDetail],
) -> None:
    services = state.services()
    version = seen_version if seen_version is not None else services.queue.detail(code).version
    detail = change(services, code, version)
    click.echo(
        t(
            "cli.case_changed",
            code=detail.code,
            state=t(f"state.{detail.state.value}"),
            version=detail.version,
        )
    )


@case.command("accept")
@click.argument("code")
@click.option("--category", metavar="CODE", help="Correct the category.")
@click.option("--grid", metavar="CODE", help="Correct or set the grid.")
@_version_option
@pass_state
def case_accept(
    state: CliState, code: str, category: str | None, grid: str | None, seen_version: int | None
) -> None:
    """受理: confirm the category and the grid."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.accept(
            code, version, category_code=category, grid_code=grid
        ),
    )


@case.command("reject")
@click.argument("code")
@click.option(
    "--reason",
    type=click.Choice(
        [reason.value for reason in RejectReason if reason is not RejectReason.duplicate]
    ),
    required=True,
)
@click.option("--note", required=True, metavar="TEXT")
@_version_option
@pass_state
def case_reject(
    state: CliState, code: str, reason: str, note: str, seen_version: int | None
) -> None:
    """不予受理 with a reason (a duplicate is merged instead)."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.reject(
            code, version, reason=RejectReason(reason), note=note
        ),
    )


@case.command("merge")
@click.argument("code")
@click.option("--into", "into_code", required=True, metavar="CODE")
@click.option("--note", default="", metavar="TEXT")
@_version_option
@pass_state
def case_merge(
    state: CliState, code: str, into_code: str, note: str, seen_version: int | None
) -> None:
    """Merge a duplicate into the original case."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.merge(
            code, version, into_code=into_code, note=note
        ),
    )


@case.command("resolve-in-grid")
@click.argument("code")
@click.option("--note", required=True, metavar="TEXT")
@_version_option
@pass_state
def case_resolve_in_grid(state: CliState, code: str, note: str, seen_version: int | None) -> None:
    """小事不出网格: the grid worker handled it."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.resolve_in_grid(code, version, note=note),
    )


@case.command("set-priority")
@click.argument("code")
@click.argument("priority", type=click.Choice([priority.name for priority in Priority]))
@click.option("--reason", default="", metavar="TEXT")
@_version_option
@pass_state
def case_set_priority(
    state: CliState, code: str, priority: str, reason: str, seen_version: int | None
) -> None:
    """Mark a case urgent or normal."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.set_priority(
            code, version, priority=Priority[priority], reason=reason
        ),
    )


# -- claims (认领): who is working on the case; not an edit, so no version to send ----------------


def _claim_changed(services: Services, view: ClaimView) -> None:
    if view.claimed_by_id is None or view.claimed_until is None:
        click.echo(t("claims_cli.nobody", code=view.code))
        return
    until = f"{services.context.local(view.claimed_until):%Y-%m-%d %H:%M}"
    holder = masked(view.claimed_by_name)
    click.echo(t("claims_cli.held", code=view.code, holder=holder, until=until))


@case.command("claim")
@click.argument("code")
@pass_state
def case_claim(state: CliState, code: str) -> None:
    """认领: hold the case while you work on it (renews your own claim)."""
    services = state.services()
    _claim_changed(services, services.claims.claim(code))


@case.command("release")
@click.argument("code")
@pass_state
def case_release(state: CliState, code: str) -> None:
    """Give up your claim on the case before it lapses."""
    services = state.services()
    _claim_changed(services, services.claims.release(code))


@case.command("break-claim")
@click.argument("code")
@click.option("--reason", default="", metavar="TEXT", help="Why (on the case's timeline).")
@pass_state
def case_break_claim(state: CliState, code: str, reason: str) -> None:
    """Break someone's claim on the case (shift lead)."""
    services = state.services()
    _claim_changed(services, services.claims.break_claim(code, reason=reason))
