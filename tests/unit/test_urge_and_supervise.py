"""催办 and 督办: flags on a case being handled, events without a state change, by role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, CaseState, Role
from gridconsole.domain.errors import PermissionDenied, StaleCase, TransitionRefused
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case
from tests.factories import T0, new_case_fields, services_for
from tests.overdue_cases import dispatch_directly


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def dispatched_case(db: Database, dispatcher: Services) -> tuple[str, int]:
    case = dispatcher.cases.report(new_case_fields())
    dispatch_directly(db, case.code, "CG", T0)
    detail = dispatcher.queue.detail(case.code)
    assert detail.state is CaseState.dispatched
    return detail.code, detail.version


def test_the_domain_allows_urging_by_the_centre_and_supervising_by_the_shift_lead() -> None:
    assert permissions.allowed(Role.dispatcher, Action.urge)
    assert permissions.allowed(Role.shift_lead, Action.urge)
    assert not permissions.allowed(Role.liaison, Action.urge)
    assert permissions.allowed(Role.shift_lead, Action.supervise)
    assert not permissions.allowed(Role.dispatcher, Action.supervise)
    # flags on a case a department is handling; never on a finished case
    assert lifecycle.next_state(Action.urge, CaseState.dispatched, case_code="X") == (
        CaseState.dispatched
    )
    assert lifecycle.can(Action.supervise, CaseState.in_progress)
    assert not lifecycle.can(Action.urge, CaseState.closed)
    assert not lifecycle.can(Action.urge, CaseState.reported)


def test_urge_counts_and_records_an_event_without_a_state_change(
    db: Database, dispatcher: Services, clock: FrozenClock
) -> None:
    code, version = dispatched_case(db, dispatcher)
    clock.advance(timedelta(minutes=3))
    urged = dispatcher.cases.urge(code, version, note="请尽快到场")
    assert urged.state is CaseState.dispatched
    assert urged.version == version + 1
    event = urged.events[-1]
    assert (event.action, event.to_state, event.reason) == (Action.urge, None, "请尽快到场")
    # held against the lead department (CG, the first department of the reference street)
    assert event.detail == {"urge_count": 1, "department_id": 1}
    again = dispatcher.cases.urge(code, urged.version)
    assert again.events[-1].detail == {"urge_count": 2, "department_id": 1}
    with db.read() as session:
        row = session.get(Case, urged.id)
        assert row is not None
        assert row.urge_count == 2
        assert row.supervised is False


def test_urge_does_not_move_the_deadline(db: Database, dispatcher: Services) -> None:
    code, version = dispatched_case(db, dispatcher)
    before = dispatcher.queue.detail(code)
    urged = dispatcher.cases.urge(code, version)
    assert (urged.due_at, urged.warn_at, urged.step) == (before.due_at, before.warn_at, before.step)


def test_supervise_is_the_shift_leads(db: Database, dispatcher: Services, lead: Services) -> None:
    code, version = dispatched_case(db, dispatcher)
    with pytest.raises(PermissionDenied):
        dispatcher.cases.supervise(code, version, note="督办")
    supervised = lead.cases.supervise(code, version, note="请主要负责人督办")
    assert supervised.state is CaseState.dispatched
    assert supervised.events[-1].action is Action.supervise
    assert supervised.events[-1].reason == "请主要负责人督办"
    with db.read() as session:
        row = session.get(Case, supervised.id)
        assert row is not None
        assert row.supervised is True


@pytest.mark.parametrize("username", ["liaison", "admin", "audit"])
def test_others_may_not_urge(
    db: Database, dispatcher: Services, clock: FrozenClock, username: str
) -> None:
    code, version = dispatched_case(db, dispatcher)
    with pytest.raises(PermissionDenied):
        services_for(db, username, clock).cases.urge(code, version)


def test_urging_a_case_not_yet_dispatched_or_a_stale_version_is_refused(
    db: Database, dispatcher: Services
) -> None:
    reported = dispatcher.cases.report(new_case_fields(title="刚上报"))
    with pytest.raises(TransitionRefused):
        dispatcher.cases.urge(reported.code, reported.version)
    code, version = dispatched_case(db, dispatcher)
    dispatcher.cases.urge(code, version)
    with pytest.raises(StaleCase):
        dispatcher.cases.urge(code, version)
