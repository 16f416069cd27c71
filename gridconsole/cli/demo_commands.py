"""The demo database: create, seed and open it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gridconsole.i18n import t

if TYPE_CHECKING:
    pass
from gridconsole.cli.main import (
    CliState,
    build_clock,
    main,
    open_console,
    pass_state,
)


def _default_demo_url() -> str:
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('gridconsole')) / 'demo.db'}"


@main.command()
@click.option(
    "--cases", "case_count", type=click.IntRange(0, 1_000_000), default=2000, show_default=True
)
@click.option("--fresh", is_flag=True, help="Delete the demo database first and seed it again.")
@click.option("--db", "demo_db", metavar="URL", help="Where the demo database lives.")
@click.option("--now", "now_text", metavar="ISO-8601", help="As the global --now.")
@click.option("--speed", "speed_text", metavar="N", help="As the global --speed.")
@pass_state
def demo(
    state: CliState,
    case_count: int,
    fresh: bool,
    demo_db: str | None,
    now_text: str | None,
    speed_text: str | None,
) -> None:
    """Create (if missing) and open a demo database."""
    from gridconsole.services.admin import prepare_demo
    from gridconsole.services.operators import os_username

    if now_text is not None or speed_text is not None:
        # ``gridconsole demo --now … --speed 60``: the same clock the global options build
        state = dataclasses.replace(state, clock=build_clock(now_text, speed_text))

    url = demo_db or state.explicit_db or _default_demo_url()
    outcome = prepare_demo(
        url,
        state.clock,
        cases=case_count,
        username=os_username(),
        settings=state.settings,
        fresh=fresh,
        reuse=True,
    )
    if outcome.created:
        click.echo(t("cli.demo_created", url=url, cases=case_count), err=True)
    open_console(state, url)
