"""The command line: the console, demo databases, schema, operators, cases and import.

Heavy modules (SQLAlchemy through the services, Textual through the app) are imported inside the
commands that need them, so ``gridconsole --help`` stays fast. Every refusal is a translated
message on stderr: exit status 1 for a refused or invalid operation, 2 for a usage or
configuration error.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from gridconsole.clock import Clock, OffsetClock, SystemClock
from gridconsole.config import LOCALES, ConfigError, Settings, load_settings
from gridconsole.domain.enums import CaseState, Priority, RejectReason, Role
from gridconsole.domain.errors import DomainError
from gridconsole.domain.text import display_text
from gridconsole.i18n import set_locale, t

if TYPE_CHECKING:
    from gridconsole.services.bundle import Services
    from gridconsole.services.calendar import CalendarService
    from gridconsole.services.deadline_records import FiredDeadlines
    from gridconsole.services.records import CaseDetail
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
    click.echo(message, err=True)
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
            if type(exc).__module__.startswith("sqlalchemy"):
                usage = type(exc).__name__ == "ArgumentError"
                fail(
                    t("cli.database_error", error=getattr(exc, "orig", None) or exc),
                    EXIT_USAGE if usage else EXIT_REFUSED,
                )
            raise


def _parse_now(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(t("cli.now_invalid", value=value)) from None
    if instant.tzinfo is None:
        raise click.BadParameter(t("cli.now_invalid", value=value))
    return instant


def _clock(now_text: str | None, speed_text: str | None) -> Clock:
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
    clock = _clock(now_text, speed_text)
    ctx.obj = CliState(
        settings=settings,
        db_url=db_url or settings.database.url,
        explicit_db=db_url,
        clock=clock,
    )
    if ctx.invoked_subcommand is None:
        _run_console(ctx.obj)


def _run_console(state: CliState, url: str | None = None) -> None:
    """Open the console; it opens the database itself, in a worker, once its shell is drawn.

    Nothing here may import SQLAlchemy: it costs more than Textual's whole start-up, and the
    operator would stare at a blank terminal meanwhile.
    """
    from gridconsole.services.database_files import require_existing
    from gridconsole.views.ports import ServicesOpener

    url = url or state.db_url
    require_existing(url)  # before the screen changes: the refusal reads best on a plain terminal
    settings, clock = state.settings, state.clock

    def open_console_services() -> Services:
        from gridconsole.services.bundle import open_services

        return open_services(settings, clock, url=url)

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

    status = run_console(ServicesOpener(open_console_services, clock, console_timers), settings)
    if status:
        raise SystemExit(status)


# -- demo ---------------------------------------------------------------------------------------


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
        state = dataclasses.replace(state, clock=_clock(now_text, speed_text))

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
    _run_console(state, url)


# -- scheduler ----------------------------------------------------------------------------------


@main.command()
@pass_state
def scheduler(state: CliState) -> None:
    """Run the deadline timers headless until SIGTERM or SIGINT (nights without a console).

    Fires warnings, breaches and the overdue ladder exactly as a console does (each once, however
    many consoles and schedulers run), logging one line per firing.
    """
    import asyncio
    import logging
    import signal

    from gridconsole.scheduling.deadline_timers import DeadlineTimers, describe
    from gridconsole.services import database
    from gridconsole.services.database_files import require_existing
    from gridconsole.services.deadline_watch import DeadlineWatch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log = logging.getLogger("gridconsole.scheduler")
    require_existing(state.db_url)
    db = database.connect(state.db_url)
    if state.clock.simulated:
        database.allow_clock_override(db)
    watch = DeadlineWatch.headless(db, state.clock, state.settings)
    zone = state.settings.centre.zone

    def on_fired(fired: FiredDeadlines) -> None:
        for line in describe(fired, zone):
            log.info(line)

    def change_token() -> int:
        from gridconsole.services.queue import QueueService

        return QueueService(watch.context).change_token()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        timers = DeadlineTimers(
            watch,
            state.clock,
            on_fired=on_fired,
            change_token=change_token,
            changes_seconds=state.settings.queue.refresh_seconds,
        )
        timers.start()
        log.info(
            t(
                "deadline_watch.scheduler_started",
                clock=f"{state.clock.now().astimezone(zone):%Y-%m-%d %H:%M:%S%z}",
            )
        )
        try:
            await stop.wait()
        finally:
            timers.shutdown()
            log.info(t("deadline_watch.scheduler_stopped"))

    try:
        asyncio.run(run())
    finally:
        db.dispose()


# -- db -----------------------------------------------------------------------------------------


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


# -- operators ----------------------------------------------------------------------------------


@main.group()
def operator() -> None:
    """Operators: the OS accounts that may use the console, and their roles."""


@operator.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@pass_state
def operator_add(state: CliState, username: str, display_name: str, role: str) -> None:
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
        ]
        for view in list_operators(state.db_url)
    ]
    headers = [t("cli.col_username"), t("cli.col_name"), t("cli.col_role"), t("cli.col_active")]
    _echo_table(headers, rows)


# -- cases --------------------------------------------------------------------------------------


def _plain(value: object, zone: Any) -> object:
    """JSON-ready: dataclasses to objects, enums to their stored value (priorities by name),
    instants to ISO-8601 in the centre's zone, with the offset."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: _plain(getattr(value, item.name), zone) for item in dataclasses.fields(value)
        }
    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item, zone) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item, zone) for key, item in value.items()}
    return value


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    from rich.cells import cell_len

    widths = [cell_len(header) for header in headers]
    for row in rows:
        widths = [max(width, cell_len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)
        )
        return "  ".join(padded).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * width for width in widths))
    for row in rows:
        click.echo(line(row))


@main.group()
def cases() -> None:
    """List, show and import cases."""


@cases.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in CaseState]))
@click.option("--category", metavar="CODE")
@click.option("--grid", metavar="CODE")
@click.option("--search", default="", metavar="TEXT")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def cases_list(
    state: CliState,
    states: tuple[str, ...],
    category: str | None,
    grid: str | None,
    search: str,
    limit: int,
    as_json: bool,
) -> None:
    """List cases, most urgent then oldest first."""
    from gridconsole.services.records import QueueFilter

    services = state.services()
    query = QueueFilter(
        states=tuple(CaseState(value) for value in states),
        category_code=category,
        grid_code=grid,
        search=search,
    )
    rows: list[Any] = []
    cursor = None
    total = 0
    while len(rows) < limit:
        page = services.queue.page(query, after=cursor, limit=min(limit - len(rows), 500))
        rows.extend(page.rows)
        total = page.total
        cursor = page.next_cursor
        if cursor is None:
            break
    zone = state.settings.centre.zone
    if as_json:
        _echo_json([_plain(row, zone) for row in rows])
        return
    headers = [
        t("cli.col_code"),
        t("cli.col_priority"),
        t("cli.col_state"),
        t("cli.col_category"),
        t("cli.col_grid"),
        t("cli.col_title"),
        t("cli.col_reported"),
    ]
    _echo_table(
        headers,
        [
            [
                row.code,
                t(f"priority.{row.priority.name}"),
                t(f"state.{row.state.value}"),
                display_text(row.category_name),
                display_text(row.grid_name),
                display_text(row.title),
                f"{row.reported_at.astimezone(zone):%Y-%m-%d %H:%M}",
            ]
            for row in rows
        ],
    )
    click.echo(t("cli.shown_of", shown=len(rows), total=total))


@cases.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_state
def cases_show(state: CliState, code: str, as_json: bool) -> None:
    """Every field of one case and its timeline."""
    services = state.services()
    detail = services.queue.detail(code)
    zone = state.settings.centre.zone
    if as_json:
        _echo_json(_plain(detail, zone))
        return
    _echo_detail(detail, zone)


def _echo_detail(detail: CaseDetail, zone: Any) -> None:
    def when(instant: datetime | None) -> str:
        return f"{instant.astimezone(zone):%Y-%m-%d %H:%M:%S}" if instant else "-"

    lines: list[tuple[str, str]] = [
        ("code", detail.code),
        ("version", str(detail.version)),
        ("state", t(f"state.{detail.state.value}")),
        ("priority", t(f"priority.{detail.priority.name}")),
        ("source", t(f"source.{detail.source.value}")),
        ("category", f"{detail.category_name} ({detail.category_code})"),
        ("grid", f"{detail.grid_name} ({detail.grid_code})" if detail.grid_code else "-"),
        ("community", detail.community_name or "-"),
        ("street", detail.street_name),
        ("title", detail.title),
        ("address", detail.address or "-"),
        ("reporter_name", detail.reporter_name or "-"),
        ("reporter_phone", detail.reporter_phone_masked or "-"),
        ("external_id", detail.external_id or "-"),
        ("reported_at", when(detail.reported_at)),
        ("accepted_at", when(detail.accepted_at)),
        ("closed_at", when(detail.closed_at)),
        ("due_at", when(detail.due_at)),
        (
            "reject_reason",
            t(f"reject_reason.{detail.reject_reason.value}") if detail.reject_reason else "-",
        ),
        ("merged_into", detail.merged_into_code or "-"),
        ("updated", f"{when(detail.updated_at)} {detail.updated_by_name}"),
        (
            "allowed_actions",
            ", ".join(t(f"action.{action.value}") for action in detail.allowed_actions) or "-",
        ),
    ]
    for name, value in lines:
        click.echo(f"{t('cli.field.' + name)}: {display_text(value)}")
    click.echo(f"{t('cli.field.description')}:")
    for text_line in display_text(detail.description).split("\n"):
        click.echo(f"  {text_line}")
    click.echo(f"{t('cli.timeline')}:")
    for event in detail.events:
        change = ""
        if event.from_state or event.to_state:
            before = t(f"state.{event.from_state.value}") if event.from_state else "-"
            after = t(f"state.{event.to_state.value}") if event.to_state else before
            change = f" {before} → {after}"
        reason = f" — {display_text(event.reason)}" if event.reason else ""
        click.echo(
            f"  {when(event.at)}  {display_text(event.operator_name)}  "
            f"{t(f'action.{event.action.value}')}{change}{reason}"
        )


@cases.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["auto", "jsonl", "csv", "open311"]),
    default="auto",
    show_default=True,
)
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_state
def cases_import(state: CliState, file: Path, file_format: str, dry_run: bool) -> None:
    """Import cases from JSON Lines, CSV or Open311 GeoReport v2 JSON: all or nothing."""
    from gridconsole.services.import_formats import ImportFormat
    from gridconsole.services.imports import import_cases

    services = state.services()
    report = import_cases(
        services.context, file, file_format=ImportFormat(file_format), dry_run=dry_run
    )
    name = click.format_filename(file)
    if not report.accepted:
        for problem in report.problems:
            click.echo(problem.render(name), err=True)
        fail(t("import.refused", problems=len(report.problems), records=report.records))
    if report.dry_run:
        click.echo(t("import.dry_run_ok", records=report.records, format=report.format.value))
        return
    click.echo(t("import.imported", count=len(report.imported), format=report.format.value))
    if report.imported:
        click.echo(t("import.codes", first=report.imported[0].code, last=report.imported[-1].code))
    for case in report.imported:
        for candidate in case.duplicates:
            click.echo(
                t(
                    "import.possible_duplicate",
                    file=name,
                    line=case.line,
                    code=case.code,
                    other=candidate.code,
                    similarity=f"{candidate.similarity:.2f}",
                )
            )
    if report.duplicates_unchecked:
        click.echo(t("import.duplicates_unchecked", count=report.duplicates_unchecked))


# -- case transitions ---------------------------------------------------------------------------


@main.group()
def case() -> None:
    """Change one case: accept, reject, merge, resolve in grid, set priority."""


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


# -- the work calendar --------------------------------------------------------------------------


@main.group()
def calendar() -> None:
    """Hand-entered holiday notices: days declared holidays or working days (调休)."""


def _calendar_service(state: CliState) -> CalendarService:
    from gridconsole.services.calendar import CalendarService

    return CalendarService(state.services().context)


def _day_argument(value: str) -> date:
    from gridconsole.services.calendar import parse_day

    day = parse_day(value)
    if day is None:
        raise click.BadParameter(t("calendar.bad_date", value=value), param_hint="DATE")
    return day


def _kind_label(kind: enum.Enum) -> str:
    return t(f"calendar.kind_{kind.value}")


@calendar.command("set")
@click.argument("day_text", metavar="DATE")
@click.argument("kind_text", metavar="holiday|workday")
@click.argument("note")
@pass_state
def calendar_set(state: CliState, day_text: str, kind_text: str, note: str) -> None:
    """Declare DATE a holiday or a working day (replaces what was entered for it; admins only).

    holiday may also be written 休 or 放假, workday 班 or 上班; NOTE names the notice (元旦…).
    """
    from gridconsole.services.calendar import KIND_WORDS, parse_kind

    day = _day_argument(day_text)
    kind = parse_kind(kind_text)
    if kind is None:
        choices = ", ".join(KIND_WORDS)
        message = t("rule.one_of", value=kind_text, choices=choices)
        raise click.BadParameter(message, param_hint="holiday|workday")
    entry = _calendar_service(state).set_day(day, kind, note)
    click.echo(
        t(
            "calendar.set",
            day=entry.day.isoformat(),
            kind=_kind_label(entry.kind),
            note=display_text(entry.note),
        )
    )


@calendar.command("remove")
@click.argument("day_text", metavar="DATE")
@pass_state
def calendar_remove(state: CliState, day_text: str) -> None:
    """Forget what was entered for DATE (admins only)."""
    entry = _calendar_service(state).remove_day(_day_argument(day_text))
    click.echo(
        t(
            "calendar.removed",
            day=entry.day.isoformat(),
            kind=_kind_label(entry.kind),
            note=display_text(entry.note),
        )
    )


@calendar.command("list")
@click.option("--year", type=click.IntRange(1900, 9999), default=None, help="Only this year.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def calendar_list(state: CliState, year: int | None, as_json: bool) -> None:
    """List the hand-entered days in date order."""
    entries = _calendar_service(state).list_days(year)
    zone = state.settings.centre.zone
    if as_json:
        _echo_json([_plain(entry, zone) for entry in entries])
        return
    if not entries:
        click.echo(t("calendar.none"))
        return
    weekdays = t("calendar.weekdays").split()
    headers = [
        t("calendar.col_date"),
        t("calendar.col_weekday"),
        t("calendar.col_kind"),
        t("calendar.col_note"),
        t("calendar.col_entered_by"),
        t("calendar.col_entered_at"),
    ]
    _echo_table(
        headers,
        [
            [
                entry.day.isoformat(),
                weekdays[entry.day.weekday()],
                _kind_label(entry.kind),
                display_text(entry.note),
                display_text(entry.entered_by_name),
                f"{entry.entered_at.astimezone(zone):%Y-%m-%d %H:%M}",
            ]
            for entry in entries
        ],
    )


@calendar.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_state
def calendar_import(state: CliState, file: Path, dry_run: bool) -> None:
    """Enter a year's notice from CSV (date,kind,note) or JSON Lines: all or nothing (admins only)."""
    report = _calendar_service(state).import_days(file, dry_run=dry_run)
    name = click.format_filename(file)
    if not report.accepted:
        for problem in report.problems:
            click.echo(problem.render(name), err=True)
        fail(t("import.refused", problems=len(report.problems), records=report.records))
    if report.dry_run:
        click.echo(
            t("calendar.dry_run_ok", records=report.records, changed=len(report.changed_days))
        )
        return
    click.echo(t("calendar.imported", count=len(report.entries), changed=len(report.changed_days)))
