"""Escalation alerts reach every console (issue 5): another OS process raises an escalation or
fires a missed report window on the same database, and this process's next poll — the one a
console makes every refresh interval, on the connections it already holds — sees the alert.

The assertions are on the data the poll returns after the other process has finished, never on
how long anything took: "within the refresh interval" means the very next poll, with no retry.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import (
    AlertKind,
    EscalationKind,
    EscalationStage,
    Role,
    Severity,
)
from gridconsole.services.bundle import Services
from gridconsole.services.deadline_watch import DeadlineWatch
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from tests.factories import T0, new_case_fields

NOW = "2026-11-29T09:30:00+08:00"  # T0 in the centre's zone


def _poll(console: Services) -> tuple[int, tuple[tuple[str, AlertKind], ...]]:
    """What a console's refresh reads: the change token and the unacknowledged alerts."""
    alerts = console.escalations.open_alerts()
    return console.queue.change_token(), tuple((alert.case_code, alert.kind) for alert in alerts)


def _raise_by_cli(url: str, code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "empty.toml"
    config.touch()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GRIDCONSOLE_DB", "GRIDCONSOLE_NOW", "GRIDCONSOLE_CONFIG")
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gridconsole",
            "--config",
            str(config),
            "--db",
            url,
            "--lang",
            "en",
            "--now",
            NOW,
            "escalation",
            "raise",
            code,
            "--kind",
            "mass_incident",
            "--severity",
            "major",
            "--reason",
            "thirty workers at the site gate",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _fire_windows(url: str, minutes: int) -> int:
    """Another console's timers, ``minutes`` after T0."""
    db = Database.connect(url)
    try:
        watch = DeadlineWatch.headless(db, FrozenClock(T0 + timedelta(minutes=minutes)), Settings())
        return len(watch.fire_due().report_missed)
    finally:
        db.dispose()


def test_an_escalation_raised_in_another_process_reaches_this_consoles_next_poll(
    any_db: Database, tmp_path: Path
) -> None:
    url = any_db.reader.url.render_as_string(hide_password=False)
    clock = FrozenClock(T0)
    ensure_operator(
        any_db, clock, username=os_username(), display_name="另一台", role=Role.dispatcher
    )
    # this console: a shift lead's, its engine and pool opened before the other process writes
    console = Services.build(any_db, Settings(), clock, "lead")
    code = console.cases.report(new_case_fields(title="工地聚集讨薪")).code
    token_before, alerts_before = _poll(console)
    assert alerts_before == ()

    raised = _raise_by_cli(url, code, tmp_path)
    assert raised.returncode == 0, raised.stderr
    assert f"(case {code}) is now to confirm" in raised.stdout

    token_after, alerts_after = _poll(console)
    assert token_after > token_before
    assert alerts_after == ((code, AlertKind.raised),)
    (card,) = console.escalations.board().column(EscalationStage.pending).cards
    assert card.case_code == code
    # a department's liaison is not alerted (they do not read the board)
    liaison = Services.build(any_db, Settings(), clock, "liaison")
    assert liaison.escalations.open_alerts() == ()

    # this console's shift lead acknowledges: the alert is gone for every console
    console.escalations.acknowledge(alert_ids=[console.escalations.open_alerts()[0].id])
    other = Services.build(any_db, Settings(), clock, "disp")
    assert other.escalations.open_alerts() == ()


def test_a_window_missed_by_another_process_timers_reaches_this_console(
    any_db: Database,
) -> None:
    url = any_db.reader.url.render_as_string(hide_password=False)
    clock = FrozenClock(T0)
    console = Services.build(any_db, Settings(), clock, "lead")
    dispatcher = Services.build(any_db, Settings(), clock, "disp")
    code = dispatcher.cases.report(new_case_fields(title="燃气泄漏")).code
    card = dispatcher.escalations.raise_(
        code, kind=EscalationKind.emergency, severity=Severity.major, reason="燃气泄漏"
    )
    console.escalations.confirm(card.id, card.version)  # the 'raised' alert is acknowledged
    token_before, alerts_before = _poll(console)
    assert alerts_before == ()

    # 重大: the phone report is owed within 15 minutes; another process's timers at +16
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        (missed,) = pool.starmap(_fire_windows, [(url, 16)])
    assert missed == 1

    token_after, alerts_after = _poll(console)
    assert token_after > token_before
    assert alerts_after == ((code, AlertKind.report_missed),)
    (red,) = console.escalations.for_case(code)
    assert red.missed_count == 1
    assert red.overdue(T0 + timedelta(minutes=16))
