"""The lock-out rule (pure) and the password rule, with generated sequences of attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridconsole.domain.lockout import LockoutPolicy, LoginCounters, after_failure, after_success
from gridconsole.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem

T0 = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)

policies = st.builds(
    LockoutPolicy,
    max_failures=st.integers(1, 10),
    duration=st.integers(1, 24 * 60).map(lambda minutes: timedelta(minutes=minutes)),
)
# an attempt: (seconds after the previous one, whether the password was right)
attempts = st.lists(st.tuples(st.integers(0, 3 * 3600), st.booleans()), max_size=40)


def replay(
    policy: LockoutPolicy, steps: list[tuple[int, bool]]
) -> list[tuple[datetime, bool, bool, LoginCounters]]:
    """Run attempts through the rule as the service does: refused unheard while locked out.
    Each entry: when, whether the password was right, whether it was accepted, counters after."""
    counters = LoginCounters()
    now = T0
    log = []
    for gap, right in steps:
        now += timedelta(seconds=gap)
        if counters.locked_at(now):
            accepted = False
            counters = after_failure(counters, policy, now).counters if not right else counters
        elif right:
            accepted = True
            counters = after_success()
        else:
            accepted = False
            counters = after_failure(counters, policy, now).counters
        log.append((now, right, accepted, counters))
    return log


@given(policies, attempts)
def test_a_right_password_is_refused_only_while_locked_out(
    policy: LockoutPolicy, steps: list[tuple[int, bool]]
) -> None:
    previous = LoginCounters()
    for now, right, accepted, counters in replay(policy, steps):
        if right:
            assert accepted is not previous.locked_at(now)
        else:
            assert not accepted
        previous = counters


@given(policies, attempts)
def test_max_failures_in_a_row_lock_out_for_the_duration(
    policy: LockoutPolicy, steps: list[tuple[int, bool]]
) -> None:
    run = 0  # wrong passwords in a row since the last success or the end of a lock-out
    locked_until: datetime | None = None
    for now, _right, accepted, counters in replay(policy, steps):
        if locked_until is not None and now >= locked_until:
            run, locked_until = 0, None
        if locked_until is not None:
            assert counters.locked_until == locked_until  # a failure while locked extends nothing
            continue
        if accepted:
            run = 0
            assert counters == LoginCounters(0, None)
            continue
        run += 1
        if run >= policy.max_failures:
            locked_until = now + policy.duration
            assert counters.locked_until == locked_until
            assert counters.locked_at(now)
            assert not counters.locked_at(locked_until)
        else:
            assert counters.locked_until is None
            assert counters.failed_logins == run


def test_the_failure_that_locks_out_says_so() -> None:
    policy = LockoutPolicy(3, timedelta(minutes=15))
    counters = LoginCounters()
    flags = []
    for minute in range(5):
        outcome = after_failure(counters, policy, T0 + timedelta(minutes=minute))
        flags.append(outcome.locked_out)
        counters = outcome.counters
    assert flags == [False, False, True, False, False]
    assert counters.locked_until == T0 + timedelta(minutes=2 + 15)


def test_a_policy_must_lock_for_something() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LockoutPolicy(0, timedelta(minutes=1))
    with pytest.raises(ValueError, match="some time"):
        LockoutPolicy(1, timedelta(0))


@given(st.text(max_size=200))
def test_password_rule(password: str) -> None:
    problem = password_problem(password)
    if problem is None:
        assert MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
        assert password.strip()
        assert all(ord(char) >= 0x20 and char != "\x7f" for char in password)
        assert "\u202e" not in password


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "auth.rule.password_short"),
        ("x" * 129, "auth.rule.password_long"),
        ("correct\x1b[2Jhorse", "auth.rule.password_control"),
        ("abc\u202edefghi", "auth.rule.password_control"),
        (" " * 10, "auth.rule.password_blank"),
        ("正确的马电池订书钉", None),
    ],
)
def test_password_examples(password: str, problem: str | None) -> None:
    assert password_problem(password) == problem
