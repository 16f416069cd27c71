"""The console's main screen: header, one pane at a time, footer; and the live poll."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer
from textual.worker import Worker, WorkerState

from gridconsole.i18n import t
from gridconsole.views.console_header import ConsoleHeader
from gridconsole.views.messages import ChangesPolled, OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.queue_pane import QueuePane

QUEUE_PANE_ID = "queue-pane"
# Warning and overdue counts move with time, not only with events: re-read them every N polls.
COUNTS_EVERY_POLLS = 30


class MainScreen(Screen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("f2,1", "show_queue_pane", t("shell.key_queue_pane"), id="show-queue-pane"),
    ]

    def __init__(self, services: ConsoleServices) -> None:
        super().__init__(id="main")
        self.services = services
        self.last_token: int | None = None
        self.poll_timer: Timer | None = None
        self.polls_since_counts = 0

    def compose(self) -> ComposeResult:
        yield ConsoleHeader(self.services, id="console-header")
        with ContentSwitcher(initial=QUEUE_PANE_ID, id="panes"):
            yield QueuePane(self.services, id=QUEUE_PANE_ID)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.poll_changes()

    def action_show_queue_pane(self) -> None:
        self.query_one("#panes", ContentSwitcher).current = QUEUE_PANE_ID
        self.query_one(QueuePane).table.focus()

    # -- the live poll: one read at a time, re-armed after each ----------------------------------

    def _arm_poll(self) -> None:
        seconds = self.services.context.settings.queue.refresh_seconds
        self.poll_timer = self.set_timer(seconds, self.poll_changes, name="queue-poll")

    def poll_changes(self) -> None:
        """Read the change token now (the timer calls this; so may a test)."""
        if self.poll_timer is not None:
            self.poll_timer.stop()
            self.poll_timer = None
        if self.app.screen is not self:
            self._arm_poll()  # a modal or the detail is open: leave the queue as it is
            return
        self.polls_since_counts += 1
        self.read_changes(self.last_token, self.polls_since_counts >= COUNTS_EVERY_POLLS)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def read_changes(self, last_token: int | None, counts_due: bool) -> None:
        token = self.services.queue.change_token()
        moved = token != last_token
        counts = self.services.queue.header_counts() if moved or counts_due else None
        self.post_message(ChangesPolled(token, counts))

    def on_changes_polled(self, message: ChangesPolled) -> None:
        if message.counts is not None:
            self.query_one(ConsoleHeader).counts = message.counts
            self.polls_since_counts = 0
        if message.token != self.last_token:
            first = self.last_token is None
            self.last_token = message.token
            if not first:
                self.query_one(QueuePane).change_token = message.token
        self._arm_poll()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "poll":
            return
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(OperationFailed(event.worker.error))
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._arm_poll()
