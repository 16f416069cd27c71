"""What the deadline timers fired, as plain data (no store import: the views may read it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridconsole.domain.enums import DeadlineStep


@dataclass(frozen=True)
class Firing:
    """One thing a timer wrote: which case, which step, at which true instant."""

    case_id: int
    case_code: str
    step: DeadlineStep | None
    at: datetime


@dataclass(frozen=True)
class FiredDeadlines:
    """What one ``fire_due`` call wrote (each list ordered by instant)."""

    warned: tuple[Firing, ...] = ()
    breached: tuple[Firing, ...] = ()
    urged: tuple[Firing, ...] = ()
    prompted: tuple[Firing, ...] = ()
    reported: tuple[Firing, ...] = ()
    # the escalation board: a report window about to close, and one missed
    report_due: tuple[Firing, ...] = ()
    report_missed: tuple[Firing, ...] = ()

    @property
    def count(self) -> int:
        return sum(
            len(group)
            for group in (
                self.warned,
                self.breached,
                self.urged,
                self.prompted,
                self.reported,
                self.report_due,
                self.report_missed,
            )
        )
