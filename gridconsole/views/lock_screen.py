"""The console lock (idle, or the operator's lock key): a full screen in place of the console (not
a modal over it), showing nobody's data but the operator's own name; the operator's password
unlocks it. A wrong password counts toward the lock-out like a failed login."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from gridconsole.config import Settings
from gridconsole.domain.errors import DomainError
from gridconsole.domain.passwords import MAX_PASSWORD_LENGTH
from gridconsole.i18n import t
from gridconsole.services.identity import LockReason, LoginFacts
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.ports import ConsoleServices


class LockRecorded(Message):
    def __init__(self, facts: LoginFacts) -> None:
        super().__init__()
        self.facts = facts


class Unlocked(Message):
    pass


class LockScreen(Screen[None]):
    """Covers the console until the operator's password is given; dismissed on unlock."""

    def __init__(self, services: ConsoleServices, settings: Settings, reason: LockReason) -> None:
        super().__init__(id="lock")
        self.services = services
        self.settings = settings
        self.reason = reason

    def compose(self) -> ComposeResult:
        actor = self.services.context.actor
        with Vertical(id="lock-box", classes="auth-box"):
            yield Static(Text(self.settings.centre.name), classes="auth-centre")
            yield Static(Text(t("auth.lock_title")), classes="auth-title")
            yield Static(
                Text(t("auth.lock_prompt", name=actor.display_name, username=actor.username)),
                classes="auth-prompt",
            )
            if self.reason is LockReason.idle:
                minutes = self.settings.security.idle_lock_minutes
                note = t("auth.lock_idle", minutes=minutes)
            else:
                note = t("auth.lock_by_key")
            yield Static(Text(note), classes="auth-note")
            yield Input(
                id="lock-password",
                password=True,
                placeholder=t("auth.password_placeholder"),
                restrict=SINGLE_LINE,
                max_length=MAX_PASSWORD_LENGTH,
                disabled=True,
            )
            yield Static("", id="lock-message", classes="auth-message")

    def on_mount(self) -> None:
        self.record_lock(self.services, self.reason)

    @work(thread=True, exclusive=True, exit_on_error=False, group="lock")
    def record_lock(self, services: ConsoleServices, reason: LockReason) -> None:
        services.auth.lock(reason)
        self.post_message(LockRecorded(services.auth.facts()))

    def on_lock_recorded(self, message: LockRecorded) -> None:
        if not message.facts.has_password:
            self._say(t("auth.no_password_hint", username=message.facts.username))
            return
        password = self.query_one("#lock-password", Input)
        password.disabled = False
        password.focus()

    @on(Input.Submitted, "#lock-password")
    def submit(self, event: Input.Submitted) -> None:
        if not event.value:
            return
        event.input.disabled = True
        self._say(t("auth.login_checking"))
        self.unlock(self.services, event.value)
        event.input.value = ""

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def unlock(self, services: ConsoleServices, password: str) -> None:
        services.auth.unlock(password)
        self.post_message(Unlocked())

    def on_unlocked(self, _message: Unlocked) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        text = (
            str(error)
            if isinstance(error, DomainError)
            else t("shell.unexpected_error", error=f"{type(error).__name__}: {error}")
        )
        self._say(text)
        if event.worker.group == "unlock":
            password = self.query_one("#lock-password", Input)
            password.disabled = False
            password.focus()

    def _say(self, text: str) -> None:
        self.query_one("#lock-message", Static).update(Text(text))
