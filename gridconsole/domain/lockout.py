"""The lock-out rule: failed logins in a row lock an operator out for a while.

Pure: the service reads the operator's counters, asks what a failure or a success makes of them,
and writes the answer back in the same transaction. An unlock of an idle-locked console counts
as a login here (a wrong password there is a failed login too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int  # failures in a row that lock the operator out (≥ 1)
    duration: timedelta  # how long the lock-out lasts

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.duration <= timedelta(0):
            raise ValueError("a lock-out must last some time")


@dataclass(frozen=True)
class LoginCounters:
    """What the operator row holds: failures in a row and the lock-out they caused."""

    failed_logins: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        """Whether an attempt at ``now`` is refused unheard (the password is not even checked)."""
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class FailureOutcome:
    counters: LoginCounters
    locked_out: bool  # this failure started a lock-out


def after_failure(counters: LoginCounters, policy: LockoutPolicy, now: datetime) -> FailureOutcome:
    """The counters after a wrong password at ``now``.

    A failure while locked out changes nothing (the lock-out is not extended: someone guessing
    cannot keep the real operator out forever, and the attempt is recorded anyway). Once a
    lock-out has ended, counting starts again from zero.
    """
    if counters.locked_at(now):
        return FailureOutcome(counters, locked_out=False)
    previous = 0 if counters.locked_until is not None else counters.failed_logins
    failures = previous + 1
    if failures >= policy.max_failures:
        return FailureOutcome(LoginCounters(failures, now + policy.duration), locked_out=True)
    return FailureOutcome(LoginCounters(failures, None), locked_out=False)


def after_success() -> LoginCounters:
    """A good password clears the count (only reachable while not locked out)."""
    return LoginCounters(0, None)
