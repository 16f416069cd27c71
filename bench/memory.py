"""Resident memory of the console with each pane open, beside the minimal app.

Each configuration runs in a fresh interpreter (``python -m bench.memory …``): the console as
``gridconsole --db`` builds it, headless at 120×40, its queue loaded; then the pane's key is
pressed and, once the pane is current and its workers have finished, ``VmRSS`` (resident now)
and ``VmHWM`` (the peak) are read from /proc/self/status. The panes are those the main screen
binds when the benchmark runs (``show_…_pane`` actions), so a new pane is measured as it lands.
The floor is the minimal app (a 50-row ``DataTable``) measured the same way; the minimal app with
SQLAlchemy and SQLModel imported shows what the database layer alone costs.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)
QUIET_S = 1.0


@dataclass(frozen=True)
class Resident:
    rss_mib: float
    peak_mib: float
    opened_ms: float | None = None  # key to the pane loaded (None: the queue, at start)
    offered: bool = True  # False: the operator's role is not offered the pane (nothing measured)


def pane_keys() -> list[tuple[str, str]]:
    """(first key, action) of every pane the main screen binds, in its order."""
    from textual.binding import Binding

    from gridconsole.views.main_screen import MainScreen

    keys = []
    for binding in MainScreen.BINDINGS:
        if (
            isinstance(binding, Binding)
            and binding.action.startswith("show_")
            and binding.action.endswith("_pane")
        ):
            keys.append((binding.key.split(",")[0], binding.action))
    return keys


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _resident(opened_ms: float | None = None) -> Resident:
    return Resident(_status_mib("VmRSS"), _status_mib("VmHWM"), opened_ms)


async def _quiet(pilot: Any) -> None:
    """Until no worker runs (at most 30 s), then a further second of idle."""
    app = pilot.app
    deadline = time.monotonic() + 30
    while any(worker.is_running for worker in app.workers) and time.monotonic() < deadline:
        await pilot.pause()
        await asyncio.sleep(0.02)
    await pilot.pause(QUIET_S)


def moved_from(read: Callable[[], object], value: object) -> Callable[[], bool]:
    """A condition: ``read()`` no longer gives ``value``."""
    return lambda: read() != value


def _measure_console(database: str, keys: list[str]) -> Resident:
    from textual.widgets import ContentSwitcher

    from bench.console_app import console_app, wait_until
    from bench.keystrokes import _loaded

    app = console_app(Path(database) if "://" not in database else database)

    async def scenario() -> Resident:
        opened_ms = None
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: _loaded(app))
            await _quiet(pilot)
            switcher = app.screen.query_one("#panes", ContentSwitcher)
            actions = dict(pane_keys())
            refused = [key for key in keys if app.screen.check_action(actions[key], ()) is False]
            if len(keys) == 1 and refused:
                return Resident(0.0, 0.0, None, offered=False)
            for key in (key for key in keys if key not in refused):
                before = switcher.current
                started = time.perf_counter()
                await pilot.press(key)
                if key != "f2":
                    await wait_until(
                        pilot, moved_from(lambda: switcher.current, before), limit_s=30
                    )
                await _quiet(pilot)
                opened_ms = (time.perf_counter() - started) * 1000 - QUIET_S * 1000
            return _resident(opened_ms)

    return asyncio.run(scenario())


def _measure_minimal(imports: bool) -> Resident:
    from textual.widgets import DataTable

    from bench.console_app import wait_until
    from bench.minimal_app import MinimalApp

    if imports:
        import sqlalchemy  # noqa: F401
        import sqlmodel  # noqa: F401

    async def scenario() -> Resident:
        app = MinimalApp()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.query_one(DataTable).row_count == 50)
            await _quiet(pilot)
            return _resident()

    return asyncio.run(scenario())


def _in_subprocess(arguments: list[str]) -> Resident:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.memory", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(f"bench.memory {arguments}: {completed.stderr[-2000:]}")
    return Resident(**json.loads(completed.stdout.strip().splitlines()[-1]))


def run(database: Path | str) -> list[tuple[str, Resident]]:
    """(configuration, resident memory), the floors first."""
    figures = [
        ("minimal app (floor)", _in_subprocess(["minimal"])),
        ("minimal app + sqlalchemy, sqlmodel imported", _in_subprocess(["minimal+orm"])),
        ("console, queue (F2) loaded", _in_subprocess(["console", str(database)])),
    ]
    keys = pane_keys()
    for key, action in keys:
        if key == "f2":
            continue
        label = (
            f"console, {action.removeprefix('show_').removesuffix('_pane')} pane ({key.upper()})"
        )
        resident = _in_subprocess(["console", str(database), key])
        if resident.offered:  # the audit pane is the admin's and the auditor's
            figures.append((label, resident))
    every = [key for key, _ in keys if key != "f2"]
    figures.append(
        (
            "console, every pane offered opened in turn",
            _in_subprocess(["console", str(database), *every]),
        )
    )
    return figures


def main(arguments: list[str]) -> None:
    what, *rest = arguments
    if what == "minimal":
        resident = _measure_minimal(imports=False)
    elif what == "minimal+orm":
        resident = _measure_minimal(imports=True)
    else:
        database, *keys = rest
        resident = _measure_console(database, keys)
    print(json.dumps(resident.__dict__))


if __name__ == "__main__":
    main(sys.argv[1:])


TARGET_RATIO = 1.3


def report(database: Path | str) -> None:
    """Print resident memory per configuration beside the minimal app."""
    figures = run(database)
    floor = figures[0][1].rss_mib
    print(f"{'resident memory (fresh process, 120x40)':44} {'VmRSS':>10} {'peak':>10}  x minimal")
    for label, resident in figures:
        ratio = resident.rss_mib / floor
        opened = (
            f"  (key to loaded {resident.opened_ms:.0f} ms via pilot)"
            if resident.opened_ms is not None
            else ""
        )
        verdict = (
            ""
            if label.startswith("minimal")
            else (f"  target <= {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
        )
        print(
            f"  {label:42} {resident.rss_mib:6.1f} MiB {resident.peak_mib:6.1f} MiB  "
            f"x{ratio:.2f}{verdict}{opened}"
        )
