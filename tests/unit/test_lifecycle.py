"""The state machine of domain.md §2, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain import lifecycle
from gridconsole.domain.enums import OPEN_STATES, Action, CaseState
from gridconsole.domain.errors import TransitionRefused
from gridconsole.i18n import set_locale

S = CaseState
A = Action

# The diagram of domain.md §2, edge by edge: (from, action, to).
DIAGRAM = [
    (S.reported, A.accept, S.registered),
    (S.reported, A.reject, S.rejected),
    (S.reported, A.merge, S.rejected),
    (S.registered, A.merge, S.rejected),
    (S.reported, A.resolve_in_grid, S.feedback_given),
    (S.registered, A.resolve_in_grid, S.feedback_given),
    (S.registered, A.dispatch, S.dispatched),
    (S.reopened, A.dispatch, S.dispatched),
    (S.dispatched, A.sign, S.in_progress),
    (S.dispatched, A.return_, S.returned),
    (S.in_progress, A.return_, S.returned),
    (S.returned, A.redispatch, S.dispatched),
    (S.in_progress, A.suspend, S.suspended),
    (S.suspended, A.resume, S.in_progress),
    (S.in_progress, A.feedback, S.feedback_given),
    (S.feedback_given, A.verify_pass, S.closed),
    (S.feedback_given, A.verify_fail, S.reopened),
    (S.feedback_given, A.close, S.closed),
    (S.closed, A.follow_up, S.followed_up),
    # not drawn in domain.md §2: issue 4 — a 不满意 answer at follow-up offers a reopen
    (S.followed_up, A.reopen, S.reopened),
]


@pytest.mark.parametrize(("source", "action", "target"), DIAGRAM)
def test_every_edge_of_the_diagram_is_allowed(
    source: CaseState, action: Action, target: CaseState
) -> None:
    assert lifecycle.next_state(action, source, case_code="MY-20261129-0001") is target


def test_no_edge_outside_the_diagram_changes_state() -> None:
    edges = {(source, action) for source, action, _ in DIAGRAM}
    for action, transition in lifecycle.TRANSITIONS.items():
        if transition.target is None:
            continue
        for source in transition.sources:
            assert (source, action) in edges, f"{source} --{action}--> not in domain.md §2"


@pytest.mark.parametrize("state", [S.closed, S.followed_up, S.rejected])
def test_finished_cases_take_no_flags(state: CaseState) -> None:
    for flag in (A.set_priority, A.urge, A.supervise, A.absorb_duplicate):
        assert not lifecycle.can(flag, state)


def test_refusal_names_case_state_and_action_in_the_operators_language() -> None:
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.next_state(A.accept, S.closed, case_code="MY-20261129-0007")
    assert str(refused.value) == "事件 MY-20261129-0007 当前为“已结案”，不能受理"
    set_locale("en")
    assert str(refused.value) == "case MY-20261129-0007 is closed: it cannot accept"


@given(st.lists(st.sampled_from(list(Action)), max_size=40))
def test_any_sequence_of_actions_keeps_a_valid_state(actions: list[Action]) -> None:
    """Random walks: a refused action leaves the state alone; terminal states stay terminal."""
    state = S.reported
    for action in actions:
        if lifecycle.can(action, state):
            new_state = lifecycle.next_state(action, state, case_code="X")
            transition = lifecycle.TRANSITIONS[action]
            assert new_state == (transition.target or state)
            state = new_state
        else:
            with pytest.raises(TransitionRefused):
                lifecycle.next_state(action, state, case_code="X")
        if state is S.rejected:
            assert lifecycle.actions_from(state) == []
        if state is S.followed_up:
            assert lifecycle.actions_from(state) == [A.reopen]


def test_every_open_state_can_make_progress() -> None:
    """No dead ends: from each open state some state-changing action leads on."""
    for state in OPEN_STATES:
        assert any(
            lifecycle.TRANSITIONS[action].target not in (None, state)
            for action in lifecycle.actions_from(state)
        ), state
