"""The escalation board from the command line (Art. 30): the same operations as the board pane.

``gridconsole escalation list|show|alerts`` read the board; ``raise|confirm|report|level|
withdraw|ack`` change it. An escalation is named by its id (``list`` shows them). Each change
sends the version seen (``--version``), by default the current one, as the case commands do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import click

from gridconsole.cli.main import CliState, main, pass_state
from gridconsole.cli.output import echo_json, echo_table, masked, masked_lines, plain_value
from gridconsole.domain.enums import (
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.i18n import t

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from gridconsole.services.bundle import Services
    from gridconsole.services.escalation_records import AlertRow, EscalationCard

# the most alerts ``ack --all`` settles in one transaction (it repeats until none is left)
ACK_BATCH = 500


def _choice(values: type[Any]) -> click.Choice[str]:
    return click.Choice([member.value for member in values])


def _version_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--version",
        "seen_version",
        type=int,
        default=None,
        help="Refuse unless the escalation is still at this version (the one you saw).",
    )(function)


def reported_instant(value: str, zone: ZoneInfo, today: date) -> datetime:
    """``HH:MM`` today in the centre's zone, ``2026-11-29 09:40`` in it, or ISO-8601 with an
    offset."""
    text = value.strip()
    try:
        clock_time = time.fromisoformat(text)
    except ValueError:
        pass
    else:
        if clock_time.tzinfo is None:
            return datetime.combine(today, clock_time, tzinfo=zone)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(t("escalation_cli.at_invalid", value=value)) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=zone)


def _when(instant: datetime | None, zone: ZoneInfo, pattern: str = "%m-%d %H:%M") -> str:
    return f"{instant.astimezone(zone):{pattern}}" if instant else "-"


def _next_report(card: EscalationCard, zone: ZoneInfo, now: datetime) -> str:
    if card.next_report_due is None or card.next_report_at is None:
        return "-"
    text = f"{t(f'report_due.{card.next_report_due.value}')} {_when(card.next_report_at, zone)}"
    return f"{text} {t('escalation_cli.missed')}" if card.overdue(now) else text


def _changed(card: EscalationCard, state: CliState) -> None:
    zone = state.settings.centre.zone
    click.echo(
        t(
            "escalation_cli.changed",
            id=card.id,
            code=card.case_code,
            stage=t(f"escalation_stage.{card.stage.value}"),
            severity=t(f"severity.{card.severity.value}"),
            version=card.version,
        )
    )
    if card.next_report_due is not None:
        click.echo(
            t(
                "escalation_cli.next_report",
                due=t(f"report_due.{card.next_report_due.value}"),
                at=_when(card.next_report_at, zone, "%Y-%m-%d %H:%M"),
            )
        )


def _change(
    state: CliState,
    escalation_id: int,
    seen_version: int | None,
    change: Callable[[Services, int, int], EscalationCard],
) -> None:
    services = state.services()
    version = (
        seen_version
        if seen_version is not None
        else services.escalations.detail(escalation_id).card.version
    )
    _changed(change(services, escalation_id, version), state)


@main.group()
def escalation() -> None:
    """The escalation board (Art. 30): raise, confirm, report up the chain, raise the level,
    withdraw, and the alerts a shift lead acknowledges."""


# -- reading ------------------------------------------------------------------------------------


@escalation.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object, one key per stage.")
@pass_state
def escalation_list(state: CliState, as_json: bool) -> None:
    """The board by stage: each stage's escalations, the next report due soonest first."""
    services = state.services()
    board = services.escalations.board()
    zone = state.settings.centre.zone
    if as_json:
        echo_json(
            {
                column.stage.value: {
                    "total": column.total,
                    "cards": plain_value(column.cards, zone),
                }
                for column in board.columns
            }
        )
        return
    now = state.clock.now()
    headers = [
        t(f"escalation_cli.col_{name}")
        for name in ("id", "case", "kind", "severity", "grid", "raised", "next", "alerts")
    ]
    for column in board.columns:
        click.echo(
            t(
                "escalation_cli.column",
                stage=t(f"escalation_stage.{column.stage.value}"),
                total=column.total,
            )
        )
        if not column.cards:
            continue
        echo_table(
            headers,
            [
                [
                    str(card.id),
                    card.case_code,
                    t(f"escalation_kind.{card.kind.value}"),
                    t(f"severity.{card.severity.value}"),
                    card.grid_name or "-",
                    _when(card.raised_at, zone),
                    _next_report(card, zone, now),
                    str(card.open_alerts) if card.open_alerts else "",
                ]
                for card in column.cards
            ],
        )
        if column.total > len(column.cards):
            click.echo(t("cli.shown_of", shown=len(column.cards), total=column.total))
        click.echo("")


@escalation.command("show")
@click.argument("escalation_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_state
def escalation_show(state: CliState, escalation_id: int, as_json: bool) -> None:
    """One escalation: its card, the reports made and its alerts."""
    services = state.services()
    detail = services.escalations.detail(escalation_id)
    zone = state.settings.centre.zone
    if as_json:
        echo_json(plain_value(detail, zone))
        return
    card = detail.card
    full = "%Y-%m-%d %H:%M"

    def levels(values: tuple[ReportLevel, ...]) -> str:
        return "、".join(t(f"report_level.{level.value}") for level in values) or "-"

    lines = [
        ("id", str(card.id)),
        ("version", str(card.version)),
        ("case", f"{card.case_code} {masked(card.case_title)}"),
        ("case_state", t(f"state.{card.case_state.value}")),
        ("kind", t(f"escalation_kind.{card.kind.value}")),
        ("severity", t(f"severity.{card.severity.value}")),
        ("stage", t(f"escalation_stage.{card.stage.value}")),
        ("source", t(f"escalation_source.{card.source.value}")),
        ("grid", masked(card.grid_name or "-")),
        ("raised", _when(card.raised_at, zone, full)),
        ("confirmed", _when(card.confirmed_at, zone, full)),
        ("closed", _when(card.closed_at, zone, full)),
        ("next", _next_report(card, zone, state.clock.now())),
        ("missed", str(card.missed_count)),
        ("levels_required", levels(card.levels_required)),
        ("levels_owed", levels(card.levels_owed)),
        ("reason", masked(card.reason)),
    ]
    for name, value in lines:
        click.echo(f"{t(f'escalation_cli.field_{name}')}: {value}")
    click.echo(f"{t('escalation_cli.reports')}:")
    if not detail.reports:
        click.echo(f"  {t('escalation_cli.none')}")
    for report in detail.reports:
        late = f" {t('escalation_cli.late')}" if report.late else ""
        recipient = f" {masked(report.recipient)}" if report.recipient else ""
        click.echo(
            f"  {_when(report.reported_at, zone, full)}  {t(f'report_kind.{report.kind.value}')}"
            f"  {t(f'report_channel.{report.channel.value}')}"
            f"  {t(f'report_level.{report.level.value}')}{recipient}"
            f"  {masked(report.operator)}{late}"
        )
        for text_line in masked_lines(report.content):
            click.echo(f"    {text_line}")
    click.echo(f"{t('escalation_cli.alerts')}:")
    if not detail.alerts:
        click.echo(f"  {t('escalation_cli.none')}")
    for alert in detail.alerts:
        click.echo(f"  {_alert_line(alert, zone)}")


def _alert_line(alert: AlertRow, zone: ZoneInfo) -> str:
    full = "%Y-%m-%d %H:%M"
    due = f" ({_when(alert.due_at, zone, full)})" if alert.due_at else ""
    if alert.acknowledged_at is not None:
        seen = t(
            "escalation_cli.acknowledged",
            at=_when(alert.acknowledged_at, zone, full),
            by=masked(alert.acknowledged_by or t("entity.system")),
        )
    else:
        seen = t("escalation_cli.unacknowledged")
    return (
        f"#{alert.id}  {_when(alert.at, zone, full)}  {t(f'alert_kind.{alert.kind.value}')}{due}"
        f"  {seen}"
    )


@escalation.command("alerts")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_state
def escalation_alerts(state: CliState, limit: int, as_json: bool) -> None:
    """The alerts no shift lead has acknowledged yet, oldest first."""
    services = state.services()
    alerts = services.escalations.open_alerts(limit=limit)
    zone = state.settings.centre.zone
    if as_json:
        echo_json(plain_value(alerts, zone))
        return
    if not alerts:
        click.echo(t("escalation_cli.no_alerts"))
        return
    echo_table(
        [
            t(f"escalation_cli.col_{name}")
            for name in ("alert", "id", "case", "alert_kind", "kind", "severity", "at", "due")
        ],
        [
            [
                str(alert.id),
                str(alert.escalation_id),
                alert.case_code,
                t(f"alert_kind.{alert.kind.value}"),
                t(f"escalation_kind.{alert.escalation_kind.value}"),
                t(f"severity.{alert.severity.value}"),
                _when(alert.at, zone),
                _when(alert.due_at, zone),
            ]
            for alert in alerts
        ],
    )


# -- changing -----------------------------------------------------------------------------------


@escalation.command("raise")
@click.argument("code")
@click.option("--kind", required=True, type=_choice(EscalationKind))
@click.option("--severity", required=True, type=_choice(Severity))
@click.option("--reason", required=True, metavar="TEXT")
@pass_state
def escalation_raise(state: CliState, code: str, kind: str, severity: str, reason: str) -> None:
    """Put a case on the board (待确认 until a shift lead confirms it)."""
    services = state.services()
    card = services.escalations.raise_(
        code, kind=EscalationKind(kind), severity=Severity(severity), reason=reason
    )
    _changed(card, state)


@escalation.command("confirm")
@click.argument("escalation_id", type=int)
@_version_option
@pass_state
def escalation_confirm(state: CliState, escalation_id: int, seen_version: int | None) -> None:
    """Confirm a raised escalation (shift lead): its 'raised' alert is acknowledged with it."""
    _change(
        state,
        escalation_id,
        seen_version,
        lambda services, ident, version: services.escalations.confirm(ident, version),
    )


@escalation.command("report")
@click.argument("escalation_id", type=int)
@click.option("--kind", required=True, type=_choice(ReportKind), help="initial, update, final")
@click.option("--channel", required=True, type=_choice(ReportChannel))
@click.option("--level", required=True, type=_choice(ReportLevel), help="Who was told.")
@click.option("--content", required=True, metavar="TEXT")
@click.option("--recipient", default="", metavar="NAME", help="The person or office told.")
@click.option(
    "--at", "at_text", default=None, metavar="WHEN", help="When it was made: HH:MM or ISO-8601."
)
@_version_option
@pass_state
def escalation_report(
    state: CliState,
    escalation_id: int,
    kind: str,
    channel: str,
    level: str,
    content: str,
    recipient: str,
    at_text: str | None,
    seen_version: int | None,
) -> None:
    """Record a report made (初报, 续报, 终报) to one level of the chain."""
    zone = state.settings.centre.zone
    reported_at = (
        reported_instant(at_text, zone, state.clock.now().astimezone(zone).date())
        if at_text
        else None
    )
    _change(
        state,
        escalation_id,
        seen_version,
        lambda services, ident, version: services.escalations.record_report(
            ident,
            version,
            kind=ReportKind(kind),
            channel=ReportChannel(channel),
            level=ReportLevel(level),
            content=content,
            recipient=recipient,
            reported_at=reported_at,
        ),
    )


@escalation.command("level")
@click.argument("escalation_id", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@click.option("--severity", type=_choice(Severity), default=None, help="A graver severity.")
@_version_option
@pass_state
def escalation_level(
    state: CliState,
    escalation_id: int,
    reason: str,
    severity: str | None,
    seen_version: int | None,
) -> None:
    """Raise the level (shift lead): up to the district centre and/or a graver severity."""
    _change(
        state,
        escalation_id,
        seen_version,
        lambda services, ident, version: services.escalations.raise_level(
            ident, version, reason=reason, severity=Severity(severity) if severity else None
        ),
    )


@escalation.command("withdraw")
@click.argument("escalation_id", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@_version_option
@pass_state
def escalation_withdraw(
    state: CliState, escalation_id: int, reason: str, seen_version: int | None
) -> None:
    """De-escalate (shift lead): off the board, with the reason; its alerts are acknowledged."""
    _change(
        state,
        escalation_id,
        seen_version,
        lambda services, ident, version: services.escalations.deescalate(
            ident, version, reason=reason
        ),
    )


@escalation.command("ack")
@click.argument("alert_ids", type=int, nargs=-1)
@click.option("--escalation", "escalation_id", type=int, default=None, help="Its open alerts.")
@click.option("--all", "every", is_flag=True, help="Every open alert.")
@pass_state
def escalation_ack(
    state: CliState, alert_ids: tuple[int, ...], escalation_id: int | None, every: bool
) -> None:
    """Acknowledge alerts (shift lead): by alert id, every open one of an escalation, or all."""
    chosen = sum((bool(alert_ids), escalation_id is not None, every))
    if chosen != 1:
        raise click.UsageError(t("escalation_cli.ack_usage"))
    services = state.services()
    if alert_ids:
        done = services.escalations.acknowledge(alert_ids=alert_ids)
    elif escalation_id is not None:
        services.escalations.detail(escalation_id)  # an unknown id is refused by name
        done = services.escalations.acknowledge(escalation_id=escalation_id)
    else:
        done = 0
        while True:
            batch = services.escalations.open_alerts(limit=ACK_BATCH)
            if not batch:
                break
            settled = services.escalations.acknowledge(alert_ids=[alert.id for alert in batch])
            done += settled
            if not settled:
                break
    click.echo(t("escalation_cli.acknowledged_count", count=done))
