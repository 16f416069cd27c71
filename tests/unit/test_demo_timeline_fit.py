"""The demo squeezes a case's timeline into the time it has had: also a case reported just now."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from gridconsole.services.demo_history import Timeline
from tests.factories import T0


def _fitted(*seconds_before_now: int) -> list[object]:
    events = [{"at": T0 - timedelta(seconds=seconds)} for seconds in seconds_before_now]
    timeline = SimpleNamespace(world=SimpleNamespace(now=T0), record=SimpleNamespace(events=events))
    Timeline._fit_before_now(timeline)  # type: ignore[arg-type]
    return [event["at"] for event in events]


def test_events_of_one_instant_in_the_last_30_seconds_are_kept_in_order() -> None:
    # the 1,000,000-case demo has such cases: this divided by zero
    at = T0 - timedelta(seconds=10)
    assert _fitted(10, 10) == [at, at + timedelta(seconds=1)]


def test_a_timeline_past_now_is_squeezed_before_now() -> None:
    fitted = _fitted(100, -500)
    assert fitted[0] == T0 - timedelta(seconds=100)
    assert T0 - timedelta(seconds=100) < fitted[1] <= T0 - timedelta(seconds=30)
