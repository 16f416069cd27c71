"""The demo's escalation board (Art. 30): escalations told as the service would have written them.

Each story starts when a case is raised (by a dispatcher, with the report at intake, or proposed
by a category's rule when enough people are involved) and walks the same rules as the service:
the phone and written 初报 to the chain's levels, the shift lead's confirmation, a raise to the
district, 续报 while it is handled and the 终报 once the case is over. Times come from the
configured windows; a few reports come late, so their window was missed (an event and an alert
at the instant the timers would have fired it). Every step is checked with
:mod:`gridconsole.domain.escalation`, and the next-report columns are derived by
:func:`gridconsole.services.escalations.next_report_columns` as the service derives them, so the
board's countdowns and the timers pick up exactly where the history stops: a window already
missed at the demo's "now" is red with its alert waiting, one about to close has its warning.

Nothing here touches the database: the rows are handed to the generator's bulk inserts, and the
events go into the case's timeline in time order before the case is written.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gridconsole.config import Settings
from gridconsole.domain import escalation as rules
from gridconsole.domain.enums import (
    Action,
    AlertKind,
    CaseState,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.services import demo_text as txt
from gridconsole.services.demo_history import CaseRecord, weighted
from gridconsole.services.escalations import next_report_columns, report_windows

A = Action
ES = EscalationStage

# what the board writes on a case's timeline: none of it changes the case's version
BOARD_ACTIONS: frozenset[Action] = frozenset(
    {
        A.escalate,
        A.confirm_escalation,
        A.escalation_report,
        A.raise_escalation,
        A.deescalate,
        A.acknowledge_alert,
        A.report_window_due,
        A.report_window_missed,
    }
)
# the case states after which the 终报 is owed
CASE_OVER = (CaseState.closed, CaseState.followed_up, CaseState.rejected)
_ANSWERS: dict[ReportDue, ReportKind] = {
    ReportDue.initial_quick: ReportKind.initial,
    ReportDue.initial_written: ReportKind.initial,
    ReportDue.update: ReportKind.update,
    ReportDue.final: ReportKind.final,
}
_SEVERITIES: tuple[tuple[Severity, float], ...] = (
    (Severity.general, 45),
    (Severity.larger, 35),
    (Severity.major, 15),
    (Severity.extraordinary, 5),
)
# how far a story goes (unless the demo's "now" comes first)
PENDING_QUIET = "pending_quiet"  # raised, nobody has reported yet
PENDING_PHONED = "pending_phoned"  # the phone 初报 made, the shift lead has not confirmed
STREET = "street"  # confirmed, 初报 in writing to the chain
DISTRICT = "district"  # and raised to the district centre
HANDLING = "handling"  # 续报 while the departments work
FINAL = "final"  # 终报 after the case was closed
OPEN_PLANS = (PENDING_QUIET, STREET, HANDLING, PENDING_PHONED, DISTRICT, HANDLING, STREET)
PROPOSAL_PLANS = (PENDING_QUIET, PENDING_PHONED, STREET, HANDLING)
CLOSED_PLANS = (FINAL, FINAL, HANDLING, FINAL)
LATE_SHARE = 0.12  # reports that come after their window


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(low, high) * 60))


def _free(record: CaseRecord, at: datetime) -> datetime:
    """``at``, or the next second no event of the case holds (each event has its own time)."""
    taken = {event["at"] for event in record.events}
    while at in taken:
        at += timedelta(seconds=1)
    return at


@dataclass
class _Story:
    record: CaseRecord
    row: dict[str, Any]
    windows: rules.ReportWindows
    case_over_at: datetime | None
    made: list[rules.ReportMade] = field(default_factory=list)
    open_alerts: list[dict[str, Any]] = field(default_factory=list)
    clock: datetime = field(init=False)  # the latest step: the next comes after it

    def __post_init__(self) -> None:
        self.clock = self.row["raised_at"]

    @property
    def stage(self) -> EscalationStage:
        return EscalationStage(self.row["stage"])

    def closed_at(self, at: datetime) -> datetime | None:
        """The case's closing, once it has happened by ``at`` (the 终报 is owed from it)."""
        return self.case_over_at if self.case_over_at and self.case_over_at <= at else None


class EscalationHistory:
    """Escalation rows, their reports and alerts, and the events they put on case timelines."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        settings: Settings,
        *,
        dispatchers: list[int],
        leads: list[int],
    ) -> None:
        self.rng = rng
        self.now = now
        self.settings = settings
        self.dispatchers = dispatchers
        self.leads = leads
        self.escalations: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.quiet_count = 0

    # -- one story --------------------------------------------------------------------------

    def tell(
        self,
        record: CaseRecord,
        kind: EscalationKind,
        *,
        plan: str,
        source: EscalationSource,
        severity: Severity | None = None,
        reason: str | None = None,
    ) -> bool:
        """Escalate ``record``'s case and walk ``plan`` as far as the demo's "now" allows; False
        when the case cannot carry it (closed before it could have been raised)."""
        rng = self.rng
        reported_at: datetime = record.row["reported_at"]
        severity = severity or weighted(rng, _SEVERITIES)
        windows = report_windows(self.settings, severity)
        if source is EscalationSource.manual:
            # a matter flares up some time into the case: raised as long ago as the plan needs
            raised_at = reported_at + _minutes(rng, 5, 30)
            back = self._age(plan, windows)
            if back is not None:
                raised_at = max(raised_at, self.now - back)
        else:  # with the report (a second after it: every event of a case has its own time)
            raised_at = reported_at + timedelta(seconds=1)
            if plan in OPEN_PLANS:
                plan = self._plan_by_age(self.now - raised_at, windows)
        raised_at = _free(record, min(raised_at, self.now - timedelta(minutes=1)))
        if raised_at <= reported_at or raised_at > self.now:
            return False
        state = record.row["state"]
        case_over_at: datetime | None = record.row["closed_at"] if state in CASE_OVER else None
        if case_over_at is not None and raised_at >= case_over_at:
            return False
        operator = None if source is EscalationSource.proposal else rng.choice(self.dispatchers)
        reason = reason or txt.ESCALATION_REASONS[kind.value]
        escalation_id = len(self.escalations) + 1
        row: dict[str, Any] = {
            "id": escalation_id,
            "case_id": record.row["id"],
            "kind": kind,
            "severity": severity,
            "stage": ES.pending,
            "source": source,
            "raised_at": raised_at,
            "raised_by_id": operator,
            "confirmed_at": None,
            "confirmed_by_id": None,
            "closed_at": None,
            "reason": reason,
            "raised_to_district": False,
            "next_report_due": None,
            "next_report_at": None,
            "report_warn_at": None,
            "due_fired_for": None,
            "missed_fired_for": None,
            "missed_count": 0,
            "version": 1,
            "updated_at": raised_at,
            "updated_by_id": operator,
        }
        self.escalations.append(row)
        story = _Story(record, row, windows, case_over_at)
        self._event(
            story,
            A.escalate,
            raised_at,
            operator,
            reason=reason,
            detail={"kind": kind.value, "severity": severity.value, "source": source.value},
        )
        self._alert(story, AlertKind.raised, raised_at)
        self._walk(story, plan)
        self._settle(story)
        return True

    def _age(self, plan: str, windows: rules.ReportWindows) -> timedelta | None:
        """How long ago an open matter following ``plan`` was raised: a quiet one within its
        first window (every other one past it: red), a confirmed one before its first 续报
        falls due, one being handled a few update intervals ago."""
        rng = self.rng
        quick = windows.quick.total_seconds() / 60
        written = windows.written.total_seconds() / 60
        if plan == PENDING_QUIET:
            self.quiet_count += 1
            if self.quiet_count % 2 == 0:
                return _minutes(rng, quick + 5, quick + 45)
            return _minutes(rng, 3, 0.8 * quick)
        if plan == PENDING_PHONED:
            return _minutes(rng, quick + 2, written - 3)
        if plan in (STREET, DISTRICT):
            return windows.written + windows.update_every * rng.uniform(0.2, 0.7)
        if plan == HANDLING:
            return windows.written + windows.update_every * rng.uniform(1.3, 3.2)
        return None

    @staticmethod
    def _plan_by_age(age: timedelta, windows: rules.ReportWindows) -> str:
        """How far an open matter raised ``age`` ago has come, had the centre kept every window."""
        if age < windows.quick:
            return PENDING_QUIET
        if age < windows.written:
            return PENDING_PHONED
        if age < windows.written + windows.update_every * 0.7:
            return STREET
        return HANDLING

    def _walk(self, story: _Story, plan: str) -> None:
        rng = self.rng
        windows = story.windows
        raised_at: datetime = story.row["raised_at"]
        quick = windows.quick.total_seconds() / 60
        written = windows.written.total_seconds() / 60
        if plan == PENDING_QUIET:
            return
        phoned = raised_at + (
            _minutes(rng, quick + 2, quick + 25)
            if rng.random() < LATE_SHARE
            else _minutes(rng, 0.3 * quick, 0.9 * quick)
        )
        if not self._report(
            story, ReportKind.initial, ReportChannel.phone, ReportLevel.street_leader, phoned
        ):
            return
        if plan == PENDING_PHONED:
            return
        if not self._confirm(story, story.clock + _minutes(rng, 2, 15)):
            return
        in_writing = raised_at + (
            _minutes(rng, written + 5, written + 40)
            if rng.random() < LATE_SHARE
            else _minutes(rng, 0.55 * written, 0.95 * written)
        )
        in_writing = max(in_writing, story.clock + timedelta(minutes=2))
        for level in windows.levels:
            channel = (
                ReportChannel.written
                if level is ReportLevel.street_leader
                else rng.choice((ReportChannel.written, ReportChannel.platform))
            )
            if not self._report(story, ReportKind.initial, channel, level, in_writing):
                return
            in_writing = story.clock + _minutes(rng, 3, 15)
        if plan == STREET:
            return
        if plan == DISTRICT:
            if story.stage is ES.reported_street and self._raise(
                story, story.clock + _minutes(rng, 20, 120)
            ):
                # the 初报 to the level just added to the chain
                self._report(
                    story,
                    ReportKind.initial,
                    ReportChannel.phone,
                    ReportLevel.district_centre,
                    story.clock + _minutes(rng, 2, 10),
                )
            return
        self._updates(story, first_forced=True)
        if plan == FINAL and story.case_over_at is not None:
            self._final(story)

    def _updates(self, story: _Story, *, first_forced: bool) -> None:
        """续报 every update interval while the case is open, up to now (at most eight)."""
        rng = self.rng
        every = story.windows.update_every
        levels = story.windows.levels
        for count in range(8):
            latest = max(report.at for report in story.made)
            if rng.random() < LATE_SHARE / 2:
                at = latest + every + _minutes(rng, 10, 60)
            else:
                at = latest + every * rng.uniform(0.4, 0.95)
            if at > self.now and count == 0 and first_forced:
                # the first 续报 came early: the matter is being handled now
                at = story.clock + (self.now - story.clock) * rng.uniform(0.3, 0.8)
            at = max(at, story.clock + timedelta(minutes=1))
            if story.case_over_at is not None and at >= story.case_over_at:
                return
            level = levels[count % len(levels)]
            channel = rng.choice(
                (ReportChannel.platform, ReportChannel.written, ReportChannel.phone)
            )
            if not self._report(story, ReportKind.update, channel, level, at):
                return

    def _final(self, story: _Story) -> None:
        rng = self.rng
        assert story.case_over_at is not None
        written = story.windows.written.total_seconds() / 60
        at = story.case_over_at + (
            _minutes(rng, written + 5, written + 30)
            if rng.random() < LATE_SHARE
            else _minutes(rng, 0.2 * written, 0.9 * written)
        )
        at = max(at, story.clock + timedelta(minutes=1))
        level = (
            ReportLevel.district_centre
            if story.row["raised_to_district"]
            else (story.windows.levels[0])
        )
        self._report(story, ReportKind.final, ReportChannel.written, level, at)

    # -- the steps, as the service takes them -----------------------------------------------

    def _owed(self, story: _Story, at: datetime) -> rules.NextReport | None:
        windows = report_windows(
            self.settings, story.row["severity"], raised_to_district=story.row["raised_to_district"]
        )
        return rules.next_report(
            story.row["raised_at"],
            windows,
            story.made,
            stage=story.stage,
            case_closed_at=story.closed_at(at),
        )

    def _recorded(self, at: datetime) -> datetime:
        """When a report made at ``at`` was entered: a few minutes later, never after now."""
        return max(at, min(at + _minutes(self.rng, 1, 6), self.now))

    def _report(
        self,
        story: _Story,
        kind: ReportKind,
        channel: ReportChannel,
        level: ReportLevel,
        at: datetime,
    ) -> bool:
        if at > self.now:
            return False
        rng = self.rng
        owed = self._owed(story, at)
        if owed is not None and owed.at < at:
            self._missed(story, owed, acknowledged_at=_free(story.record, at))
        answers = owed is not None and _ANSWERS[owed.due] is kind
        late = bool(answers and owed is not None and at > owed.at)
        stage = rules.stage_after_report(
            story.stage, kind, level, case_code=story.record.row["code"]
        )
        recorded = _free(story.record, self._recorded(at))
        if recorded > self.now:
            return False
        operator = rng.choice(self.dispatchers)
        contents = txt.ESCALATION_REPORTS[story.row["kind"].value]
        index = {ReportKind.initial: 0, ReportKind.update: 2, ReportKind.final: 3}[kind]
        if kind is ReportKind.initial and channel is not ReportChannel.phone:
            index = 1
        people = story.record.row.get("people_involved") or rng.randint(12, 40)
        content = contents[index].format(people=people)
        recipient = rng.choice(txt.ESCALATION_RECIPIENTS[level.value])
        report_id = len(self.reports) + 1
        self.reports.append(
            {
                "id": report_id,
                "escalation_id": story.row["id"],
                "kind": kind,
                "channel": channel,
                "level": level,
                "recipient": recipient,
                "content": content,
                "reported_at": at,
                "recorded_at": recorded,
                "operator_id": operator,
                "due": owed.due if answers and owed else None,
                "due_at": owed.at if answers and owed else None,
                "late": late,
            }
        )
        story.made.append(rules.ReportMade(kind, channel, level, at))
        story.row["stage"] = stage
        if stage is ES.final_reported:
            story.row["closed_at"] = recorded
        self._bump(story, recorded, operator)
        self._event(
            story,
            A.escalation_report,
            recorded,
            operator,
            reason=content,
            detail={
                "report_id": report_id,
                "kind": kind.value,
                "channel": channel.value,
                "level": level.value,
                "recipient": recipient,
                "reported_at": at.isoformat(),
                "late": late,
            },
        )
        story.clock = recorded
        return True

    def _confirm(self, story: _Story, at: datetime) -> bool:
        at = _free(story.record, at)
        if at > self.now:
            return False
        lead = self.rng.choice(self.leads)
        stage = rules.stage_after_confirm(
            story.stage, rules.levels_told(story.made), case_code=story.record.row["code"]
        )
        story.row.update(stage=stage, confirmed_at=at, confirmed_by_id=lead)
        acknowledged = self._acknowledge(story, at, lead)
        self._bump(story, at, lead)
        self._event(
            story,
            A.confirm_escalation,
            at,
            lead,
            detail={"stage": stage.value, "acknowledged": acknowledged},
        )
        story.clock = at
        return True

    def _raise(self, story: _Story, at: datetime) -> bool:
        at = _free(story.record, at)
        if at > self.now:
            return False
        lead = self.rng.choice(self.leads)
        before = story.stage
        stage = rules.stage_after_raise(
            before, story.row["severity"], None, case_code=story.record.row["code"]
        )
        story.row.update(stage=stage, raised_to_district=stage is ES.reported_district)
        self._bump(story, at, lead)
        severity = story.row["severity"].value
        self._event(
            story,
            A.raise_escalation,
            at,
            lead,
            reason=self.rng.choice(txt.ESCALATION_RAISE_LEVEL),
            detail={
                "from_stage": before.value,
                "stage": stage.value,
                "from_severity": severity,
                "severity": severity,
            },
        )
        story.clock = at
        return True

    def _missed(
        self, story: _Story, owed: rules.NextReport, *, acknowledged_at: datetime | None
    ) -> None:
        """The timers fired the missed window at its instant: an event, an alert, the count;
        a shift lead acknowledged it when the late report came (if it has come)."""
        if story.row["missed_fired_for"] == owed.at or owed.at > self.now:
            return
        story.row["missed_fired_for"] = owed.at
        story.row["due_fired_for"] = owed.at  # its warning went with it
        story.row["missed_count"] += 1
        self._alert(story, AlertKind.report_missed, owed.at, due_at=owed.at)
        self._event(
            story,
            A.report_window_missed,
            _free(story.record, owed.at),
            None,
            detail={"due": owed.due.value, "due_at": owed.at.isoformat()},
        )
        if acknowledged_at is not None:
            lead = self.rng.choice(self.leads)
            self._acknowledge(story, acknowledged_at, lead, event=True)

    def _settle(self, story: _Story) -> None:
        """Where the history stops: the next report owed, a window already missed (red, its
        alert waiting) or about to close (its warning shown), as the timers leave them."""
        row = story.row
        columns = next_report_columns(
            self.settings,
            severity=row["severity"],
            raised_to_district=row["raised_to_district"],
            raised_at=row["raised_at"],
            stage=story.stage,
            reports=story.made,
            case_closed_at=story.closed_at(self.now),
        )
        row.update(
            next_report_due=columns.next_report_due,
            next_report_at=columns.next_report_at,
            report_warn_at=columns.report_warn_at,
        )
        if columns.next_report_due is None or columns.next_report_at is None:
            return
        owed = rules.NextReport(columns.next_report_due, columns.next_report_at)
        if owed.at <= self.now:
            self._missed(story, owed, acknowledged_at=None)
        elif columns.report_warn_at is not None and columns.report_warn_at <= self.now:
            row["due_fired_for"] = owed.at
            self._alert(story, AlertKind.report_due, columns.report_warn_at, due_at=owed.at)
            self._event(
                story,
                A.report_window_due,
                _free(story.record, columns.report_warn_at),
                None,
                detail={"due": owed.due.value, "due_at": owed.at.isoformat()},
            )

    # -- rows and events ------------------------------------------------------------------------

    @staticmethod
    def _bump(story: _Story, at: datetime, operator: int | None) -> None:
        story.row["version"] += 1
        story.row["updated_at"] = at
        story.row["updated_by_id"] = operator

    def _alert(
        self, story: _Story, kind: AlertKind, at: datetime, *, due_at: datetime | None = None
    ) -> None:
        alert = {
            "id": len(self.alerts) + 1,
            "escalation_id": story.row["id"],
            "kind": kind,
            "at": at,
            "due_at": due_at,
            "acknowledged_at": None,
            "acknowledged_by_id": None,
        }
        self.alerts.append(alert)
        story.open_alerts.append(alert)

    def _acknowledge(self, story: _Story, at: datetime, lead: int, *, event: bool = False) -> int:
        settled = [alert for alert in story.open_alerts if alert["at"] <= at]
        for alert in settled:
            alert.update(acknowledged_at=at, acknowledged_by_id=lead)
        story.open_alerts = [alert for alert in story.open_alerts if alert not in settled]
        if event and settled:
            self._event(
                story,
                A.acknowledge_alert,
                at,
                lead,
                detail={
                    "alerts": [alert["id"] for alert in settled],
                    "kinds": sorted({alert["kind"].value for alert in settled}),
                },
            )
        return len(settled)

    @staticmethod
    def _event(
        story: _Story,
        action: Action,
        at: datetime,
        operator: int | None,
        *,
        reason: str = "",
        detail: dict[str, Any],
    ) -> None:
        events = story.record.events
        event = {
            "case_id": story.record.row["id"],
            "at": at,
            "operator_id": operator,
            "action": action,
            "from_state": None,
            "to_state": None,
            "reason": reason,
            "on_behalf": False,
            "detail": {"escalation_id": story.row["id"], **detail},
        }
        events.insert(bisect.bisect_right([e["at"] for e in events], at), event)
