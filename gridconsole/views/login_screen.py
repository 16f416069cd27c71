"""The login screen: the operator's password, where the centre asks for one (a shared SSH
account, or ``[security] require_password``). Nothing of the centre's data is read before the
password is accepted; the main screen is built only then."""

from __future__ import annotations

from dataclasses import replace

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
from gridconsole.services.identity import LoginFacts
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.messages import OpeningFailed
from gridconsole.views.ports import ConsoleServices, ServicesOpener


class LoginReady(Message):
    def __init__(self, services: ConsoleServices, facts: LoginFacts) -> None:
        super().__init__()
        self.services = services
        self.facts = facts


class LoginAccepted(Message):
    pass


class LoginScreen(Screen[None]):
    """Asks for the password, then replaces itself with the main screen."""

    def __init__(self, opener: ServicesOpener, settings: Settings) -> None:
        super().__init__(id="login")
        self.opener = opener
        self.settings = settings
        self.services: ConsoleServices | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box", classes="auth-box"):
            yield Static(Text(self.settings.centre.name), classes="auth-centre")
            yield Static(Text(t("auth.login_title")), classes="auth-title")
            yield Static(Text(t("auth.login_opening")), id="login-prompt", classes="auth-prompt")
            yield Input(
                id="login-password",
                password=True,
                placeholder=t("auth.password_placeholder"),
                restrict=SINGLE_LINE,
                max_length=MAX_PASSWORD_LENGTH,
                disabled=True,
            )
            yield Static("", id="login-message", classes="auth-message")

    def on_mount(self) -> None:
        self.open_services()

    @work(thread=True, exclusive=True, exit_on_error=False, group="login-open")
    def open_services(self) -> None:
        services = self.opener.open()
        self.post_message(LoginReady(services, services.auth.facts()))

    def on_login_ready(self, message: LoginReady) -> None:
        self.services = message.services
        facts = message.facts
        prompt = self.query_one("#login-prompt", Static)
        prompt.update(
            Text(t("auth.login_prompt", name=facts.display_name, username=facts.username))
        )
        if not facts.has_password:
            self._say(t("auth.error.no_password", username=facts.username))
            return
        password = self.query_one("#login-password", Input)
        password.disabled = False
        password.focus()

    @on(Input.Submitted, "#login-password")
    def submit(self, event: Input.Submitted) -> None:
        if self.services is None or not event.value:
            return
        event.input.disabled = True
        self._say(t("auth.login_checking"))
        self.log_in(self.services, event.value)
        event.input.value = ""

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def log_in(self, services: ConsoleServices, password: str) -> None:
        services.auth.login(password)
        self.post_message(LoginAccepted())

    def on_login_accepted(self, _message: LoginAccepted) -> None:
        from gridconsole.views.main_screen import MainScreen

        services = self.services
        assert services is not None
        opened = replace(self.opener, open=lambda: services)
        self.app.switch_screen(MainScreen(opened, self.settings))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if event.worker.group == "login-open":
            self.post_message(OpeningFailed(error))  # the app leaves with the reason
            return
        if isinstance(error, DomainError):
            self._say(str(error))
        else:
            self._say(t("shell.unexpected_error", error=f"{type(error).__name__}: {error}"))
        password = self.query_one("#login-password", Input)
        password.disabled = False
        password.focus()

    def _say(self, text: str) -> None:
        self.query_one("#login-message", Static).update(Text(text))
