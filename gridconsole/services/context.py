"""What every service needs: the database, the clock, the settings and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.services.records import Actor
from gridconsole.store.engine import Database


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    clock: Clock
    settings: Settings
    actor: Actor

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, instant: datetime) -> datetime:
        """``instant`` in the centre's time zone."""
        return instant.astimezone(self.settings.centre.zone)

    def local_text(self, instant: datetime) -> str:
        return f"{self.local(instant):%Y-%m-%d %H:%M:%S}"
