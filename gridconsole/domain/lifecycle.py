"""The case lifecycle of domain.md §2 as one explicit state machine.

Each state-changing action has the states it may start from and the one state it leads to.
Flags (priority, urge, supervise) never change the state but are only allowed on open cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridconsole.domain.enums import OPEN_STATES, Action, CaseState
from gridconsole.domain.errors import TransitionRefused

S = CaseState


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[CaseState]
    target: CaseState | None  # None: a flag or edit, the state stays


def _t(action: Action, sources: set[CaseState], target: CaseState | None) -> Transition:
    return Transition(action, frozenset(sources), target)


# A department holds the case: dispatched (not yet signed) or signed and being worked.
_WITH_DEPARTMENT = {S.dispatched, S.in_progress}

TRANSITIONS: dict[Action, Transition] = {
    tr.action: tr
    for tr in (
        _t(Action.accept, {S.reported}, S.registered),
        _t(Action.reject, {S.reported}, S.rejected),
        _t(Action.merge, {S.reported, S.registered}, S.rejected),
        _t(Action.resolve_in_grid, {S.reported, S.registered}, S.feedback_given),
        _t(Action.dispatch, {S.registered, S.reopened}, S.dispatched),
        _t(Action.sign, {S.dispatched}, S.in_progress),
        _t(Action.return_, {S.dispatched, S.in_progress}, S.returned),
        _t(Action.redispatch, {S.returned}, S.dispatched),
        _t(Action.suspend, {S.in_progress}, S.suspended),
        _t(Action.resume, {S.suspended}, S.in_progress),
        _t(Action.feedback, {S.in_progress}, S.feedback_given),
        _t(Action.verify_pass, {S.feedback_given}, S.closed),
        _t(Action.verify_fail, {S.feedback_given}, S.reopened),
        _t(Action.close, {S.feedback_given}, S.closed),
        _t(Action.follow_up, {S.closed}, S.followed_up),
        # 不满意 at follow-up offers a reopen (issue 4); the service checks the answer was 不满意
        _t(Action.reopen, {S.followed_up}, S.reopened),
        _t(Action.set_priority, set(OPEN_STATES), None),
        _t(Action.approve_extension, {S.dispatched, S.in_progress}, None),
        # a department's requests wait for the shift lead; while one waits the case stays put
        _t(Action.request_return, _WITH_DEPARTMENT, None),
        _t(Action.refuse_return, _WITH_DEPARTMENT, None),
        _t(Action.request_extension, _WITH_DEPARTMENT, None),
        _t(Action.refuse_extension, _WITH_DEPARTMENT, None),
        _t(Action.request_suspension, {S.in_progress}, None),
        _t(Action.refuse_suspension, {S.in_progress}, None),
        _t(Action.urge, set(OPEN_STATES) - {S.reported, S.registered}, None),
        _t(Action.supervise, set(OPEN_STATES) - {S.reported, S.registered}, None),
        # the case another one is merged into: any open case can take a duplicate
        _t(Action.absorb_duplicate, set(OPEN_STATES), None),
        # the deadline timers (the system, never an operator): flags on any open case
        _t(Action.deadline_warning, set(OPEN_STATES), None),
        _t(Action.deadline_breach, set(OPEN_STATES), None),
        _t(Action.supervise_due, set(OPEN_STATES), None),
        _t(Action.report_district, set(OPEN_STATES), None),
        # the escalation board: raised on an open case; its reports, decisions and alerts go on
        # whatever the case's state (a 终报 follows the closing)
        _t(Action.escalate, set(OPEN_STATES), None),
        _t(Action.confirm_escalation, set(CaseState), None),
        _t(Action.escalation_report, set(CaseState), None),
        _t(Action.raise_escalation, set(CaseState), None),
        _t(Action.deescalate, set(CaseState), None),
        _t(Action.acknowledge_alert, set(CaseState), None),
        _t(Action.report_window_due, set(CaseState), None),
        _t(Action.report_window_missed, set(CaseState), None),
    )
}


def can(action: Action, state: CaseState) -> bool:
    """Whether ``action`` may start from ``state`` (ignoring who asks)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and state in transition.sources


def next_state(action: Action, state: CaseState, *, case_code: str) -> CaseState:
    """The state after ``action``; raises :class:`TransitionRefused` naming case, state and action."""
    transition = TRANSITIONS.get(action)
    if transition is None or state not in transition.sources:
        raise TransitionRefused(case_code=case_code, state=state.value, action=action.value)
    return transition.target if transition.target is not None else state


# Done by the services as a consequence of another action, never chosen by an operator.
CONSEQUENTIAL_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.absorb_duplicate,
        Action.deadline_warning,
        Action.deadline_breach,
        Action.supervise_due,
        Action.report_district,
        Action.report_window_due,
        Action.report_window_missed,
        # the board's own actions, offered on the board rather than in a case's action menu
        Action.escalate,
        Action.confirm_escalation,
        Action.escalation_report,
        Action.raise_escalation,
        Action.deescalate,
        Action.acknowledge_alert,
    }
)
# Written by the deadline timers as the system (no operator, no role check): see
# :mod:`gridconsole.services.deadline_watch`.
SYSTEM_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.deadline_warning,
        Action.deadline_breach,
        Action.supervise_due,
        Action.report_district,
        Action.report_window_due,
        Action.report_window_missed,
    }
)


def actions_from(state: CaseState) -> list[Action]:
    """Actions an operator may choose in ``state``, in declaration order (menus, help)."""
    return [
        tr.action
        for tr in TRANSITIONS.values()
        if state in tr.sources and tr.action not in CONSEQUENTIAL_ACTIONS
    ]
