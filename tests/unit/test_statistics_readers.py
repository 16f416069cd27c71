"""Every department's figures are the centre's to read: a liaison is refused the statistics,
the report and the Open311 export in the services, not only by the pane being hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridconsole.clock import FrozenClock
from gridconsole.domain import permissions
from gridconsole.domain.enums import Role
from gridconsole.domain.errors import PermissionDenied
from gridconsole.domain.periods import PeriodKind
from gridconsole.services.statistics import StatisticsService
from gridconsole.services.statistics_records import Dimension
from gridconsole.services.statistics_report import write_open311
from gridconsole.store.engine import Database
from tests.factories import services_for


def test_the_readers_are_the_centre_admins_and_auditors() -> None:
    assert {
        Role.dispatcher,
        Role.shift_lead,
        Role.admin,
        Role.auditor,
    } == permissions.STATISTICS_READERS


def test_a_liaison_is_refused_every_statistic(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    liaison = services_for(db, "liaison", clock)
    statistics = StatisticsService(liaison.context)
    period = statistics.named_period(PeriodKind.this_month)
    for read in (
        lambda: statistics.table(Dimension.department, period),
        lambda: statistics.trend(period),
        lambda: statistics.workers(period),
        lambda: statistics.export(period, tmp_path / "report.xlsx"),
        lambda: statistics.overdue_list(period),
        lambda: statistics.escalations(period),
        lambda: write_open311(liaison.context, period, tmp_path / "cases.json"),
    ):
        with pytest.raises(PermissionDenied):
            read()
    assert not (tmp_path / "report.xlsx").exists()
    # the auditor reads them
    auditor = StatisticsService(services_for(db, "audit", clock).context)
    table = auditor.table(Dimension.department, period)
    assert (table.dimension, table.period) == (Dimension.department, period)
