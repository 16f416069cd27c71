"""The command line's root: global options, the state every command gets, the console.

Heavy modules (SQLAlchemy through the services, Textual through the app) are imported inside the
commands that need them, so ``gridconsole --help`` stays fast. Every refusal is a translated
message on stderr: exit status 1 for a refused or invalid operation, 2 for a usage or
configuration error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from gridconsole.cli.output import masked_lines
from gridconsole.clock import Clock, OffsetClock, SystemClock
from gridconsole.config import LOCALES, ConfigError, Settings, load_settings
from gridconsole.domain.errors import DomainError
from gridconsole.i18n import set_locale, t

if TYPE_CHECKING:
    from gridconsole.services.bundle import Services
    from gridconsole.services.deadline_records import FiredDeadlines
    from gridconsole.views.ports import ConsoleServices, DeadlineTimersPort

EXIT_REFUSED = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class CliState:
    settings: Settings
    db_url: str
    explicit_db: str | None  # --db as given (the demo never falls back to the configured URL)
    clock: Clock

    def services(self) -> Services:
        """The services of this database as the OS user (``--now`` checked against its purpose)."""
        from gridconsole.services.bundle import open_services
        from gridconsole.services.database_files import require_existing

        require_existing(self.db_url)
        return open_services(self.settings, self.clock, url=self.db_url)

    def check_clock(self, url: str | None = None) -> None:
        if self.clock.simulated:
            from gridconsole.services.admin import allow_simulated_clock

            allow_simulated_clock(url or self.db_url)


def fail(message: str, status: int = EXIT_REFUSED) -> NoReturn:
    """``message`` on stderr, masked (a refusal may quote stored text, a database error its
    parameters), and exit with ``status``."""
    click.echo("\n".join(masked_lines(message)), err=True)
    raise SystemExit(status)


class _Main(click.Group):
    """Turns refusals into a message and an exit status instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(str(exc))
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
        except Exception as exc:
            if type(exc).__name__ in ("AuditKeyError", "UnauditedWrite"):
                fail(str(exc))
            if type(exc).__module__.startswith("sqlalchemy"):
                usage = type(exc).__name__ == "ArgumentError"
                fail(database_error_message(exc), EXIT_USAGE if usage else EXIT_REFUSED)
            raise


# SQLite's result codes (``sqlite3.Error.sqlite_errorname``) an operator can act on, by prefix
_SQLITE_CONDITIONS = (
    ("SQLITE_BUSY", "recovery.database_locked"),
    ("SQLITE_LOCKED", "recovery.database_locked"),
    ("SQLITE_READONLY", "recovery.database_read_only"),
    ("SQLITE_FULL", "recovery.disk_write_failed"),
    ("SQLITE_IOERR", "recovery.disk_write_failed"),
    ("SQLITE_CANTOPEN", "recovery.database_cannot_open"),
)


def database_error_message(exc: BaseException) -> str:
    """What a database failure means for the operator: locked by another program, read-only,
    disk full or failing — each said plainly (the transaction was rolled back: nothing saved)."""
    cause = getattr(exc, "orig", None) or exc
    name = str(getattr(cause, "sqlite_errorname", "") or "")
    for prefix, key in _SQLITE_CONDITIONS:
        if name.startswith(prefix):
            from gridconsole.store.engine import BUSY_TIMEOUT_MS

            return t(key, error=cause, seconds=BUSY_TIMEOUT_MS // 1000)
    return t("cli.database_error", error=cause)


def _parse_now(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(t("cli.now_invalid", value=value)) from None
    if instant.tzinfo is None:
        raise click.BadParameter(t("cli.now_invalid", value=value))
    return instant


def build_clock(now_text: str | None, speed_text: str | None) -> Clock:
    """``--now`` starts a simulated clock; ``--speed N`` (only with it) runs it N times faster."""
    speed = 1.0
    if speed_text is not None:
        try:
            speed = float(speed_text)
        except ValueError:
            speed = 0.0
        if not 0 < speed < float("inf"):
            fail(t("deadline_watch.speed_invalid", value=speed_text), EXIT_USAGE)
        if not now_text:
            fail(t("deadline_watch.speed_needs_now"), EXIT_USAGE)
    if not now_text:
        return SystemClock()
    try:
        start = _parse_now(now_text)
    except click.BadParameter as exc:
        fail(exc.format_message(), EXIT_USAGE)
    return OffsetClock(start, speed=speed)


pass_state = click.make_pass_decorator(CliState)


@click.group(cls=_Main, invoke_without_command=True)
@click.option(
    "--db", "db_url", metavar="URL", help="Database URL (else GRIDCONSOLE_DB, else config)."
)
@click.option("--lang", type=click.Choice(LOCALES), help="Language of messages (zh or en).")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-8601",
    envvar="GRIDCONSOLE_NOW",
    help="Start a simulated clock at this instant (demo and training databases only).",
)
@click.option(
    "--speed",
    "speed_text",
    metavar="N",
    help="With --now: simulated time runs N times faster (training).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (else GRIDCONSOLE_CONFIG, else ./config.toml).",
)
@click.pass_context
def main(
    ctx: click.Context,
    db_url: str | None,
    lang: str | None,
    now_text: str | None,
    speed_text: str | None,
    config_path: Path | None,
) -> None:
    """gridconsole: the console of a street grid-governance dispatch centre.

    Without a command, opens the console.
    """
    if lang:
        set_locale(lang)  # type: ignore[arg-type]
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    set_locale(lang or settings.ui.locale)  # type: ignore[arg-type]
    clock = build_clock(now_text, speed_text)
    ctx.obj = CliState(
        settings=settings,
        db_url=db_url or settings.database.url,
        explicit_db=db_url,
        clock=clock,
    )
    if ctx.invoked_subcommand is None:
        open_console(ctx.obj)


@main.command("console")
@click.option(
    "--operator",
    "operator_name",
    metavar="NAME",
    help="The operator, on a shared account only (the SSH key's forced command names it).",
)
@pass_state
def console(state: CliState, operator_name: str | None) -> None:
    """Open the console (the same as no command)."""
    open_console(state, operator=operator_name)


def open_console(state: CliState, url: str | None = None, *, operator: str | None = None) -> None:
    """Open the console; it opens the database itself, in a worker, once its shell is drawn.

    Nothing here may import SQLAlchemy: it costs more than Textual's whole start-up, and the
    operator would stare at a blank terminal meanwhile.
    """
    from gridconsole.services.database_files import require_existing
    from gridconsole.services.identity import identify, password_required
    from gridconsole.views.ports import ServicesOpener

    url = url or state.db_url
    settings, clock = state.settings, state.clock
    # who is asking, and whether --operator is allowed here, before anything is opened
    identity = identify(settings, operator)
    ask_password = password_required(settings, identity)
    require_existing(url)  # before the screen changes: the refusal reads best on a plain terminal

    def open_console_services() -> Services:
        from gridconsole.services.bundle import open_services

        services = open_services(settings, clock, url=url, identity=identity)
        if not ask_password:
            services.auth.login()  # audited; refused while the operator is locked out
        return services

    def console_timers(
        services: ConsoleServices, on_fired: Callable[[FiredDeadlines], None]
    ) -> DeadlineTimersPort:
        from gridconsole.scheduling.deadline_timers import DeadlineTimers
        from gridconsole.services.context import ServiceContext
        from gridconsole.services.deadline_watch import DeadlineWatch

        context = services.context
        assert isinstance(context, ServiceContext)
        return DeadlineTimers(DeadlineWatch(context), clock, on_fired=on_fired)

    from gridconsole.app import run_console

    status = run_console(
        ServicesOpener(open_console_services, clock, console_timers),
        settings,
        ask_password=ask_password,
    )
    if status:
        raise SystemExit(status)
