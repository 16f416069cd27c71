"""Reports the centre hands upward: the monthly performance evaluation (绩效考评) and the
Open311 GeoReport v2 export of a period's cases (Art. 21)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from gridconsole.cli.main import EXIT_USAGE, CliState, fail, main, pass_state
from gridconsole.i18n import t


@main.group()
def report() -> None:
    """Reports: the monthly performance evaluation and the Open311 export."""


@report.command("monthly")
@click.option("--month", "month_text", default=None, metavar="YYYY-MM", help="Default: last month.")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE"
)
@click.option(
    "--format",
    "format_text",
    type=click.Choice(["xlsx", "csv", "json"]),
    default=None,
    help="Default: from the file's suffix (xlsx otherwise). csv writes FILE-<sheet>.csv per sheet.",
)
@pass_state
def report_monthly(
    state: CliState, month_text: str | None, out: Path, format_text: str | None
) -> None:
    """The month's ranking of departments, communities and categories, the overdue list, the
    escalations and the grid workers (phones masked)."""
    from gridconsole.domain.periods import PeriodKind
    from gridconsole.services.statistics_report import ReportFormat, build_report, write_report

    services = state.services()
    statistics = services.statistics
    period = (
        statistics.month(month_text)
        if month_text
        else statistics.named_period(PeriodKind.last_month)
    )
    file_format = ReportFormat(format_text) if format_text else ReportFormat.of(out)
    built = build_report(services.context, statistics, period)
    for path in write_report(built, out, file_format, services.context):
        click.echo(t("statistics.report.written", path=path))


@report.command("open311")
@click.option("--from", "first_text", required=True, metavar="YYYY-MM-DD")
@click.option("--to", "last_text", required=True, metavar="YYYY-MM-DD")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE"
)
@pass_state
def report_open311(state: CliState, first_text: str, last_text: str, out: Path) -> None:
    """The cases reported from --from to --to (local days, both included) as an Open311
    GeoReport v2 JSON array: for pooling with the grid data centre (Art. 21). No reporter data."""
    from gridconsole.services.statistics_report import write_open311

    services = state.services()
    period = services.statistics.custom_period(_day(first_text), _day(last_text))
    count = write_open311(services.context, period, out)
    click.echo(t("statistics.report.open311_written", path=out, count=count))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(t("statistics.error.bad_date", value=text), EXIT_USAGE)
