"""Pictures of the department's work list, its extension form and the shift lead's approvals,
at 120×40 and 80×24.

Stable by construction: the frozen clock at T0 (Sunday 2026-11-29 09:30 in Nanjing), the fixed
reference street, cases dispatched through the services at fixed instants, no cursor blink.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.factories import T0, new_case_fields, services_for
from tests.snapshots.test_console_snapshots import SIZES, SnapCompare, keys_then_settle
from tests.ui.test_approvals_pane import one_request_of_each_kind
from tests.ui.test_department_pane import dispatched

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


def city_management_work(db: Database, clock: FrozenClock) -> None:
    """城管执法中队's list: a case dispatched on Friday and still unsigned (its sign deadline
    passed), one signed, one signed with an extension asked, one it assists market supervision
    on; and a case of market supervision alone, which it does not see."""
    dispatcher = services_for(db, "disp", clock)
    liaison = services_for(db, "liaison", clock)
    clock.set(local(2026, 11, 27, 10, 0))
    dispatched(dispatcher, "商铺外摆占道经营", "11-noise", "CG")
    clock.set(T0)
    signed = dispatched(dispatcher, "夜间施工噪音扰民", "11-noise", "CG")
    liaison.desk.sign(signed, liaison.queue.detail(signed).version)
    extended = dispatched(dispatcher, "广场舞音响扰民[bold]", "11-noise", "CG")
    liaison.desk.sign(extended, liaison.queue.detail(extended).version)
    liaison.desk.request_extension(
        extended,
        liaison.queue.detail(extended).version,
        new_due=local(2026, 12, 4, 17, 30),
        reason="需协调社区",
    )
    food = dispatcher.cases.report(
        new_case_fields(
            title="早餐店使用过期食材", category="03-food", priority="urgent", source="platform"
        )
    )
    food = dispatcher.cases.accept(food.code, food.version)
    dispatcher.dispatch.dispatch(food.code, food.version, lead="SC", assists=["CG"])
    dispatched(dispatcher, "超市售卖过期牛奶", "03-food", "SC")


def console(db: Database, username: str, clock: FrozenClock) -> GridConsoleApp:
    return GridConsoleApp(services_for(db, username, clock), Settings())


@pytest.mark.parametrize("size", SIZES)
def test_liaison_work_list(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    city_management_work(db, clock)
    app = console(db, "liaison", clock)
    # the cursor on the second row, so the first shows its missed sign deadline in red
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["down"]))


@pytest.mark.parametrize("size", SIZES)
def test_extension_request_form(
    snap_compare: SnapCompare, db: Database, clock: FrozenClock, size: tuple[int, int]
) -> None:
    city_management_work(db, clock)
    app = console(db, "liaison", clock)
    # the second row is the signed case: ask to extend it
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["down", "e"]))


@pytest.mark.parametrize("size", SIZES)
def test_approvals_pane(
    snap_compare: SnapCompare,
    db: Database,
    dispatcher: Services,
    clock: FrozenClock,
    size: tuple[int, int],
) -> None:
    one_request_of_each_kind(db, dispatcher, clock)
    app = console(db, "lead", clock)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(["5", "down"]))
