"""The console draws its shell first and opens its services in a worker."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.errors import DomainError
from gridconsole.i18n import t
from gridconsole.services.bundle import Services
from gridconsole.services.database import SchemaNotCurrent
from gridconsole.services.operators import NotAnOperator
from gridconsole.store.engine import Database
from gridconsole.store.schema import SchemaState, SchemaStatus
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.messages import QueueLoaded, ServicesOpened
from gridconsole.views.ports import ConsoleServices, ServicesOpener
from gridconsole.views.queue_pane import QueuePane
from tests.factories import services_for
from tests.ui.console import settle, shown_codes

SIZE = (120, 40)
# bounds a test that goes wrong while the opener is held; never reached when it passes
GATE_TIMEOUT_S = 10.0


def header_text(app: GridConsoleApp, part: str) -> str:
    return str(app.screen.query_one(f"#header-{part}").render())


async def test_the_shell_shows_before_the_services_open_then_the_queue_loads(
    db: Database, clock: FrozenClock, seeded: list[str]
) -> None:
    settings = Settings()
    services = services_for(db, "disp", clock, settings)
    gate = threading.Event()
    opened_on: list[threading.Thread] = []

    def open_services() -> ConsoleServices:
        opened_on.append(threading.current_thread())
        gate.wait(GATE_TIMEOUT_S)
        return services

    messages: list[Message] = []
    app = GridConsoleApp(ServicesOpener(open_services, clock), settings)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        try:
            await pilot.pause()
            # the shell: centre, clock and the opening status; no pane, data keys inert
            assert isinstance(app.screen, MainScreen)
            assert settings.centre.name in header_text(app, "identity")
            assert "2026-11-29 09:30:00" in header_text(app, "clock")
            assert header_text(app, "operator") == t("shell.opening_database")
            assert app.services is None
            assert not app.screen.query(QueuePane)
            await pilot.press("1", "n", "a")
            assert isinstance(app.screen, MainScreen)
            assert not app.screen.query(QueuePane)
        finally:
            gate.set()
        await settle(pilot)
        assert len(opened_on) == 1
        assert opened_on[0] is not threading.main_thread()
        assert app.services is services
        kinds = [type(message) for message in messages]
        assert kinds.index(ServicesOpened) < kinds.index(QueueLoaded)
        first, second, third, fourth = seeded
        assert shown_codes(app) == [second, first, third, fourth]
        assert "王调度" in header_text(app, "operator")
        assert "-" not in header_text(app, "counts")


async def wait_for_the_opening(pilot: Pilot[None]) -> None:
    # the failed worker may already have left the manager (then nothing raises)
    with contextlib.suppress(WorkerFailed):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def empty_schema(url: str) -> SchemaNotCurrent:
    return SchemaNotCurrent(SchemaStatus(SchemaState.empty, None, "head"), url)


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(lambda: NotAnOperator(username="nobody"), id="not-an-operator"),
        pytest.param(lambda: empty_schema("sqlite:///centre.db"), id="schema-not-current"),
    ],
)
async def test_a_refused_opening_ends_the_console_with_its_message(
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    refusal: Callable[[], DomainError],
) -> None:
    error = refusal()

    def open_services() -> ConsoleServices:
        raise error

    app = GridConsoleApp(ServicesOpener(open_services, clock), Settings())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_the_opening(pilot)
    assert app.return_code == 1
    # printed once the terminal is restored, wrapped to its width
    assert "".join(capsys.readouterr().err.split()) == "".join(str(error).split())
    assert str(error) != error.key  # a translated sentence, not the catalog key


async def test_an_unexpected_failure_ends_the_console_without_a_traceback(
    clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    def open_services() -> Services:
        raise OSError("disk I/O error")

    app = GridConsoleApp(ServicesOpener(open_services, clock), Settings())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_the_opening(pilot)
    assert app.return_code == 1
    stderr = " ".join(capsys.readouterr().err.split())
    assert stderr == t("shell.open_failed", error="OSError: disk I/O error")
    assert "Traceback" not in stderr
