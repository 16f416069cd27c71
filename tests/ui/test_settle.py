"""``settle`` waits out a refused worker instead of raising its error.

A worker started with ``exit_on_error=False`` reports its failure to its screen; the test
helper that waits for the console to be idle must not turn that into a test error. CI
caught this on the login screen: a slow machine left the wrong-password check running
when ``settle`` began to wait, and the snapshot test failed with the refusal itself."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual.app import App
from textual.worker import WorkerFailed

from tests.ui.console import settle

GATE_TIMEOUT_S = 5.0


class Refusing(App[None]):
    def __init__(self, *, exit_on_error: bool) -> None:
        super().__init__()
        self.release = threading.Event()
        self.exit_on_error = exit_on_error

    def refuse(self) -> None:
        self.run_worker(self._refuse, thread=True, exit_on_error=self.exit_on_error, name="refuse")

    def _refuse(self) -> None:
        self.release.wait(GATE_TIMEOUT_S)
        raise ValueError("refused")


async def test_settle_waits_out_a_worker_that_fails_while_it_waits() -> None:
    app = Refusing(exit_on_error=False)
    async with app.run_test() as pilot:
        app.refuse()
        waiting = asyncio.create_task(settle(pilot))
        await asyncio.sleep(0.05)  # settle is now awaiting the running worker
        app.release.set()
        await waiting
        assert not any(worker.is_running for worker in app.workers)


async def test_settle_still_raises_a_failure_the_app_does_not_handle() -> None:
    app = Refusing(exit_on_error=True)

    async def refuse_and_settle() -> None:
        async with app.run_test() as pilot:
            app.refuse()
            waiting = asyncio.create_task(settle(pilot))
            await asyncio.sleep(0.05)
            app.release.set()
            await waiting

    with pytest.raises(WorkerFailed):
        await refuse_and_settle()
