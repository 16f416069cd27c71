"""Live countdowns to step deadlines, counted from memory (no database), once a second.

A :class:`DeadlineCountdown` holds the work calendar the deadlines were computed with; the overdue
pane asks it, each second, how much of each allowance is left at the clock's ``now``. Working-time
steps count working time (the countdown stands still at night and on holidays); steps whose limit
is in calendar units count plain elapsed time, as their deadlines were computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gridconsole.domain.deadlines import DeadlineStatus, deadline_status
from gridconsole.domain.work_calendar import WorkCalendar

_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class CountdownReading:
    """Where one deadline stands at one instant.

    ``seconds``: signed whole seconds until the due instant (negative: overdue by that much), in
    the deadline's kind of time. ``day_seconds``: the length of one "day" in that kind of time
    (a working day of working time, or 24 hours), so "超期 2天3小时" reads in the same units.
    """

    status: DeadlineStatus
    seconds: int
    day_seconds: int


class DeadlineCountdown:
    """Countdowns against one :class:`WorkCalendar` (immutable; build a new one when it changes)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._working_day_seconds = int(calendar.working_day_length / _ONE_SECOND)

    def seconds_left(self, now: datetime, due_at: datetime, *, working_time: bool) -> int:
        """Signed whole seconds from ``now`` to ``due_at``, truncated toward zero."""
        if working_time:
            return self.calendar.working_seconds_between(now, due_at)
        microseconds = (due_at - now) // timedelta(microseconds=1)
        seconds = abs(microseconds) // 1_000_000
        return seconds if microseconds >= 0 else -seconds

    def reading(
        self, now: datetime, warn_at: datetime, due_at: datetime, *, working_time: bool
    ) -> CountdownReading:
        return CountdownReading(
            status=deadline_status(now, warn_at, due_at),
            seconds=self.seconds_left(now, due_at, working_time=working_time),
            day_seconds=self._working_day_seconds if working_time else 86_400,
        )

    def horizon(self, now: datetime, working_hours: int) -> datetime:
        """The instant ``working_hours`` of working time after ``now``: deadlines due by then
        are "falling due soon" (即将到期)."""
        return self.calendar.add_duration(
            now, timedelta(hours=working_hours), working_time=True
        ).due
