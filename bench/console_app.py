"""The console as ``gridconsole --db sqlite:///…`` builds it, for headless measurements."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from gridconsole.app import GridConsoleApp
from gridconsole.cli.main import build_clock
from gridconsole.config import load_settings
from gridconsole.views.ports import ServicesOpener

ROOT = Path(__file__).resolve().parents[1]


def console_app(database: Path | str) -> GridConsoleApp:
    """Settings from the project's config.toml, a clock running from the demo's present, services opened in a worker
    and the deadline timers running: what ``open_console`` hands to ``run_console``.
    ``database`` is a SQLite file or a URL."""
    from gridconsole.services.bundle import open_services

    url = database if isinstance(database, str) else f"sqlite:///{database}"
    settings = load_settings(ROOT / "config.toml")
    from tests.factories import T0  # here: bench.memory's minimal floor imports this module

    # the demo's own present, running: on the system clock every deadline due since the demo
    # was built fires in the first tick, a catch-up burst measured as if it were typing
    clock = build_clock(T0.isoformat(), None)

    def open_console_services() -> Any:
        return open_services(settings, clock, url=url)

    def console_timers(services: Any, on_fired: Callable[..., None]) -> Any:
        from gridconsole.scheduling.deadline_timers import DeadlineTimers
        from gridconsole.services.deadline_watch import DeadlineWatch

        return DeadlineTimers(DeadlineWatch(services.context), clock, on_fired=on_fired)

    return GridConsoleApp(ServicesOpener(open_console_services, clock, console_timers), settings)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], limit_s: float = 60) -> None:
    """Pause the pilot until ``condition()`` holds (RuntimeError after ``limit_s`` seconds)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not get there in time")
        await pilot.pause()
        await asyncio.sleep(0.01)
