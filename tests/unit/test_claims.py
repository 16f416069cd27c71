"""Claims (认领): the pure rules, and the service on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridconsole.clock import FrozenClock
from gridconsole.domain import claims
from gridconsole.domain.claims import Claim, ClaimHeld, ClaimRefused
from gridconsole.domain.enums import Action, CaseState, Priority, Role
from gridconsole.domain.errors import PermissionDenied
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.store.models import Operator
from tests.factories import T0, new_case_fields, services_for

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def add_dispatcher(db: Database, username: str, name: str) -> None:
    with db.write() as session:
        session.add(
            Operator(username=username, display_name=name, role=Role.dispatcher, created_at=T0)
        )


# -- the rules ------------------------------------------------------------------------------------


def test_an_expired_claim_is_no_claim() -> None:
    claim = Claim(7, "张三", NOW)
    assert claims.active_claim(claim, NOW - timedelta(seconds=1)) == claim
    assert claims.active_claim(claim, NOW) is None
    assert not claims.refuses(Action.accept, actor_id=8, current=claim, now=NOW)


def test_claim_by_another_is_refused_naming_the_holder() -> None:
    with pytest.raises(ClaimHeld) as refused:
        claims.check_claim(
            case_code="MY-1",
            state=CaseState.reported,
            role=Role.dispatcher,
            actor_id=8,
            current=Claim(7, "张三", NOW),
            now=NOW - timedelta(minutes=1),
            until_text="14:30",
        )
    assert str(refused.value) == "事件 MY-1 已被 张三 认领，至 14:30"


@pytest.mark.parametrize("role", [Role.liaison, Role.admin, Role.auditor])
def test_only_the_centre_claims(role: Role) -> None:
    with pytest.raises(ClaimRefused):
        claims.check_claim(
            case_code="MY-1",
            state=CaseState.reported,
            role=role,
            actor_id=8,
            current=None,
            now=NOW,
            until_text="",
        )


def test_break_needs_the_shift_lead_and_another_holder() -> None:
    held = Claim(7, "张三", NOW + timedelta(minutes=5))
    with pytest.raises(ClaimRefused):
        claims.check_break(
            case_code="MY-1", role=Role.dispatcher, actor_id=8, current=held, now=NOW
        )
    with pytest.raises(ClaimRefused):
        claims.check_break(
            case_code="MY-1", role=Role.shift_lead, actor_id=7, current=held, now=NOW
        )
    assert (
        claims.check_break(
            case_code="MY-1", role=Role.shift_lead, actor_id=8, current=held, now=NOW
        )
        == held
    )


@given(
    action=st.sampled_from(list(Action)),
    holder=st.integers(1, 3),
    actor=st.integers(1, 3),
    minutes_left=st.integers(-60, 60),
)
def test_a_claim_refuses_exactly_the_guarded_actions_of_others_while_it_runs(
    action: Action, holder: int, actor: int, minutes_left: int
) -> None:
    claim = Claim(holder, "张三", NOW + timedelta(minutes=minutes_left))
    expected = minutes_left > 0 and holder != actor and action in claims.GUARDED_ACTIONS
    assert claims.refuses(action, actor_id=actor, current=claim, now=NOW) is expected


# -- the service ----------------------------------------------------------------------------------


@pytest.fixture
def scene(any_db: Database) -> tuple[FrozenClock, Services, Services, Services, str]:
    add_dispatcher(any_db, "disp2", "张三")
    clock = FrozenClock(T0)
    disp = services_for(any_db, "disp", clock)
    disp2 = services_for(any_db, "disp2", clock)
    lead = services_for(any_db, "lead", clock)
    code = disp.cases.report(new_case_fields()).code
    return clock, disp, disp2, lead, code


def test_claim_does_not_bump_the_version_but_moves_the_change_token(
    scene: tuple[FrozenClock, Services, Services, Services, str],
) -> None:
    _, disp, _, _, code = scene
    before = disp.queue.detail(code)
    token = disp.queue.change_token()
    disp.claims.claim(code)
    detail = disp.queue.detail(code)
    assert detail.version == before.version
    assert detail.claimed_by_name == "王调度"
    assert detail.claimed_until == T0 + timedelta(minutes=30)
    assert detail.events[-1].action is Action.claim
    assert disp.queue.change_token() != token
    assert Action.release_claim in detail.claim_actions
    row = next(row for row in disp.queue.page(QueueFilter()).rows if row.code == code)
    assert (row.claimed_by_name, row.claimed_until) == ("王调度", T0 + timedelta(minutes=30))


def test_someone_elses_claim_refuses_claims_and_edits_naming_the_holder(
    scene: tuple[FrozenClock, Services, Services, Services, str],
) -> None:
    _, disp, disp2, _, code = scene
    assert disp.claims.claim(code).claimed_by_name == "王调度"
    version = disp.queue.detail(code).version
    with pytest.raises(ClaimHeld, match="已被 王调度 认领，至 10:00"):
        disp2.claims.claim(code)
    with pytest.raises(ClaimHeld, match="已被 王调度 认领，至 10:00"):
        disp2.cases.accept(code, version)
    with pytest.raises(ClaimHeld):
        disp2.cases.set_priority(code, version, priority=Priority.urgent)
    seen = disp2.queue.detail(code)
    assert Action.accept not in seen.allowed_actions
    assert Action.claim not in seen.claim_actions
    # the holder works on
    assert disp.cases.accept(code, version).state is CaseState.registered


def test_an_expired_claim_lets_another_claim_and_edit(
    scene: tuple[FrozenClock, Services, Services, Services, str],
) -> None:
    clock, disp, disp2, _, code = scene
    disp.claims.claim(code)
    version = disp.queue.detail(code).version
    clock.advance(timedelta(minutes=30))
    assert disp2.queue.detail(code).claimed_by_name == ""
    assert disp2.claims.claim(code).claimed_by_name == "张三"
    assert disp2.cases.accept(code, version).state is CaseState.registered


def test_release_and_break(scene: tuple[FrozenClock, Services, Services, Services, str]) -> None:
    _, disp, disp2, lead, code = scene
    disp.claims.claim(code)
    with pytest.raises(ClaimRefused, match="认领人不是您"):
        disp2.claims.release(code)
    with pytest.raises(PermissionDenied):
        disp2.claims.break_claim(code)
    assert Action.break_claim in lead.queue.detail(code).claim_actions
    assert lead.claims.break_claim(code, reason="调度员离岗").claimed_by_name == ""
    broken = lead.queue.detail(code)
    assert broken.claimed_by_name == ""
    assert broken.events[-1].action is Action.break_claim
    assert broken.events[-1].detail["holder"] == "王调度"
    with pytest.raises(ClaimRefused, match="未被认领"):
        disp.claims.release(code)
    disp2.claims.claim(code)
    assert disp2.claims.release(code).claimed_by_id is None
    released = disp.queue.detail(code)
    assert released.claimed_by_name == ""
    assert [event.action for event in released.events[-4:]] == [
        Action.claim,
        Action.break_claim,
        Action.claim,
        Action.release_claim,
    ]


def test_renewing_ones_own_claim_extends_it(
    scene: tuple[FrozenClock, Services, Services, Services, str],
) -> None:
    clock, disp, _, _, code = scene
    disp.claims.claim(code)
    clock.advance(timedelta(minutes=20))
    assert disp.claims.claim(code).claimed_until == T0 + timedelta(minutes=50)


def test_a_liaison_cannot_claim(any_db: Database) -> None:
    clock = FrozenClock(T0)
    code = services_for(any_db, "disp", clock).cases.report(new_case_fields()).code
    with pytest.raises(PermissionDenied):
        services_for(any_db, "liaison", clock).claims.claim(code)
