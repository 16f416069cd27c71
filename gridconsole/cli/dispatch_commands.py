"""Dispatch work from the command line: the same journey as the console's panes.

``gridconsole case dispatch|sign|return|extension|suspension|feedback|resume|verify|follow-up|
reopen|urge|supervise`` change one case; ``gridconsole request list|approve|refuse`` are the shift
lead's decisions on the departments' requests; ``gridconsole worklist`` is a department's list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from gridconsole.cli.case_action_commands import _transition, _version_option, case
from gridconsole.cli.main import CliState, main, pass_state
from gridconsole.cli.output import echo_json, echo_table, plain_value
from gridconsole.domain.enums import ContactChannel, Satisfaction
from gridconsole.i18n import t

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from gridconsole.services.records import CaseDetail


def _local_instant(value: str, zone: ZoneInfo) -> datetime:
    """``2026-12-04 17:30`` in the centre's zone, or ISO-8601 with an offset."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(t("cli.instant_invalid", value=value)) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=zone)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(t("cli.day_invalid", value=value)) from None


def _changed(detail: CaseDetail) -> None:
    click.echo(
        t(
            "cli.case_changed",
            code=detail.code,
            state=t(f"state.{detail.state.value}"),
            version=detail.version,
        )
    )


@case.command("dispatch")
@click.argument("code")
@click.option("--lead", required=True, metavar="DEPT", help="The lead department (主办).")
@click.option("--assist", "assists", multiple=True, metavar="DEPT", help="An assisting one (协办).")
@click.option("--note", default="", metavar="TEXT", help="The instruction to the departments.")
@click.option(
    "--override", default="", metavar="REASON", help="Shift lead: dispatch despite the routing."
)
@_version_option
@pass_state
def case_dispatch(
    state: CliState,
    code: str,
    lead: str,
    assists: tuple[str, ...],
    note: str,
    override: str,
    seen_version: int | None,
) -> None:
    """派遣 (or 改派 a returned case) to a lead department and any assisting ones."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.dispatch.dispatch(
            code, version, lead=lead, assists=assists, instruction=note, override_reason=override
        ),
    )


@case.command("sign")
@click.argument("code")
@click.option("--note", default="", metavar="TEXT")
@_version_option
@pass_state
def case_sign(state: CliState, code: str, note: str, seen_version: int | None) -> None:
    """签收 for the lead department (by the centre: recorded on its behalf)."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.desk.sign(code, version, note=note),
    )


@case.command("return")
@click.argument("code")
@click.option("--reason", required=True, metavar="TEXT")
@click.option("--basis", required=True, metavar="TEXT", help="The duty basis (职责依据).")
@_version_option
@pass_state
def case_return(
    state: CliState, code: str, reason: str, basis: str, seen_version: int | None
) -> None:
    """退单: ask the shift lead to take the case back (it stays until decided)."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.desk.request_return(
            code, version, reason=reason, basis=basis
        ),
    )


@case.command("extension")
@click.argument("code")
@click.option("--until", "until", required=True, metavar="WHEN", help="e.g. '2026-12-04 17:30'")
@click.option("--reason", required=True, metavar="TEXT")
@_version_option
@pass_state
def case_extension(
    state: CliState, code: str, until: str, reason: str, seen_version: int | None
) -> None:
    """延期申请: a later deadline, asked before the current one passes."""
    new_due = _local_instant(until, state.settings.centre.zone)
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.desk.request_extension(
            code, version, new_due=new_due, reason=reason
        ),
    )


@case.command("suspension")
@click.argument("code")
@click.option("--resume", "resume_on", required=True, metavar="DAY", help="e.g. 2026-12-10")
@click.option("--reason", required=True, metavar="TEXT")
@_version_option
@pass_state
def case_suspension(
    state: CliState, code: str, resume_on: str, reason: str, seen_version: int | None
) -> None:
    """挂起申请: stop the clocks until the planned resume day, if the shift lead approves."""
    day = _day(resume_on)
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.desk.request_suspension(
            code, version, resume_planned=day, reason=reason
        ),
    )


@case.command("feedback")
@click.argument("code")
@click.option("--text", required=True, metavar="TEXT", help="What was done.")
@_version_option
@pass_state
def case_feedback(state: CliState, code: str, text: str, seen_version: int | None) -> None:
    """反馈: the lead department's account of what was done."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.desk.feedback(code, version, text=text),
    )


@case.command("resume")
@click.argument("code")
@click.option("--reason", default="", metavar="TEXT")
@_version_option
@pass_state
def case_resume(state: CliState, code: str, reason: str, seen_version: int | None) -> None:
    """恢复 a suspended case (shift lead): the clocks run again."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.resume(code, version, reason=reason),
    )


@case.command("verify")
@click.argument("code")
@click.option("--pass/--fail", "passed", required=True, help="The result of the on-site check.")
@click.option("--note", required=True, metavar="TEXT")
@click.option("--checked-by", default="", metavar="NAME", help="The grid worker who checked.")
@_version_option
@pass_state
def case_verify(
    state: CliState, code: str, passed: bool, note: str, checked_by: str, seen_version: int | None
) -> None:
    """核查: pass closes the case; fail reopens it for a new dispatch (返工)."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.closure.verify(
            code, version, passed=passed, note=note, checked_by=checked_by
        ),
    )


@case.command("follow-up")
@click.argument("code")
@click.option(
    "--satisfaction", required=True, type=click.Choice([item.value for item in Satisfaction])
)
@click.option("--note", default="", metavar="TEXT")
@_version_option
@pass_state
def case_follow_up(
    state: CliState, code: str, satisfaction: str, note: str, seen_version: int | None
) -> None:
    """回访: the reporter was told the result; record their satisfaction."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.closure.follow_up(
            code, version, satisfaction=Satisfaction(satisfaction), note=note
        ),
    )


@case.command("reopen")
@click.argument("code")
@click.option("--reason", required=True, metavar="TEXT")
@_version_option
@pass_state
def case_reopen(state: CliState, code: str, reason: str, seen_version: int | None) -> None:
    """重新办理 after a 不满意 follow-up."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.closure.reopen(code, version, reason=reason),
    )


@case.command("urge")
@click.argument("code")
@click.option("--note", default="", metavar="TEXT")
@click.option("--channel", type=click.Choice([item.value for item in ContactChannel]))
@_version_option
@pass_state
def case_urge(
    state: CliState, code: str, note: str, channel: str | None, seen_version: int | None
) -> None:
    """催办: press the department holding the case (by phone or on the platform)."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.urge(
            code, version, note=note, channel=ContactChannel(channel) if channel else None
        ),
    )


@case.command("supervise")
@click.argument("code")
@click.option("--note", default="", metavar="TEXT")
@_version_option
@pass_state
def case_supervise(state: CliState, code: str, note: str, seen_version: int | None) -> None:
    """督办 (shift lead): a formal supervision order."""
    _transition(
        state,
        code,
        seen_version,
        lambda services, code, version: services.cases.supervise(code, version, note=note),
    )


# -- the shift lead's decisions -------------------------------------------------------------


@main.group()
def request() -> None:
    """The departments' requests (退单, 延期, 挂起): list, approve, refuse."""


@request.command("list")
@click.option(
    "--case", "case_code", default=None, metavar="CODE", help="Every request of one case."
)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def request_list(state: CliState, case_code: str | None, as_json: bool) -> None:
    """Pending requests, oldest first (or every request of one case)."""
    services = state.services()
    rows = services.approvals.for_case(case_code) if case_code else services.approvals.pending()
    zone = state.settings.centre.zone
    if as_json:
        echo_json([plain_value(row, zone) for row in rows])
        return
    if not rows:
        click.echo(t("cli.no_requests"))
        return

    def when(instant: datetime | None) -> str:
        return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}" if instant else ""

    echo_table(
        [
            t(f"cli.request_col_{name}")
            for name in ("id", "kind", "status", "case", "department", "by", "at", "asked")
        ],
        [
            [
                str(row.id),
                t(f"request_kind.{row.kind.value}"),
                t(f"request_status.{row.status.value}"),
                row.case_code,
                row.department.name if row.department else "",
                row.requested_by_name + (f" {t('cli.on_behalf')}" if row.on_behalf else ""),
                when(row.requested_at),
                when(row.new_due_at)
                or (row.resume_planned_on.isoformat() if row.resume_planned_on else "")
                or row.basis,
            ]
            for row in rows
        ],
    )


def _decide(state: CliState, request_id: int, reason: str, *, approve: bool) -> None:
    services = state.services()
    version = services.approvals.get(request_id).case_version
    decide = services.approvals.approve if approve else services.approvals.refuse
    _changed(decide(request_id, version, reason=reason))


@request.command("approve")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@pass_state
def request_approve(state: CliState, request_id: int, reason: str) -> None:
    """Approve: the return takes effect, the deadline moves, or the clocks stop."""
    _decide(state, request_id, reason, approve=True)


@request.command("refuse")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, metavar="TEXT")
@pass_state
def request_refuse(state: CliState, request_id: int, reason: str) -> None:
    """Refuse: the department keeps the case, the deadline unchanged."""
    _decide(state, request_id, reason, approve=False)


# -- a department's work list ---------------------------------------------------------------


@main.command("worklist")
@click.option("--department", default=None, metavar="DEPT", help="Centre roles: one department.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def worklist(state: CliState, department: str | None, as_json: bool) -> None:
    """A department's active dispatches, oldest first (a liaison's own, always)."""
    services = state.services()
    page = services.desk.work_list(department)
    zone = state.settings.centre.zone
    if as_json:
        # the page's countdown is for the console's live display, not data
        echo_json(
            {
                "rows": plain_value(page.rows, zone),
                "total": page.total,
                "next_after": page.next_after,
            }
        )
        return

    def when(instant: datetime | None) -> str:
        return f"{instant.astimezone(zone):%m-%d %H:%M}" if instant else ""

    echo_table(
        [
            t(f"cli.work_col_{name}")
            for name in (
                "case",
                "state",
                "role",
                "department",
                "title",
                "sign_due",
                "due",
                "pending",
            )
        ],
        [
            [
                row.case_code,
                t(f"state.{row.state.value}"),
                t(f"cli.dispatch_role_{row.role.value}"),
                row.department.name,
                row.title,
                when(row.sign_due_at),
                when(row.due_at),
                t(f"request_kind.{row.pending_request.value}") if row.pending_request else "",
            ]
            for row in page.rows
        ],
    )
