"""The only source of "now".

Every service, timer and widget asks a :class:`Clock` for the current instant, so tests can
freeze time and training runs can start the console at any chosen moment. Instants are always
timezone-aware UTC; conversion to the centre's zone happens at display time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give a time zone")
    return instant.astimezone(UTC)


def host_wall_time() -> datetime:
    """The host's wall clock, for arming real timers (APScheduler run dates, which count host
    time): never the domain's "now", which is always a :class:`Clock`'s."""
    return datetime.now(UTC)


@runtime_checkable
class Clock(Protocol):
    """A source of the current instant."""

    @property
    def simulated(self) -> bool:
        """True when the instant is not the real time (training, tests)."""
        ...

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Real time."""

    simulated = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds_until(self, instant: datetime) -> float | None:
        """Real seconds until the clock shows ``instant`` (0 when it already has)."""
        return max(0.0, (instant - self.now()).total_seconds())


class FrozenClock:
    """Time that moves only when told to: tests and snapshots."""

    simulated = True

    def __init__(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def real_seconds_until(self, instant: datetime) -> float | None:
        """None unless already there: a frozen clock reaches an instant only when told to."""
        return 0.0 if instant <= self._at else None


class OffsetClock:
    """Real time running from a chosen start instant (``--now``): training runs.

    The offset is taken against the monotonic clock so a wall-clock adjustment on the host does
    not make simulated time jump.
    """

    simulated = True

    def __init__(self, start: datetime, *, speed: float = 1.0) -> None:
        self._start = _require_aware(start)
        self._origin = time.monotonic()
        if not speed > 0:
            raise ValueError(f"the clock's speed must be greater than 0, not {speed}")
        self._speed = speed

    @property
    def speed(self) -> float:
        """How many simulated seconds pass in one real second (``--speed``)."""
        return self._speed

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._speed
        return self._start + timedelta(seconds=elapsed)

    def real_seconds_until(self, instant: datetime) -> float | None:
        """Real seconds until the clock shows ``instant``: the simulated wait over the speed."""
        return max(0.0, (instant - self.now()).total_seconds() / self._speed)
