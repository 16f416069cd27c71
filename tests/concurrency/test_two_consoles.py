"""Two consoles editing the same case, in every interleaving of (A loads, B loads, A saves,
B saves): whoever saves second against the version it loaded is refused, told who changed the
case and when, and nothing of theirs is written; the first save lands. A console that loaded
after the first save edits the new version, and its save lands too (that is not a conflict)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import col
from textual.widgets import Input

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import Action, Priority
from gridconsole.domain.errors import StaleCase
from gridconsole.i18n import t
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry, CaseEvent
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.queue_table import QueueTable
from gridconsole.views.set_priority_modal import SetPriorityModal
from tests.factories import T0, new_case_fields, services_for
from tests.ui.console import Recorder, settle

Step = tuple[str, str]  # (console, "load" | "save")
CONSOLES = {"A": "disp", "B": "lead"}
NAMES = {"A": "王调度", "B": "李值班"}
SIZE = (120, 40)


def interleavings() -> list[tuple[Step, ...]]:
    """Every order of the four steps in which each console loads before it saves."""
    steps: list[Step] = [("A", "load"), ("A", "save"), ("B", "load"), ("B", "save")]
    orders = {
        order
        for order in itertools.permutations(steps)
        if all(order.index((name, "load")) < order.index((name, "save")) for name in CONSOLES)
    }
    return sorted(orders)


def conflicting(order: tuple[Step, ...]) -> bool:
    """Both loaded before the first save: the second save is against a version gone by."""
    first_save = next(index for index, (_, kind) in enumerate(order) if kind == "save")
    return all(order.index((name, "load")) < first_save for name in CONSOLES)


def saves(order: tuple[Step, ...]) -> tuple[str, str]:
    first, second = (name for name, kind in order if kind == "save")
    return first, second


@dataclass
class Outcome:
    """What one interleaving left behind."""

    version: int
    priority_events: list[str]  # the reasons recorded, oldest first
    audit_entries: int


def outcome(db: Database, code: str, services: Services, audit_before: int) -> Outcome:
    detail = services.queue.detail(code)
    with db.read() as session:
        audit_after = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        reasons = list(
            session.execute(
                select(col(CaseEvent.reason))
                .where(
                    col(CaseEvent.case_id) == detail.id,
                    col(CaseEvent.action) == Action.set_priority,
                )
                .order_by(col(CaseEvent.id))
            ).scalars()
        )
    return Outcome(detail.version, reasons, int(audit_after) - audit_before)


def audit_count(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def expected_refusal(services: Services, code: str, first: str) -> str:
    detail = services.queue.detail(code)
    return t(
        "error.stale_case",
        case_code=code,
        changed_by=NAMES[first],
        changed_at=services.context.local_text(detail.updated_at),
    )


# -- through the services, on SQLite and PostgreSQL ------------------------------------------


def test_every_interleaving_through_the_services(any_db: Database) -> None:
    clock = FrozenClock(T0)
    services = {name: services_for(any_db, user, clock) for name, user in CONSOLES.items()}
    orders = interleavings()
    assert len(orders) == 6
    refused = landed_twice = 0
    for order in orders:
        code = services["A"].cases.report(new_case_fields(title="两台控制台同改一件")).code
        audit_before = audit_count(any_db)
        seen: dict[str, tuple[int, Priority]] = {}
        errors: dict[str, StaleCase] = {}
        for name, kind in order:
            clock.advance(timedelta(minutes=1))  # each step at its own minute: "when" is exact
            if kind == "load":
                loaded = services[name].queue.detail(code)
                seen[name] = (loaded.version, loaded.priority)
                continue
            version, priority = seen[name]
            try:
                services[name].cases.set_priority(
                    code,
                    version,
                    # as the form does: the other priority than the one loaded
                    priority=Priority.normal if priority is Priority.urgent else Priority.urgent,
                    reason=f"{name} 的理由",
                )
            except StaleCase as error:
                errors[name] = error
        first, second = saves(order)
        result = outcome(any_db, code, services["A"], audit_before)
        if conflicting(order):
            refused += 1
            assert list(errors) == [second], order
            assert str(errors[second]) == expected_refusal(services[first], code, first)
            assert result == Outcome(2, [f"{first} 的理由"], 1), order
        else:
            landed_twice += 1
            assert errors == {}, order
            assert result == Outcome(3, [f"{first} 的理由", f"{second} 的理由"], 2), order
    print(
        f"\ntwo consoles through the services: {len(orders)} interleavings, "
        f"{refused} second saves refused naming who and when, {landed_twice} sequential"
    )
    assert (refused, landed_twice) == (4, 2)


# -- through two consoles (Pilot) on one database ---------------------------------------------


class Console:
    """One operator's console under Pilot, with the notices it showed."""

    def __init__(self, db: Database, user: str, clock: FrozenClock) -> None:
        settings = Settings()
        self.app = GridConsoleApp(services_for(db, user, clock, settings), settings)
        self.recorder = Recorder()
        self.refusals: list[str] = []  # what the priority form said when it was refused

    async def load(self, pilot: object, code: str) -> None:
        """Open the case's detail from the queue, then its priority form; type a reason."""
        app = self.app
        await pilot.press("f5")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
        table = app.screen.query_one(QueueTable)
        table.move_cursor(row=table.get_row_index(code))
        await settle(pilot)  # type: ignore[arg-type]
        assert table.selected_code == code
        await pilot.press("enter")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.press("p")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
        modal = app.screen
        assert isinstance(modal, SetPriorityModal)
        assert modal.detail.code == code

    async def save(self, pilot: object, reason: str) -> None:
        modal = self.app.screen
        assert isinstance(modal, SetPriorityModal)
        field = modal.query_one("#priority-reason", Input)
        field.focus()
        await pilot.press(*reason)  # type: ignore[attr-defined]
        assert field.value == reason
        await pilot.press("ctrl+s")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
        if self.app.screen is modal:  # refused in the form: what it said, then leave it
            self.refusals.append(modal.shown_problems["form"])
            assert field.value == reason  # what was typed is still there
            await pilot.press("escape")  # type: ignore[attr-defined]
            await settle(pilot)  # type: ignore[arg-type]


async def test_every_interleaving_through_two_consoles(
    db: Database, clock: FrozenClock, dispatcher: Services
) -> None:
    orders = interleavings()
    codes = [
        dispatcher.cases.report(new_case_fields(title=f"两台控制台同改一件{index}")).code
        for index in range(len(orders))
    ]
    consoles = {name: Console(db, user, clock) for name, user in CONSOLES.items()}
    a, b = consoles["A"], consoles["B"]
    refused = landed_twice = 0
    async with (
        a.app.run_test(size=SIZE, message_hook=a.recorder.hook) as pilot_a,
        b.app.run_test(size=SIZE, message_hook=b.recorder.hook) as pilot_b,
    ):
        pilots = {"A": pilot_a, "B": pilot_b}
        for pilot in pilots.values():
            await settle(pilot)
        for order, code in zip(orders, codes, strict=True):
            audit_before = audit_count(db)
            errors_before = {name: len(c.recorder.errors) for name, c in consoles.items()}
            refusals_before = {name: len(c.refusals) for name, c in consoles.items()}
            for name, kind in order:
                clock.advance(timedelta(minutes=1))
                if kind == "load":
                    await consoles[name].load(pilots[name], code)
                else:
                    await consoles[name].save(pilots[name], f"{name}reason")
            first, second = saves(order)
            new_errors = {
                name: c.recorder.errors[errors_before[name] :] for name, c in consoles.items()
            }
            new_refusals = {
                name: c.refusals[refusals_before[name] :] for name, c in consoles.items()
            }
            result = outcome(db, code, dispatcher, audit_before)
            assert new_errors == {"A": [], "B": []}, order
            if conflicting(order):
                refused += 1
                # never silent: the second console's form says who changed the case and when
                # (and stays open with the reason typed, until the operator leaves it)
                said = f"{expected_refusal(dispatcher, code, first)} {t('desk.stale_again')}"
                assert new_refusals == {first: [], second: [said]}, order
                assert result == Outcome(2, [f"{first}reason"], 1), order
            else:
                landed_twice += 1
                assert new_refusals == {"A": [], "B": []}, order
                assert result == Outcome(3, [f"{first}reason", f"{second}reason"], 2), order
            for console in consoles.values():
                assert isinstance(console.app.screen, MainScreen), order
                assert console.app.is_running
    assert all(not n.markup for c in consoles.values() for n in c.recorder.notifications)
    print(
        f"\ntwo consoles under Pilot: {len(orders)} interleavings, "
        f"{refused} second saves refused naming who and when, {landed_twice} sequential"
    )
    assert (refused, landed_twice) == (4, 2)
