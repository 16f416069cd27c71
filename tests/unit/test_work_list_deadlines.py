"""A department's work list carries each running deadline as the overdue pane reads it: the due
and warning instants and whether the step's limit runs in working time, and the countdown over
the calendar they were computed with (SQLite and PostgreSQL).

Working time 08:30–12:00, 13:30–17:30; Monday 30 November 2026 is a working day. Handling takes
3 working days for a normal case (warning at 80 %) and 24 calendar hours for an urgent one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import Priority
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import Case
from tests.factories import new_case_fields, services_for

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


MONDAY_9 = local(2026, 11, 30, 9, 0)


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
def monday(clock: FrozenClock) -> FrozenClock:
    clock.set(MONDAY_9)
    return clock


@pytest.fixture
def liaison(db: Database, monday: FrozenClock) -> Services:
    return services_for(db, "liaison", monday)  # 城管执法中队 (CG)


def dispatched(dispatcher: Services, title: str, *, urgent: bool = False) -> str:
    case = dispatcher.cases.report(
        new_case_fields(title=title, priority="urgent" if urgent else "normal")
    )
    case = dispatcher.cases.accept(case.code, case.version)
    return dispatcher.dispatch.dispatch(case.code, case.version, lead="CG").code


def stored(db: Database, code: str) -> tuple[datetime | None, datetime | None]:
    with db.read() as session:
        due_at, warn_at = session.execute(
            select(col(Case.due_at), col(Case.warn_at)).where(col(Case.code) == code)
        ).one()
    return due_at, warn_at


def test_work_list_rows_carry_the_warning_instant_and_the_kind_of_time(
    db: Database, dispatcher: Services, liaison: Services, monday: FrozenClock
) -> None:
    normal = dispatched(dispatcher, "夜间施工噪音扰民")
    urgent = dispatched(dispatcher, "工地深夜浇筑", urgent=True)

    page = liaison.desk.work_list()
    rows = {row.case_code: row for row in page.rows}
    assert set(rows) == {normal, urgent}

    # normal: 3 working days from Monday 09:00 → Thursday 09:00; 80 % (18 working hours) is
    # Wednesday 12:00; in working time
    assert rows[normal].priority is Priority.normal
    assert rows[normal].due_at == local(2026, 12, 3, 9, 0)
    assert rows[normal].warn_at == local(2026, 12, 2, 12, 0)
    assert (rows[normal].due_at, rows[normal].warn_at) == stored(db, normal)
    assert rows[normal].working_time is True
    # urgent: 24 calendar hours, warning after 19.2 of them; plain elapsed time
    assert rows[urgent].due_at == MONDAY_9 + timedelta(hours=24)
    assert rows[urgent].warn_at == MONDAY_9 + timedelta(hours=19, minutes=12)
    assert (rows[urgent].due_at, rows[urgent].warn_at) == stored(db, urgent)
    assert rows[urgent].working_time is False

    # the page's countdown reads them in their own kind of time, as the overdue pane does
    countdown = page.countdown
    now = local(2026, 11, 30, 17, 30)  # Monday evening: 7 working hours used
    normal_reading = countdown.reading(
        now, rows[normal].warn_at, rows[normal].due_at, working_time=rows[normal].working_time
    )
    assert normal_reading.status is DeadlineStatus.on_time
    assert normal_reading.seconds == int(15.5 * 3600)
    assert normal_reading.day_seconds == int(7.5 * 3600)
    urgent_reading = countdown.reading(
        now, rows[urgent].warn_at, rows[urgent].due_at, working_time=rows[urgent].working_time
    )
    assert urgent_reading.seconds == int(15.5 * 3600)  # 09:00 tomorrow, in elapsed time
    assert urgent_reading.day_seconds == 86_400


def test_a_centre_operator_reads_the_same_deadline_fields(
    db: Database, dispatcher: Services, monday: FrozenClock
) -> None:
    code = dispatched(dispatcher, "夜间施工噪音扰民")
    (row,) = dispatcher.desk.work_list("CG").rows
    assert row.case_code == code
    assert (row.due_at, row.warn_at, row.working_time) == (
        local(2026, 12, 3, 9, 0),
        local(2026, 12, 2, 12, 0),
        True,
    )


def test_a_suspended_dispatch_has_no_running_deadline(
    db: Database, dispatcher: Services, lead: Services, liaison: Services, monday: FrozenClock
) -> None:
    code = dispatched(dispatcher, "夜间施工噪音扰民")
    liaison.desk.sign(code, liaison.queue.detail(code).version)
    version = liaison.queue.detail(code).version
    liaison.desk.request_suspension(
        code, version, resume_planned=date(2026, 12, 7), reason="等待业主回国"
    )
    (request,) = lead.approvals.pending()
    lead.approvals.approve(request.id, request.case_version, reason="同意挂起")
    (row,) = liaison.desk.work_list().rows
    assert (row.due_at, row.warn_at) == (None, None)
    # the step is kept while the clocks stand still: its limit still says working time
    assert row.working_time is True
