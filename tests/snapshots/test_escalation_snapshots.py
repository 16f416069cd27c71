"""Pictures of the escalation board: the five columns at 120×40, the list grouped by stage at
80×24, the wall mode at both sizes, and the report form.

The scene, on the reference street with the frozen clock: four escalations raised between T0 − 60
and T0 − 20 minutes — a 重大 mass incident waiting for confirmation whose phone 初报 window has
been missed (red, with its alert), a 较大 gas leak confirmed at the street level and inside its
warning time, a 重大 dispute reported to the district, and an 特别重大 emergency being handled.
Its title carries markup, which must show literally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from textual.pilot import Pilot

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import (
    EscalationKind,
    ReportChannel,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.factories import new_case_fields, services_for
from tests.snapshots.test_console_snapshots import keys_then_settle
from tests.ui.test_escalation_pane import console

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def _raise(
    services: Services, title: str, kind: EscalationKind, severity: Severity, reason: str
) -> tuple[int, int]:
    case = services.cases.report(new_case_fields(title=title))
    card = services.escalations.raise_(case.code, kind=kind, severity=severity, reason=reason)
    return card.id, card.version


def _report(
    services: Services,
    escalation: tuple[int, int],
    kind: ReportKind,
    channel: ReportChannel,
    level: ReportLevel,
) -> tuple[int, int]:
    card = services.escalations.detail(escalation[0]).card
    card = services.escalations.record_report(
        card.id, card.version, kind=kind, channel=channel, level=level, content="报告"
    )
    return card.id, card.version


def keys_then_quiet(
    keys: Iterable[str], then: Iterable[str] = ()
) -> Callable[[Pilot[None]], object]:
    """The keys, the alert toasts cleared (the banner stays: they would cover the board), then
    the keys ``then``."""
    pressed, after = keys_then_settle(keys), keys_then_settle(then)

    async def run_before(pilot: Pilot[None]) -> None:
        await pressed(pilot)
        pilot.app.clear_notifications()
        await after(pilot)

    return run_before


@pytest.fixture
def scene(db: Database, clock: FrozenClock) -> None:
    dispatcher = services_for(db, "disp", clock)
    lead = services_for(db, "lead", clock)
    clock.advance(timedelta(minutes=-60))
    emergency = _raise(
        dispatcher,
        "化工厂仓库起火",
        EscalationKind.emergency,
        Severity.extraordinary,
        "仓库起火，浓烟较大",
    )
    lead.escalations.confirm(*emergency)
    for channel, level in (
        (ReportChannel.phone, ReportLevel.street_leader),
        (ReportChannel.written, ReportLevel.district_centre),
    ):
        emergency = _report(lead, emergency, ReportKind.initial, channel, level)
    clock.advance(timedelta(minutes=20))
    _report(lead, emergency, ReportKind.update, ReportChannel.platform, ReportLevel.departments)
    dispute = _raise(
        dispatcher,
        "两村土地权属纠纷",
        EscalationKind.major_dispute,
        Severity.major,
        "两村村民因土地权属发生对峙",
    )
    lead.escalations.confirm(*dispute)
    _report(lead, dispute, ReportKind.initial, ReportChannel.written, ReportLevel.district_centre)
    clock.advance(timedelta(minutes=13))
    gas = _raise(
        dispatcher, "小区燃气管道泄漏", EscalationKind.major_hazard, Severity.larger, "闻到燃气味"
    )
    lead.escalations.confirm(*gas)
    clock.advance(timedelta(minutes=7))
    _raise(
        dispatcher,
        "[red]工地门口[/red]工人聚集讨薪",
        EscalationKind.mass_incident,
        Severity.major,
        "约二十名工人聚集，[bold]情绪激动[/bold]",
    )
    clock.advance(timedelta(minutes=20))  # back at T0: the mass incident's 15 minutes are gone
    assert dispatcher.watch.fire_due().count >= 1


@pytest.mark.parametrize("size", SIZES)
def test_escalation_board(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, scene: None, size: tuple[int, int]
) -> None:
    """120×40: the five columns; 80×24: the list grouped by stage."""
    app = console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_quiet(["6"]))


@pytest.mark.parametrize("size", SIZES)
def test_escalation_wall(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, scene: None, size: tuple[int, int]
) -> None:
    app = console(db, clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_quiet(["6", "w"]))


def test_escalation_report_form_80x24(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, scene: None
) -> None:
    """``r`` on the selected card (the missed mass incident): the phone 初报 proposed."""
    app = console(db, clock, "disp")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys_then_quiet(["6"], ["r"]))
