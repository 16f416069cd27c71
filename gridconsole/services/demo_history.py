"""The history planner of the demo database: one case's path from report to its target state.

Each case gets a legal path through :mod:`gridconsole.domain.lifecycle` to a target state suited
to its age, plausible instants (departments mostly in office hours), operators whose roles
:data:`~gridconsole.domain.permissions.CASE_PERMISSIONS` allows, and what the services write
beside the events: dispatches with their sign and handling deadlines, the departments' requests
(退单 / 延期 / 挂起) with the shift lead's decisions, and the case's running deadline, kept in
working time as the services keep it (the handling clock runs from dispatch through signing, stops
while suspended, moves when an extension is approved).

Rows are plain dicts for bulk inserts. While a timeline is planned, dispatch and request rows
refer to their events (``"dispatched_at": event``) and take the events' instants at the end,
because a timeline that would run past "now" is squeezed into the time the case has had.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.deadlines import (
    RemainingAllowance,
    StepDeadline,
    extend,
    remaining_after_suspension,
    resume_deadline,
    running_step,
)
from gridconsole.domain.enums import (
    OPEN_STATES,
    Action,
    CaseState,
    DeadlineStep,
    DispatchRole,
    Priority,
    RejectReason,
    RequestKind,
    RequestStatus,
    Satisfaction,
    TimeUnit,
)
from gridconsole.domain.work_calendar import WorkCalendar
from gridconsole.services import demo_text as txt
from gridconsole.services.case_clocks import in_working_time
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.scoring_clocks import handling_seconds, scored_after_suspension

A = Action
S = CaseState

# The centre's zone for case-code dates and office hours. The demo is a Nanjing street office
# whatever the console's settings say, so the fixture does not depend on configuration.
ZONE = ZoneInfo("Asia/Shanghai")
# departments sign, ask and feed back in office hours on weekdays (mostly)
OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
# the centre's day shift, every day
CENTRE_HOURS = ((time(7, 30), time(21, 0)),)
# a request still waiting for the shift lead was made at most this long before the demo's now
PENDING_WINDOW = timedelta(days=1)
# the working days a department asks to add to its deadline (延期), with weights
_EXTENSION_DAYS: tuple[tuple[int, float], ...] = ((2, 3), (3, 4), (5, 2), (10, 1))
# the shift lead's decisions on the departments' requests: approvals change the state or the
# deadline, refusals are flags
_DECISIONS: dict[Action, tuple[RequestStatus, tuple[str, ...]]] = {
    A.return_: (RequestStatus.approved, txt.RETURN_APPROVALS),
    A.refuse_return: (RequestStatus.refused, txt.RETURN_REFUSALS),
    A.approve_extension: (RequestStatus.approved, txt.EXTENSION_APPROVALS),
    A.refuse_extension: (RequestStatus.refused, txt.EXTENSION_REFUSALS),
    A.suspend: (RequestStatus.approved, txt.SUSPENSION_APPROVALS),
    A.refuse_suspension: (RequestStatus.refused, txt.SUSPENSION_REFUSALS),
}
_REQUESTS: dict[Action, RequestKind] = {
    A.request_return: RequestKind.return_,
    A.request_extension: RequestKind.extension,
    A.request_suspension: RequestKind.suspension,
}


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def in_hours(
    rng: random.Random,
    instant: datetime,
    periods: tuple[tuple[time, time], ...],
    *,
    weekdays_only: bool,
) -> datetime:
    """``instant`` if it falls in ``periods``, else a few minutes after the next period opens."""
    local = instant.astimezone(ZONE)
    day = local.date()
    for _ in range(10):
        if not weekdays_only or day.weekday() < 5:
            for start, end in periods:
                opens = datetime.combine(day, start, ZONE)
                if local < opens:
                    return (opens + timedelta(seconds=rng.randrange(60, 40 * 60))).astimezone(UTC)
                if local < datetime.combine(day, end, ZONE):
                    return instant
        day += timedelta(days=1)
        local = datetime.combine(day, time.min, ZONE)
    return instant


def _whole(instant: datetime) -> datetime:
    return instant.replace(microsecond=0)


# -- what the histories draw on -------------------------------------------------------------------


@dataclass
class CategoryInfo:
    id: int
    spec: txt.CategorySpec
    department_id: int  # the category's default department
    handlers: tuple[int, ...]  # every department that handles it (department_categories)
    grid_work: bool  # a grid worker may resolve it (Art. 16 and the centre's own list)


@dataclass
class CaseRecord:
    """One case while it is generated: its row, timeline, dispatches and requests before the
    insert, and where a department's return would suggest sending it."""

    row: dict[str, Any]
    events: list[dict[str, Any]]
    dispatches: list[dict[str, Any]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    return_to: int | None = None  # the department a return suggests (the configured one)
    written: bool = False

    def state_at(self, instant: datetime) -> CaseState | None:
        state: CaseState | None = None
        for event in self.events:
            if event["at"] > instant:
                break
            if event["to_state"] is not None:
                state = event["to_state"]
        return state

    def lead_dispatch(self) -> dict[str, Any] | None:
        """The active lead dispatch (主办), if a department holds the case."""
        found: dict[str, Any] | None = None
        for dispatch in self.dispatches:
            if dispatch["role"] is DispatchRole.lead and dispatch["active"]:
                found = dispatch
        return found


@dataclass
class HistoryWorld:
    """The street office every history happens in: the random generator, the demo's now, the
    staff, the departments and the deadline rules, and the ids handed out so far."""

    rng: random.Random
    now: datetime
    planner: DeadlinePlanner
    warn_fraction: float
    leads: list[int]
    dispatchers: list[int]
    liaisons: dict[int, int]  # department id -> its liaison operator
    department_codes: dict[int, str]
    department_names: dict[int, str]
    units: frozenset[int]  # units (a 专属 grid's own): reached by routing rules only
    next_dispatch_id: int = 1
    next_request_id: int = 1

    def new_request_id(self) -> int:
        request_id = self.next_request_id
        self.next_request_id += 1
        return request_id

    @property
    def calendar(self) -> WorkCalendar:
        return self.planner.calendar

    def centre(self) -> int:
        """A dispatcher, sometimes the shift lead."""
        rng = self.rng
        return rng.choice(self.leads) if rng.random() < 0.15 else rng.choice(self.dispatchers)

    def department_actor(self, department_id: int) -> tuple[int, bool]:
        """The department's liaison, or a dispatcher recording a phone call for it (on behalf)."""
        liaison = self.liaisons.get(department_id)
        if liaison is not None and self.rng.random() < 0.8:
            return liaison, False
        return self.rng.choice(self.dispatchers), True

    def handle_in_working_time(self, category_id: int, priority: Priority) -> bool:
        return self.planner.limit(category_id, DeadlineStep.handle, priority).working_time

    def extended_due(self, due: datetime) -> datetime | None:
        """The later deadline a department asks for: a few working days after ``due``, in
        working time (None where the calendar gives none)."""
        days = weighted(self.rng, _EXTENSION_DAYS)
        new_due = self.calendar.add(due, days, TimeUnit.working_days).due
        return new_due if new_due > due and in_working_time(self.calendar, new_due) else None


# -- the running deadline -------------------------------------------------------------------------


class CaseClock:
    """The deadline of the step a case is in, kept as the services keep it: a new state starts
    its step's clock, except that signing keeps the handling clock that began at dispatch;
    suspension stops it with what was left, resumption runs it again; an approved extension moves
    it and the first deadline is kept for scoring."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.step: DeadlineStep | None = None
        self.started_at: datetime | None = None
        self.remaining: RemainingAllowance | None = None
        self.resume_planned: date | None = None
        self.original_due: datetime | None = None
        self._running: StepDeadline | None = None

    @property
    def deadline(self) -> StepDeadline | None:
        """The running deadline (None: no clock runs, or it is stopped)."""
        if self._running is None and self.step is not None and self.remaining is None:
            assert self.started_at is not None
            self._running = self.timeline.deadline(self.step, self.started_at)
        return self._running

    def apply(self, event: dict[str, Any]) -> None:
        action, at = event["action"], event["at"]
        if event["to_state"] is None and action is not A.approve_extension:
            return  # a flag leaves the clock alone
        calendar = self.timeline.world.calendar
        if action is A.suspend:
            running = self.deadline
            assert running is not None
            self.remaining = remaining_after_suspension(calendar, running, at)
            self.resume_planned = date.fromisoformat(event["detail"]["resume_planned"])
            self._running = None
        elif action is A.resume:
            assert self.remaining is not None
            self._running = resume_deadline(calendar, self.remaining, at)
            self.remaining = None
            self.resume_planned = None
        elif action is A.approve_extension:
            running = self.deadline
            assert running is not None
            new_due = datetime.fromisoformat(event["detail"]["to"])
            extended = extend(
                calendar,
                running,
                new_due,
                approved_at=at,
                warn_fraction=self.timeline.world.warn_fraction,
            )
            self.original_due = self.original_due or running.due_at
            self._running = extended.current
        else:
            step = running_step(event["to_state"])
            if step is not None and step == self.step and self.remaining is None:
                return  # signing: the handling clock that began at dispatch goes on
            self.step = step
            self.started_at = at if step is not None else None
            self._running = None

    def columns(self) -> dict[str, Any]:
        """The case's deadline columns."""
        running = self.deadline
        left = self.remaining
        provisional = left.provisional if left else (running.provisional if running else False)
        return {
            "step": self.step,
            "step_started_at": self.started_at,
            "due_at": running.due_at if running else None,
            "warn_at": running.warn_at if running else None,
            "deadline_provisional": provisional,
            "suspended_remaining_s": int(left.until_due.total_seconds()) if left else None,
            "suspended_warn_remaining_s": int(left.until_warning.total_seconds()) if left else None,
            "suspended_working_time": left.working_time if left else None,
            "resume_planned_on": self.resume_planned,
            "original_due_at": self.original_due,
        }


# -- one case ---------------------------------------------------------------------------------------


class Timeline:
    """Plans one case's legal path to its target state and writes its events, dispatches and
    requests."""

    def __init__(
        self,
        world: HistoryWorld,
        record: CaseRecord,
        category: CategoryInfo,
        priority: Priority,
        target: CaseState,
        configured: int,
        checkers: Sequence[str],
    ) -> None:
        self.world = world
        self.checkers = checkers  # the grid's workers, who check on site (核查)
        self.rng = world.rng
        self.record = record
        self.category = category
        self.priority = priority
        self.urgent = priority is Priority.urgent
        self.target = target
        # where the routing rules send the case, and where else a dispatcher might (units only
        # ever by a rule)
        self.configured = configured
        self.alternatives = [
            department
            for department in category.handlers
            if department != configured and department not in world.units
        ]
        record.return_to = configured
        self.state: CaseState | None = None
        self.at: datetime = record.row["reported_at"]
        self.lead: dict[str, Any] | None = None  # the latest lead dispatch (active or ended)
        self.returned_by: int | None = None  # the department whose return was granted last
        self.assists: list[dict[str, Any]] = []
        self.request: dict[str, Any] | None = None  # a request waiting for the shift lead
        self.requested_by: dict[int, dict[str, Any]] = {}  # id(request event) -> request row
        self.decided_by: dict[int, dict[str, Any]] = {}  # id(decision event) -> request row
        self.on_time_share = 0.8  # how likely the department feeds back by the deadline
        self._deadlines: dict[tuple[DeadlineStep, datetime], StepDeadline] = {}
        self.clock = CaseClock(self)

    def deadline(self, step: DeadlineStep, started_at: datetime) -> StepDeadline:
        """The deadline of ``step`` started at ``started_at`` (remembered: the replay asks again)."""
        key = (step, started_at)
        found = self._deadlines.get(key)
        if found is None:
            found = self.world.planner.deadline(self.category.id, self.priority, step, started_at)
            self._deadlines[key] = found
        return found

    # -- the path -----------------------------------------------------------------------------

    def _handed_over(self, *, first: bool, sign: bool, wrong_share: float) -> list[Action]:
        """Dispatch until a department holds the case (signed if ``sign``), with the detours of
        a return asked for: granted (改派 to another department) or refused."""
        rng = self.rng
        path = [A.dispatch]
        roll = rng.random()
        signed = False
        if first and self.alternatives and roll < wrong_share:  # first sent where it is not theirs
            path += [*([A.sign] if rng.random() < 0.4 else []), A.request_return, A.return_]
            path.append(A.redispatch)
        elif wrong_share <= roll < wrong_share + 0.03:  # a return the shift lead refuses
            signed = sign and rng.random() < 0.4
            path += [*([A.sign] if signed else []), A.request_return, A.refuse_return]
        if sign and not signed:
            path.append(A.sign)
        return path

    def _while_handling(self) -> list[Action]:
        """What a department may ask for while it works on a signed case."""
        roll = self.rng.random()
        if roll < 0.04:
            return [A.request_suspension, A.suspend, A.resume]
        if roll < 0.06:
            return [A.request_suspension, A.refuse_suspension]
        if roll < 0.11:
            return [A.request_extension, A.approve_extension]
        if roll < 0.14:
            return [A.request_extension, A.refuse_extension]
        return []

    def _cycle(self, *, first: bool) -> list[Action]:
        """Dispatch to feedback."""
        return [
            *self._handed_over(first=first, sign=True, wrong_share=0.08),
            *self._while_handling(),
            A.feedback,
        ]

    def _to_feedback(self) -> list[Action]:
        rng = self.rng
        if self.category.grid_work and rng.random() < 0.35:
            return [A.report, *([A.accept] if rng.random() < 0.7 else []), A.resolve_in_grid]
        return [A.report, A.accept, *self._cycle(first=True)]

    def _closing(self) -> Action:
        """Verified on site, or (mostly answers to questions) closed without a site check."""
        share = 0.05 if self.category.spec.ongoing else 0.5
        return A.close if self.rng.random() < share else A.verify_pass

    def plan(self) -> list[Action]:
        rng = self.rng
        target = self.target
        if target is S.reported:
            return [A.report]
        if target is S.rejected:
            return [A.report, A.reject]  # _Generator._merge may turn it into a merge
        if target is S.registered:
            return [A.report, A.accept]
        start = [A.report, A.accept]
        if target is S.dispatched:
            return [*start, *self._handed_over(first=True, sign=False, wrong_share=0.15)]
        if target is S.returned:
            signed = [A.sign] if rng.random() < 0.4 else []
            return [*start, A.dispatch, *signed, A.request_return, A.return_]
        if target in (S.in_progress, S.suspended):
            path = [*start, *self._handed_over(first=True, sign=True, wrong_share=0.15)]
            if target is S.suspended:
                return [*path, A.request_suspension, A.suspend]
            return [*path, *(self._while_handling() if rng.random() < 0.6 else [])]
        path = self._to_feedback()
        if target is S.feedback_given:
            return path
        if target is S.reopened:
            if rng.random() < 0.6:
                return [*path, A.verify_fail]
            # 不满意 at follow-up: handled again
            return [*path, self._closing(), A.follow_up, A.reopen]
        if rng.random() < 0.05:
            path += [A.verify_fail, *self._cycle(first=False)]
        path.append(self._closing())
        if rng.random() < 0.03:
            path += [A.follow_up, A.reopen, *self._cycle(first=False), self._closing()]
        if target is S.followed_up:
            path.append(A.follow_up)
        return path

    # -- timing -------------------------------------------------------------------------------

    def _delay(self, action: Action) -> timedelta:
        rng = self.rng
        minutes: float
        if action in (A.accept, A.dispatch):
            minutes = rng.uniform(1, 10) if self.urgent else rng.uniform(3, 50)
        elif action in (A.reject, A.merge):
            minutes = rng.uniform(10, 120)
        elif action is A.sign:
            minutes = rng.uniform(3, 15) if self.urgent else rng.uniform(5, 80)
        elif action is A.request_return:
            minutes = rng.uniform(30, 480)
        elif action in _DECISIONS:
            minutes = rng.uniform(5, 30) if self.urgent else rng.uniform(10, 180)
        elif action is A.redispatch:
            minutes = rng.uniform(10, 90)
        elif action is A.request_suspension:
            minutes = rng.uniform(0.5, 2) * 1440
        elif action in (A.verify_pass, A.verify_fail, A.close):
            minutes = rng.uniform(20, 120) if self.urgent else rng.uniform(120, 1800)
        elif action is A.follow_up:
            minutes = rng.uniform(60, 2880)
        elif action is A.reopen:
            minutes = rng.uniform(10, 240)
        elif action is A.resolve_in_grid:
            minutes = rng.uniform(20, 240)
        else:
            minutes = rng.uniform(5, 60)
        return timedelta(seconds=int(minutes * 60) + 1)

    def _next_instant(self, action: Action) -> datetime:
        rng = self.rng
        if action is A.feedback:
            return self._feedback_instant()
        if action is A.resume:
            planned = self.clock.resume_planned
            assert planned is not None
            return max(
                datetime.combine(planned, time(9, 0), ZONE).astimezone(UTC)
                + timedelta(minutes=rng.randint(0, 300)),
                self.at + timedelta(hours=1),
            )
        instant: datetime = self.at + self._delay(action)
        if self.urgent:
            return instant
        if action in (A.sign, A.request_return, A.request_suspension):
            if rng.random() < 0.85:
                instant = in_hours(rng, instant, OFFICE_HOURS, weekdays_only=True)
        elif action is not A.report and rng.random() < 0.7:
            instant = in_hours(rng, instant, CENTRE_HOURS, weekdays_only=False)
        return instant

    def _feedback_instant(self) -> datetime:
        """Feedback by the handling deadline, mostly; late by part of the allowance otherwise."""
        rng = self.rng
        running = self.clock.deadline
        assert running is not None
        assert self.clock.started_at is not None
        due = running.due_at
        if due > self.at and rng.random() < self.on_time_share:
            instant = self.at + (due - self.at) * rng.uniform(0.2, 0.97)
        else:
            instant = max(due, self.at) + (due - self.clock.started_at) * rng.uniform(0.05, 0.5)
        instant = _whole(max(instant, self.at + timedelta(minutes=5)))
        if not self.urgent and rng.random() < 0.85:
            snapped = in_hours(rng, instant, OFFICE_HOURS, weekdays_only=True)
            if snapped <= due or instant > due:  # office hours do not make it late
                instant = snapped
        return instant

    def _extension_request(self) -> tuple[datetime, datetime] | None:
        """When the department asks for more time, and until when: before the running deadline,
        for a later one in working time. None where the deadline leaves no time to ask."""
        rng, world = self.rng, self.world
        running = self.clock.deadline
        if running is None or not running.working_time:
            return None
        room = running.due_at - self.at
        if room < timedelta(minutes=30):
            return None
        instant = _whole(self.at + room * rng.uniform(0.4, 0.9))
        if rng.random() < 0.85:
            snapped = in_hours(rng, instant, OFFICE_HOURS, weekdays_only=True)
            if snapped < running.due_at - timedelta(minutes=1):
                instant = snapped
        new_due = world.extended_due(running.due_at)
        return None if new_due is None else (instant, new_due)

    # -- dispatches and requests ----------------------------------------------------------------

    def _dispatch(self, department_id: int, event: dict[str, Any]) -> None:
        """The lead dispatch (and now and then an assisting one) of a 派遣 or 改派 event, with
        the event's instruction and detail as the dispatch service writes them (the sign
        deadline once the timeline is final, _replay)."""
        rng, world = self.rng, self.world
        event["reason"] = rng.choice(txt.INSTRUCTIONS)
        self.lead = self._dispatch_row(department_id, DispatchRole.lead, event)
        self.assists = []
        others = [
            department
            for department in self.category.handlers
            if department != department_id and department not in world.units
        ]
        if others and rng.random() < 0.12:
            self.assists.append(self._dispatch_row(rng.choice(others), DispatchRole.assist, event))
        event["detail"] = {
            "lead": world.department_codes[department_id],
            "lead_id": department_id,
            "assists": [world.department_codes[a["department_id"]] for a in self.assists],
        }
        self.on_time_share = 0.8 if department_id == self.configured else 0.65

    def _end_dispatches(self) -> None:
        """The department's part is over (its work checked, or its return granted)."""
        for dispatch in (self.lead, *self.assists):
            if dispatch is not None:
                dispatch["active"] = False

    def _dispatch_row(
        self, department_id: int, role: DispatchRole, event: dict[str, Any]
    ) -> dict[str, Any]:
        world = self.world
        row: dict[str, Any] = {
            "id": world.next_dispatch_id,
            "case_id": self.record.row["id"],
            "department_id": department_id,
            "role": role,
            "instruction": event["reason"],
            # the events themselves until their instants are final (_finish); the deadlines
            # once the final timeline is replayed (_replay)
            "dispatched_at": event,
            "dispatched_by_id": event["operator_id"],
            "sign_due_at": None,
            "handle_due_at": None,
            "signed_at": None,
            "returned_at": None,
            "feedback_at": None,
            "feedback": "",
            "active": True,
            # what the statistics score (services/scoring_clocks.py), set by _replay
            "scored_due_at": None,
            "suspended_working_s": 0,
            "handling_working_s": None,
        }
        world.next_dispatch_id += 1
        self.record.dispatches.append(row)
        return row

    def _decide(self, action: Action, event: dict[str, Any]) -> None:
        """The shift lead decides the waiting request: granted by the transition it asked for,
        or refused by a flag. The event names the request once it is numbered (_finish)."""
        request = self.request
        assert request is not None
        status, reasons = _DECISIONS[action]
        event["operator_id"] = self.rng.choice(self.world.leads)
        event["reason"] = self.rng.choice(reasons)
        request.update(
            status=status,
            decided_at=event,
            decided_by_id=event["operator_id"],
            decision_reason=event["reason"],
        )
        self.decided_by[id(event)] = request
        self.request = None
        if action is A.approve_extension:
            running = self.clock.deadline
            assert running is not None
            event["detail"] = {
                "from": running.due_at.isoformat(),
                "to": request["new_due_at"].isoformat(),
            }
            self.on_time_share = 0.85
        elif action is A.suspend:
            event["detail"] = {"resume_planned": request["resume_planned_on"].isoformat()}
        else:
            event["detail"] = {"department_id": request["department_id"]}
            if action is A.refuse_extension:
                self.on_time_share = 0.3
            elif action is A.return_:
                assert self.lead is not None
                self.lead["returned_at"] = event
                self.returned_by = self.lead["department_id"]
                self._end_dispatches()

    # -- the events ---------------------------------------------------------------------------

    def build(self) -> None:
        plan = self.plan()
        returned_later = A.return_ in plan
        skip_decision = False
        for index, action in enumerate(plan):
            if skip_decision:  # the decision on an extension that was never asked for
                skip_decision = False
                continue
            following = plan[index + 1] if index + 1 < len(plan) else None
            skip_decision = not self._step(action, following, returned_later=returned_later)
        self._fit_before_now()
        self._flags()
        self._replay()
        self._finish()

    def _step(self, action: Action, following: Action | None, *, returned_later: bool) -> bool:
        """Append the event of ``action`` at a plausible instant, with its side effects. False:
        an extension the deadline leaves no time to ask for, not asked."""
        rng, world = self.rng, self.world
        row = self.record.row
        new_due: datetime | None = None
        if action is A.report:
            at = row["reported_at"]
        elif action is A.request_extension:
            asked = self._extension_request()
            if asked is None:
                return False
            at, new_due = asked
        else:
            at = self._next_instant(action)
        from_state = self.state
        to_state = (
            S.reported
            if from_state is None
            else lifecycle.next_state(action, from_state, case_code=row["code"])
        )
        event: dict[str, Any] = {
            "case_id": row["id"],
            "at": at,
            "operator_id": world.centre(),
            "action": action,
            "from_state": from_state,
            "to_state": to_state if to_state != from_state else None,  # None: a flag
            "reason": "",
            "on_behalf": False,
            "detail": {},
        }
        if action is A.report:
            event["detail"] = {"source": row["source"].value}
            row["created_by_id"] = event["operator_id"]
        elif action is A.reject:
            reject_reason = weighted(
                rng,
                (
                    (RejectReason.out_of_scope, 50),
                    (RejectReason.insufficient_info, 35),
                    (RejectReason.malicious, 15),
                ),
            )
            row["reject_reason"] = reject_reason
            event["reason"] = rng.choice(txt.REJECT_NOTES[reject_reason.value])
            event["detail"] = {"reject_reason": reject_reason.value}
        elif action is A.resolve_in_grid:
            event["reason"] = rng.choice(txt.RESOLVE_NOTES)
        elif action is A.dispatch:
            if self.lead is not None:  # handled again: back to the department that handled it
                department = self.lead["department_id"]
            elif self.alternatives and (returned_later or rng.random() < 0.06):
                # first sent where it is not theirs (they return it), or the dispatcher's choice
                department = rng.choice(self.alternatives)
            else:
                department = self.configured
            self._dispatch(department, event)
        elif action is A.redispatch:
            # the return of a first wrong guess was granted: now where the rules say
            assert self.returned_by is not None
            assert self.returned_by != self.configured
            self._dispatch(self.configured, event)
        elif action in permissions.DEPARTMENT_ACTIONS:  # sign, ask, feed back
            assert self.lead is not None
            department = self.lead["department_id"]
            event["operator_id"], event["on_behalf"] = world.department_actor(department)
            event["detail"] = {"department_id": department}
            if action is A.sign:
                self.lead["signed_at"] = event
            elif action is A.feedback:
                event["reason"] = rng.choice(self.category.spec.feedbacks)
                self.lead["feedback_at"] = event
                self.lead["feedback"] = event["reason"]
                # the department's part lasts until its work is checked (as the services keep it)
            else:
                self.request = department_request(world, self.record, action, event, new_due)
                self.requested_by[id(event)] = self.request
        elif action in _DECISIONS:
            self._decide(action, event)
        elif action is A.resume:
            event["operator_id"] = rng.choice(world.leads)
        elif action in (A.verify_pass, A.verify_fail):
            self._end_dispatches()
            notes = txt.VERIFY_PASS_NOTES if action is A.verify_pass else txt.VERIFY_FAIL_REASONS
            event["reason"] = rng.choice(notes)
            event["detail"] = {
                "checked_by": rng.choice(self.checkers) if self.checkers else "",
                **self._judged(),
            }
        elif action is A.close:
            self._end_dispatches()
            event["reason"] = rng.choice(txt.CLOSE_NOTES)
            event["detail"] = self._judged()
        elif action is A.follow_up:
            satisfaction = (
                Satisfaction.unsatisfied
                if following is A.reopen
                else weighted(rng, txt.SATISFACTION)
            )
            row["satisfaction"] = satisfaction.value
            event["reason"] = txt.FOLLOW_UP_NOTES[satisfaction]
            # the department whose work the reporter judged (the statistics read it)
            event["detail"] = {"satisfaction": satisfaction.value, **self._judged()}
        elif action is A.reopen:
            event["reason"] = rng.choice(txt.REOPEN_NOTES)
            event["detail"] = self._judged()
        self.record.events.append(event)
        self.clock.apply(event)
        self.state = to_state
        self.at = event["at"]
        return True

    def _judged(self) -> dict[str, Any]:
        """The department whose work a verification, closure or reopen judges: the latest lead."""
        return {"department_id": self.lead["department_id"]} if self.lead is not None else {}

    def _flags(self) -> None:
        """Reminders (催办) and supervision orders (督办) on cases that waited on a department."""
        rng, world = self.rng, self.world
        events = self.record.events
        allowed = lifecycle.TRANSITIONS[A.urge].sources
        limit = world.now - timedelta(seconds=30)
        draws: list[Action] = []
        if rng.random() < 0.12:
            draws.append(A.urge)
            if rng.random() < 0.3:
                draws.append(A.urge)
        if rng.random() < 0.03:
            draws.append(A.supervise)
        for action in draws:
            # a gap after an event that leaves the case waiting on a department
            gaps = [
                index
                for index, event in enumerate(events)
                if event["to_state"] in allowed
                and (index + 1 < len(events) or event["to_state"] in OPEN_STATES)
            ]
            if not gaps:
                return
            index = rng.choice(gaps)
            start = events[index]["at"]
            end = events[index + 1]["at"] if index + 1 < len(events) else limit
            span = int((end - start).total_seconds())
            if span < 2:
                continue
            state = events[index]["to_state"]
            events.insert(
                index + 1,
                {
                    "case_id": self.record.row["id"],
                    "at": start + timedelta(seconds=rng.randrange(1, span)),
                    "operator_id": rng.choice(world.leads)
                    if action is A.supervise
                    else world.centre(),
                    "action": action,
                    "from_state": state,
                    "to_state": None,
                    "reason": "请加快处置进度" if action is A.urge else "事件久拖未决，下达督办单",
                    "on_behalf": False,
                    "detail": {},  # the count and the department pressed: _replay
                },
            )

    def _fit_before_now(self) -> None:
        """Squeeze a timeline that would run past now into the time the case has had."""
        events = self.record.events
        limit = self.world.now - timedelta(seconds=30)
        start = events[0]["at"]
        end = events[-1]["at"]
        # a timeline of one instant (a case reported in the last 30 s) has nothing to squeeze
        if end > limit and end > start:
            available = max((limit - start).total_seconds(), 1.0)
            factor = available / (end - start).total_seconds()
            for event in events[1:]:
                offset = (event["at"] - start).total_seconds() * factor
                event["at"] = start + timedelta(seconds=int(offset))
        for previous, event in itertools.pairwise(events):
            if event["at"] <= previous["at"]:
                event["at"] = previous["at"] + timedelta(seconds=1)

    def _replay(self) -> None:
        """Walk the final timeline as the services would: the case's running deadline, each
        dispatch's sign and handling deadlines, whether a sign was late and a feedback on time,
        the department a reminder pressed. An extension the squeezed timeline no longer allows
        (asked after the deadline, or granted after the time it asked for) is dropped with its
        decision."""
        events = self.record.events
        clock = CaseClock(self)
        rows_of: dict[int, list[dict[str, Any]]] = {}
        for dispatch in self.record.dispatches:
            rows_of.setdefault(id(dispatch["dispatched_at"]), []).append(dispatch)
        dropped: set[int] = set()  # id() of the dropped requests
        kept: list[dict[str, Any]] = []
        lead: dict[str, Any] | None = None
        holding: list[dict[str, Any]] = []  # the dispatches of the latest 派遣 / 改派
        suspended_at: datetime | None = None
        calendar = self.world.calendar
        urges = 0
        supervised = False
        for event in events:
            action, at, detail = event["action"], event["at"], event["detail"]
            decided = self.decided_by.get(id(event))
            if decided is not None and id(decided) in dropped:
                continue  # the decision on a dropped extension request
            if action is A.request_extension:
                request = self.requested_by[id(event)]
                running = clock.deadline
                new_due = request["new_due_at"]
                decision = request["decided_at"]  # the event, until _finish
                if (
                    running is None
                    or at >= running.due_at
                    or new_due <= running.due_at
                    or (decision is not None and new_due <= decision["at"])
                ):
                    dropped.add(id(request))
                    self.record.requests = [r for r in self.record.requests if r is not request]
                    continue
            elif action is A.approve_extension:
                running = clock.deadline
                assert running is not None
                detail["from"] = running.due_at.isoformat()
            elif action is A.sign:
                assert lead is not None
                detail["late"] = at > lead["sign_due_at"]
            elif action is A.feedback:
                assert lead is not None
                detail["on_time"] = at <= lead["scored_due_at"]
                lead["handling_working_s"] = handling_seconds(
                    calendar, lead["dispatched_at"]["at"], at, lead["suspended_working_s"]
                )
                lead = None  # fed back: the department holds the case no more
            elif action in (A.verify_pass, A.verify_fail):
                running = clock.deadline
                detail["on_time"] = running is None or at <= running.due_at
            elif action is A.suspend:
                suspended_at = at
            elif action is A.resume and suspended_at is not None:
                working_time = clock.remaining.working_time if clock.remaining else True
                for dispatch in holding:
                    if dispatch["feedback_at"] is None or dispatch["feedback_at"]["at"] > at:
                        dispatch["suspended_working_s"] += max(
                            0, calendar.working_seconds_between(suspended_at, at)
                        )
                        dispatch["scored_due_at"] = scored_after_suspension(
                            calendar,
                            dispatch["scored_due_at"],
                            suspended_at=suspended_at,
                            resumed_at=at,
                            working_time=working_time,
                        )
                suspended_at = None
            elif action in (A.urge, A.supervise):
                if action is A.urge:
                    urges += 1
                    event["detail"] = {"urge_count": urges}
                else:
                    event["detail"] = {"again": supervised}
                    supervised = True
                if lead is not None:  # the department pressed
                    event["detail"]["department_id"] = lead["department_id"]
            clock.apply(event)
            if action in (A.dispatch, A.redispatch):
                handling = clock.deadline
                assert handling is not None
                sign_due = self.deadline(DeadlineStep.sign, at).due_at
                detail["sign_due"] = sign_due.isoformat()
                for dispatch in rows_of[id(event)]:
                    dispatch["sign_due_at"] = sign_due
                    dispatch["handle_due_at"] = handling.due_at
                    dispatch["scored_due_at"] = handling.due_at
                    if dispatch["role"] is DispatchRole.lead:
                        lead = dispatch
                holding = rows_of[id(event)]
            elif action is A.return_:
                lead = None
            kept.append(event)
        events[:] = kept
        self.record.row.update(clock.columns())

    def _finish(self) -> None:
        """The case's own columns from its timeline; events stand in for their instants no more,
        and requests get their ids."""
        row = self.record.row
        row["state"] = self.state
        accepted: datetime | None = None
        closed: datetime | None = None
        for event in self.record.events:
            action = event["action"]
            if action in (A.accept, A.resolve_in_grid) and accepted is None:
                accepted = event["at"]
            elif action in (A.reject, A.verify_pass, A.close):
                closed = event["at"]
            elif action in (A.verify_fail, A.reopen):
                closed = None
        row["accepted_at"] = accepted
        row["closed_at"] = closed
        for dispatch in self.record.dispatches:
            for name in ("dispatched_at", "signed_at", "returned_at", "feedback_at"):
                if dispatch[name] is not None:
                    dispatch[name] = dispatch[name]["at"]
        for request in self.record.requests:
            request["id"] = self.world.new_request_id()
            request["requested_at"] = request["requested_at"]["at"]
            decision = request["decided_at"]
            if decision is not None:
                decision["detail"]["request_id"] = request["id"]
                request["decided_at"] = decision["at"]


# -- the departments' requests -------------------------------------------------------------------


def department_request(
    world: HistoryWorld,
    record: CaseRecord,
    action: Action,
    event: dict[str, Any],
    new_due: datetime | None = None,
) -> dict[str, Any]:
    """File the request a department's ``request_…`` event makes to the shift lead: its row
    (``requested_at`` is the event until the timeline is final), and the event's reason and
    detail as the services write them. ``event`` already has its operator and department."""
    rng = world.rng
    lead = record.lead_dispatch()
    assert lead is not None
    detail = event["detail"]
    request: dict[str, Any] = {
        "id": None,
        "case_id": record.row["id"],
        "dispatch_id": lead["id"],
        "department_id": lead["department_id"],
        "kind": _REQUESTS[action],
        "status": RequestStatus.pending,
        "requested_at": event,
        "requested_by_id": event["operator_id"],
        "on_behalf": event["on_behalf"],
        "reason": "",
        "basis": "",
        "new_due_at": None,
        "resume_planned_on": None,
        "decided_at": None,
        "decided_by_id": None,
        "decision_reason": "",
    }
    if action is A.request_return:
        suggested = record.return_to if record.return_to != lead["department_id"] else None
        department = world.department_names[suggested] if suggested is not None else "相关部门"
        event["reason"] = rng.choice(txt.RETURN_REASONS).format(department=department)
        request["basis"] = detail["basis"] = rng.choice(txt.RETURN_BASES)
    elif action is A.request_extension:
        assert new_due is not None
        event["reason"] = rng.choice(txt.EXTENSION_REASONS)
        detail["to"] = new_due.isoformat()
        request["new_due_at"] = new_due
    else:
        asked_on = event["at"].astimezone(ZONE).date()
        resume_on = asked_on + timedelta(days=rng.randint(3, 15))
        event["reason"] = rng.choice(txt.SUSPEND_REASONS).format(resume_on=resume_on.isoformat())
        detail["resume_planned"] = resume_on.isoformat()
        request["resume_planned_on"] = resume_on
    request["reason"] = event["reason"]
    record.requests.append(request)
    return request


def add_pending_request(world: HistoryWorld, record: CaseRecord, kind: RequestKind) -> bool:
    """Leave a department's request of ``kind`` waiting for the shift lead on a finished
    timeline: made in the last day before now, after everything else on the case. False (and
    nothing changed) where the case does not allow it: no department holds it, a request already
    waits, it is not signed (a suspension), or no working-time deadline lies ahead (an
    extension)."""
    row = record.row
    state = row["state"]
    lead = record.lead_dispatch()
    if state not in (S.dispatched, S.in_progress) or lead is None:
        return False
    if any(request["status"] is RequestStatus.pending for request in record.requests):
        return False
    if kind is RequestKind.suspension and state is not S.in_progress:
        return False
    start = max(record.events[-1]["at"], world.now - PENDING_WINDOW)
    end = world.now - timedelta(minutes=1)
    new_due: datetime | None = None
    if kind is RequestKind.extension:
        due: datetime | None = row["due_at"]
        if due is None or not world.handle_in_working_time(row["category_id"], row["priority"]):
            return False
        end = min(end, due - timedelta(minutes=10))
        new_due = world.extended_due(due)
        if new_due is None:
            return False
    if end - start < timedelta(minutes=5):
        return False
    at = _whole(start + (end - start) * world.rng.uniform(0.2, 1.0))
    action = next(action for action, asked in _REQUESTS.items() if asked is kind)
    operator, on_behalf = world.department_actor(lead["department_id"])
    event: dict[str, Any] = {
        "case_id": row["id"],
        "at": at,
        "operator_id": operator,
        "action": action,
        "from_state": state,
        "to_state": None,
        "reason": "",
        "on_behalf": on_behalf,
        "detail": {"department_id": lead["department_id"]},
    }
    request = department_request(world, record, action, event, new_due)
    request["id"] = world.new_request_id()
    request["requested_at"] = at
    record.events.insert(bisect.bisect_right([e["at"] for e in record.events], at), event)
    return True
