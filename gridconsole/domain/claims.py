"""Claims (认领): a dispatcher holds a case while working on it, so two dispatchers do not work
the same case at once. Pure rules: who may claim, release and break, what an expired claim is
(none at all), and which actions by someone else a claim refuses.

A claim is not an edit of the case: it never bumps the case's version. The services enforce these
rules by compare-and-set on the claim columns, under the case's row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gridconsole.domain.enums import Action, CaseState, Role
from gridconsole.domain.errors import DomainError, Term

# the centre works cases; a department's liaison, an admin or an auditor holds none
CLAIMERS: frozenset[Role] = frozenset({Role.dispatcher, Role.shift_lead})
# the shift lead may take a case from whoever holds it (audited, on the timeline)
BREAKERS: frozenset[Role] = frozenset({Role.shift_lead})
# a case nobody works any more cannot be claimed
UNCLAIMABLE_STATES: frozenset[CaseState] = frozenset({CaseState.rejected, CaseState.followed_up})

# What a claim refuses to everyone but its holder: the case-changing actions a dispatcher takes.
# Not refused, on purpose: what a department does or asks (signing, feedback, requests: the
# centre records them after a phone call, and the department's clock must not wait on a claim),
# the shift lead's decisions (approvals, suspension, supervision), and urging or escalating —
# a claim must never delay a reminder or an Art. 30 report.
GUARDED_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.accept,
        Action.reject,
        Action.merge,
        Action.resolve_in_grid,
        Action.set_priority,
        Action.dispatch,
        Action.redispatch,
        Action.verify_pass,
        Action.verify_fail,
        Action.close,
        Action.follow_up,
        Action.reopen,
    }
)


@dataclass(frozen=True)
class Claim:
    """Who holds a case and until when (as stored; it may have expired)."""

    holder_id: int
    holder_name: str
    until: datetime

    def active(self, now: datetime) -> bool:
        """An expired claim is no claim: nobody has to release it."""
        return now < self.until


def active_claim(claim: Claim | None, now: datetime) -> Claim | None:
    return claim if claim is not None and claim.active(now) else None


def claim_until(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


class ClaimHeld(DomainError):
    """Someone else holds the case: the action (or a claim of one's own) is refused."""

    key = "claims.error_held"

    def __init__(self, case_code: str, holder: str, until: str) -> None:
        super().__init__(case_code=case_code, holder=holder, until=until)
        self.case_code = case_code
        self.holder = holder


class ClaimRefused(DomainError):
    """A claim, release or break that the rules refuse (the ``rule`` key says why)."""

    key = "claims.error_refused"

    def __init__(self, case_code: str, action: str, rule: str) -> None:
        super().__init__(
            case_code=case_code, action=Term(f"action.{action}"), why=Term(f"claims.rule_{rule}")
        )
        self.rule = rule


def check_claim(
    *,
    case_code: str,
    state: CaseState,
    role: Role,
    actor_id: int,
    current: Claim | None,
    now: datetime,
    until_text: str,
) -> None:
    """May the actor claim (or renew their claim on) the case? ``until_text`` is the current
    claim's end as the operator reads it."""
    if role not in CLAIMERS:
        raise ClaimRefused(case_code, Action.claim.value, "role")
    if state in UNCLAIMABLE_STATES:
        raise ClaimRefused(case_code, Action.claim.value, "case_over")
    held = active_claim(current, now)
    if held is not None and held.holder_id != actor_id:
        raise ClaimHeld(case_code, held.holder_name, until_text)


def check_release(*, case_code: str, actor_id: int, current: Claim | None, now: datetime) -> None:
    """Only the holder releases their own active claim (the shift lead breaks another's)."""
    held = active_claim(current, now)
    if held is None:
        raise ClaimRefused(case_code, Action.release_claim.value, "not_claimed")
    if held.holder_id != actor_id:
        raise ClaimRefused(case_code, Action.release_claim.value, "not_holder")


def check_break(
    *, case_code: str, role: Role, actor_id: int, current: Claim | None, now: datetime
) -> Claim:
    """The shift lead breaks someone else's active claim; returns the claim broken."""
    if role not in BREAKERS:
        raise ClaimRefused(case_code, Action.break_claim.value, "role")
    held = active_claim(current, now)
    if held is None:
        raise ClaimRefused(case_code, Action.break_claim.value, "not_claimed")
    if held.holder_id == actor_id:
        raise ClaimRefused(case_code, Action.break_claim.value, "own_claim")
    return held


def refuses(action: Action, *, actor_id: int, current: Claim | None, now: datetime) -> bool:
    """Whether a claim held by someone else refuses ``action`` by the actor."""
    held = active_claim(current, now)
    return held is not None and held.holder_id != actor_id and action in GUARDED_ACTIONS


def check_action(
    action: Action,
    *,
    case_code: str,
    actor_id: int,
    current: Claim | None,
    now: datetime,
    until_text: str,
) -> None:
    """Raise :class:`ClaimHeld` if a claim held by someone else refuses ``action``."""
    if current is not None and refuses(action, actor_id=actor_id, current=current, now=now):
        raise ClaimHeld(case_code, current.holder_name, until_text)


def claim_actions(
    *, role: Role, actor_id: int, state: CaseState, current: Claim | None, now: datetime
) -> tuple[Action, ...]:
    """The claim actions the actor has on the case now (what the keys offer)."""
    if role not in CLAIMERS or state in UNCLAIMABLE_STATES:
        return ()
    held = active_claim(current, now)
    if held is None:
        return (Action.claim,)
    if held.holder_id == actor_id:
        return (Action.claim, Action.release_claim)  # claiming again renews it
    return (Action.break_claim,) if role in BREAKERS else ()
