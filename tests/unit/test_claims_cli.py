"""`gridconsole case claim|release|break-claim CODE`: the claims of the console, by command."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain.claims import ClaimHeld
from gridconsole.domain.enums import Action, Role
from gridconsole.services.bundle import Services
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from tests.factories import new_case_fields
from tests.unit.test_cli import ME, on


@pytest.fixture
def code(dispatcher: Services) -> str:
    return dispatcher.cases.report(new_case_fields()).code


def test_claim_and_release(
    db: Database, clock: FrozenClock, db_url: str, tmp_path: Path, lead: Services, code: str
) -> None:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    claimed = on(db_url, tmp_path, "case", "claim", code)
    assert claimed.exit_code == 0, claimed.output
    assert claimed.stdout.strip() == f"case {code} is claimed by 值班测试 until 2026-11-29 10:00"
    with pytest.raises(ClaimHeld):
        lead.cases.set_priority(code, 1, priority=lead.queue.detail(code).priority)
    chinese = on(db_url, tmp_path, "case", "claim", code, lang="zh")  # renews one's own
    assert chinese.stdout.strip() == f"事件 {code} 已由 值班测试 认领，至 2026-11-29 10:00"
    released = on(db_url, tmp_path, "case", "release", code)
    assert released.exit_code == 0, released.output
    assert released.stdout.strip() == f"case {code}: nobody holds it"
    assert lead.queue.detail(code).claimed_by_name == ""
    again = on(db_url, tmp_path, "case", "release", code)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"case {code}: cannot release the claim: nobody holds the case"


def test_someone_elses_claim_is_refused_naming_the_holder_and_a_dispatcher_cannot_break_it(
    db: Database, clock: FrozenClock, db_url: str, tmp_path: Path, lead: Services, code: str
) -> None:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    lead.claims.claim(code)
    refused = on(db_url, tmp_path, "case", "claim", code)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"case {code} is claimed by 李值班 until 10:00"
    broken = on(db_url, tmp_path, "case", "break-claim", code, "--reason", "x")
    assert broken.exit_code == 1
    assert lead.queue.detail(code).claimed_by_name == "李值班"
    assert on(db_url, tmp_path, "case", "claim").exit_code == 2  # usage: no code


def test_shift_lead_breaks_a_claim_with_a_reason(
    db: Database,
    clock: FrozenClock,
    db_url: str,
    tmp_path: Path,
    dispatcher: Services,
    code: str,
) -> None:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.shift_lead)
    dispatcher.claims.claim(code)
    broken = on(db_url, tmp_path, "case", "break-claim", code, "--reason", "调度员离岗")
    assert broken.exit_code == 0, broken.output
    assert broken.stdout.strip() == f"case {code}: nobody holds it"
    detail = dispatcher.queue.detail(code)
    assert detail.claimed_by_name == ""
    event = detail.events[-1]
    assert (event.action, event.reason, event.operator_name) == (
        Action.break_claim,
        "调度员离岗",
        "值班测试",
    )
