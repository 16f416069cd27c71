"""The console application: theme, keymap, palette providers and the worker-error policy.

The app draws its shell first and opens its services in a worker (SQLAlchemy is imported
there): a refusal to open ends the console with exit status 1 and the reason on stderr.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import termios
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import platformdirs
from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen

from gridconsole.config import Settings
from gridconsole.domain.errors import DomainError
from gridconsole.domain.text import display_text
from gridconsole.i18n import t
from gridconsole.services.identity import LockReason
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.approvals_commands import ApprovalsCommands
from gridconsole.views.approvals_pane import ApprovalsPane
from gridconsole.views.approvals_table import ApprovalsTable
from gridconsole.views.case_detail_screen import CaseDetailScreen
from gridconsole.views.department_pane import DepartmentPane
from gridconsole.views.department_table import DepartmentTable
from gridconsole.views.desk_commands import DeskCommands
from gridconsole.views.dispatch_commands import DispatchCommands
from gridconsole.views.dispatch_pane import DispatchPane
from gridconsole.views.dispatch_table import DispatchTable
from gridconsole.views.duplicate_choice_modal import DuplicateChoiceModal
from gridconsole.views.escalation_commands import EscalationCommands
from gridconsole.views.escalation_pane import EscalationPane
from gridconsole.views.help_screen import HelpScreen, HelpSection
from gridconsole.views.lock_screen import LockScreen
from gridconsole.views.login_screen import LoginScreen
from gridconsole.views.main_screen import MainScreen
from gridconsole.views.messages import OpeningFailed, OperationFailed, ServicesOpened
from gridconsole.views.overdue_commands import OverdueCommands
from gridconsole.views.overdue_pane import OverduePane
from gridconsole.views.overdue_table import OverdueTable
from gridconsole.views.ports import ConsoleServices, ServicesOpener
from gridconsole.views.queue_commands import QueueCommands
from gridconsole.views.queue_pane import QueuePane
from gridconsole.views.queue_table import QueueTable
from gridconsole.views.ranking_table import RankingTable
from gridconsole.views.roster_pane import RosterPane
from gridconsole.views.roster_table import RosterTable
from gridconsole.views.statistics_commands import StatisticsCommands
from gridconsole.views.statistics_pane import HELP_NOTES as STATISTICS_HELP_NOTES
from gridconsole.views.statistics_pane import StatisticsPane

# Palette commands Textual offers that would move personal data off the console.
EGRESS_COMMANDS = frozenset({"Screenshot"})
EXIT_REFUSED = 1
# how often the console looks at the idle time and at its terminal (still there?)
WATCH_SECONDS = 1.0
# what stays available on the lock screen: quitting (which logs out), nothing that shows data
LOCKED_ACTIONS = frozenset({"quit"})
# Notices that came while locked are kept and shown in one toast after the unlock: the latest
# HELD_NOTICES (a line each, fits an 80x24 screen), the earlier ones only counted
HELD_NOTICES = 8
HELD_LINE_CHARS = 60  # characters: 60 Chinese ones wrap to about four lines of a toast
HELD_TOAST_SECONDS = 30
_SEVERITY_RANK: dict[SeverityLevel, int] = {"information": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class HeldNotice:
    """A notice kept off the lock screen, as one line."""

    text: str
    severity: SeverityLevel


def held_line(notification: Notification) -> str:
    """The notice on one line, cut at :data:`HELD_LINE_CHARS`: the digest lists several."""
    text = " ".join(notification.message.split())
    if notification.title:
        text = f"{' '.join(notification.title.split())}: {text}"
    if len(text) > HELD_LINE_CHARS:
        text = text[: HELD_LINE_CHARS - 1] + "…"
    return text


class HeldNotices:
    """The notices kept off the lock screen: the latest :data:`HELD_NOTICES`, every one counted,
    and the gravest severity among them."""

    def __init__(self) -> None:
        self.kept: deque[HeldNotice] = deque(maxlen=HELD_NOTICES)
        self.count = 0
        self.severity: SeverityLevel = "information"

    def add(self, notice: HeldNotice) -> None:
        self.kept.append(notice)
        self.count += 1
        self._graver(notice.severity)

    def extend(self, earlier: HeldNotices) -> None:
        """Take in ``earlier`` whole: its uncounted part first, then its kept notices."""
        self.count += earlier.count - len(earlier.kept)
        self._graver(earlier.severity)
        for notice in earlier.kept:
            self.add(notice)

    def digest(self) -> str:
        """A line per kept notice, oldest first, under a count of the ones not kept."""
        lines = [notice.text for notice in self.kept]
        if self.count > len(lines):
            lines.insert(0, t("shell.held_earlier", count=self.count - len(lines)))
        return "\n".join(lines)

    def _graver(self, severity: SeverityLevel) -> None:
        if _SEVERITY_RANK[severity] > _SEVERITY_RANK[self.severity]:
            self.severity = severity


def declared_bindings(cls: type) -> tuple[Binding, ...]:
    """The bindings ``cls`` and its bases declare, base classes first."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        for item in klass.__dict__.get("BINDINGS", ()):
            if isinstance(item, Binding):
                found.append(item)
            else:
                key, action, *rest = item
                found.append(Binding(key, action, rest[0] if rest else ""))
    return tuple(found)


class GridConsoleApp(App[None]):
    """The dispatch centre's console: one services bundle, one settings object.

    Give it open services, or a :class:`ServicesOpener` to open them once the shell is drawn.
    """

    CSS_PATH = [  # noqa: RUF012
        "app.tcss",
        "views/dispatch_pane.tcss",
        "views/department_pane.tcss",
        "views/approvals_pane.tcss",
        "views/audit_pane.tcss",
        "views/roster_pane.tcss",
        "views/escalation_pane.tcss",
        "views/statistics_pane.tcss",
        "views/auth_screens.tcss",
    ]
    TITLE = t("app.title")
    COMMANDS: ClassVar = App.COMMANDS | {
        QueueCommands,
        OverdueCommands,
        DispatchCommands,
        DeskCommands,
        ApprovalsCommands,
        EscalationCommands,
        StatisticsCommands,
    }
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    # Selection copy goes to the terminal clipboard (OSC 52): personal data stays on screen.
    ALLOW_SELECT = False

    BINDINGS: ClassVar = [
        Binding("f1,question_mark", "show_help", t("shell.key_help"), id="show-help"),
        Binding("ctrl+p", "command_palette", t("shell.key_palette"), id="command-palette"),
        # priority: a dispatcher leaving the desk locks from any pane, form or field
        Binding("ctrl+l", "lock_console", t("auth.key_lock"), priority=True, id="lock-console"),
        Binding("ctrl+q", "quit", t("shell.key_quit"), priority=True, id="quit"),
    ]

    def __init__(
        self,
        services: ConsoleServices | ServicesOpener,
        settings: Settings,
        *,
        ask_password: bool = False,
        idle_seconds: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.opener = (
            services if isinstance(services, ServicesOpener) else ServicesOpener.ready(services)
        )
        self.services: ConsoleServices | None = None  # set when the opener has returned
        self.settings = settings
        self.ask_password = ask_password  # the login screen first
        self.theme = settings.ui.theme
        self.animation_level = "full" if settings.ui.animations else "none"
        self.set_keymap(settings.keymap)
        self.locked = False
        self.held = HeldNotices()
        # the digest last shown after an unlock (its toast's identity): locked again while it is
        # still on screen, it is held whole, not cut to one line
        self.shown_digest: tuple[str, HeldNotices] | None = None
        # idleness is a person's, in real seconds: a training clock running ten times faster, or
        # a test's frozen clock jumping hours ahead, says nothing about the keyboard
        self.idle_seconds = idle_seconds
        self.last_input_at = idle_seconds()
        self.terminal_gone = False
        self.tty_fds = tuple(fd for fd in (0, 1, 2) if os.isatty(fd))

    def get_default_screen(self) -> Screen[None]:
        if self.ask_password:
            # an empty base: the login screen goes over it and is replaced by the main screen
            return Screen(id="before-login")
        return MainScreen(self.opener, self.settings)

    def on_mount(self) -> None:
        if self.ask_password:
            self.push_screen(LoginScreen(self.opener, self.settings))
        self.set_interval(WATCH_SECONDS, self.watch_idle_and_terminal, name="idle-lock")
        if self.tty_fds:
            # a dropped SSH link hangs the terminal up: leave cleanly (and log out)
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    # -- the idle lock and a terminal that went away ----------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.last_input_at = self.idle_seconds()
        await super().on_event(event)

    def watch_idle_and_terminal(self) -> None:
        if self.tty_fds and not _terminal_alive(self.tty_fds[0]):
            self.hang_up()  # no SIGHUP came (not the terminal's session), but it is gone
            return
        minutes = self.settings.security.idle_lock_minutes
        idle = self.idle_seconds() - self.last_input_at
        if minutes and idle >= minutes * 60:
            self.lock_console(LockReason.idle)

    def action_lock_console(self) -> None:
        """The lock key: the operator leaves the desk and locks at once."""
        self.lock_console(LockReason.key)

    def lock_console(self, reason: LockReason) -> None:
        """Replace the view with the lock screen (once logged in; not twice)."""
        if self.locked or self.services is None:
            return
        self.locked = True
        # a toast may name a case: off the screen, but kept for after the unlock (one that
        # arrived as the operator pressed the lock key has not been read)
        digest, self.shown_digest = self.shown_digest, None
        for notification in self._notifications:
            if notification.has_expired:
                continue
            if digest is not None and notification.identity == digest[0]:
                self.held.extend(digest[1])
            else:
                self.held.add(HeldNotice(held_line(notification), notification.severity))
        self.clear_notifications()
        self.push_screen(LockScreen(self.services, self.settings, reason), callback=self._unlocked)

    def _unlocked(self, _result: None) -> None:
        self.locked = False
        self.last_input_at = self.idle_seconds()
        self._show_held()

    def _show_held(self) -> None:
        """What came while locked, in one toast: a toast each would bury the screen."""
        held, self.held = self.held, HeldNotices()
        if not held.count:
            return
        # the lines are of notices already cleaned by :meth:`notify`; built here (not through
        # it) to know the toast's identity
        digest = Notification(
            held.digest(),
            title=t("shell.held_title", count=held.count),
            severity=held.severity,
            timeout=HELD_TOAST_SECONDS,
            markup=False,
        )
        self.shown_digest = (digest.identity, held)
        self.post_message(Notify(digest))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the console, as plain cleaned text: a message often quotes the
        database (a case title, the operator who changed a case, a driver's error), so it is
        never read as markup and carries no control character, whatever the caller passed.
        Nothing is shown over the lock screen (a notice may name a case): see :meth:`on_notify`."""
        del markup
        super().notify(
            display_text(message),
            title=display_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_notify(self, event: Notify) -> None:
        """While locked a notice is held, not shown; decided here, where it would be shown, so
        one posted just before the lock and handled after it is held too."""
        if self.locked:
            event.prevent_default()  # Textual's handler would show it
            notification = event.notification
            self.held.add(HeldNotice(held_line(notification), notification.severity))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked and action not in LOCKED_ACTIONS:
            return False
        if action == "lock_console" and self.services is None:
            return False  # nothing to lock before the login
        return super().check_action(action, parameters)

    def hang_up(self) -> None:
        """The terminal went away: stop writing to it and leave; ``run_console`` logs out."""
        if self.terminal_gone:
            return
        self.terminal_gone = True
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in self.tty_fds:
            os.dup2(devnull, fd)  # the restore sequences on exit go nowhere instead of failing
        os.close(devnull)
        self.exit(return_code=0)

    # -- the palette --------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in EGRESS_COMMANDS:
                yield command
        if self.services is not None and not self.locked:
            yield SystemCommand(
                t("palette.lock_console"), t("palette.lock_console_help"), self.action_lock_console
            )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would write personal data to a file."""
        self.notify(t("shell.screenshot_refused"), severity="warning", markup=False)

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Refused as the action is: whatever calls it (a binding, a served console's download),
        no picture of the screen leaves the console."""
        self.notify(t("shell.screenshot_refused"), severity="warning", markup=False)
        return None

    # -- help -------------------------------------------------------------------------------------

    def help_sections(self) -> tuple[HelpSection, ...]:
        """Every binding of the console, grouped, with the operator's keymap applied."""
        keymap = self.settings.keymap

        def remapped(bindings: Iterable[Binding]) -> tuple[Binding, ...]:
            # a subclass's binding for a key shadows its base's (DataTable's arrows move the
            # cursor, not the scroll view's): keep the last binding declared for each key
            by_key: dict[str, Binding] = {}
            for binding in bindings:
                if binding.action in ("help_quit", "screen.copy_text"):
                    continue
                if binding.id and binding.id in keymap:
                    binding = replace(binding, key=keymap[binding.id])
                by_key.pop(binding.key, None)
                by_key[binding.key] = binding
            return tuple(by_key.values())

        return (
            HelpSection(
                t("help.section_console"),
                remapped((*declared_bindings(GridConsoleApp), *declared_bindings(MainScreen))),
            ),
            HelpSection(
                t("help.section_queue"),
                remapped((*declared_bindings(QueuePane), *declared_bindings(QueueTable))),
            ),
            HelpSection(
                t("overdue.help_section"),
                remapped((*declared_bindings(OverduePane), *declared_bindings(OverdueTable))),
            ),
            HelpSection(
                t("dispatch.help_section"),
                remapped((*declared_bindings(DispatchPane), *declared_bindings(DispatchTable))),
            ),
            HelpSection(
                t("desk.help_section"),
                remapped((*declared_bindings(DepartmentPane), *declared_bindings(DepartmentTable))),
            ),
            HelpSection(
                t("approvals.help_section"),
                remapped((*declared_bindings(ApprovalsPane), *declared_bindings(ApprovalsTable))),
            ),
            HelpSection(t("escalation.help_section"), remapped(declared_bindings(EscalationPane))),
            HelpSection(
                t("roster.pane.help_section"),
                remapped((*declared_bindings(RosterPane), *declared_bindings(RosterTable))),
            ),
            HelpSection(
                t("statistics.pane.help_section"),
                remapped((*declared_bindings(StatisticsPane), *declared_bindings(RankingTable))),
                tuple(t(note) for note in STATISTICS_HELP_NOTES),
            ),
            HelpSection(t("help.section_detail"), remapped(declared_bindings(CaseDetailScreen))),
            HelpSection(
                t("help.section_forms"),
                remapped(
                    (*declared_bindings(ActionModal), *declared_bindings(DuplicateChoiceModal))
                ),
            ),
        )

    def action_show_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    # -- opening ----------------------------------------------------------------------------------

    def on_services_opened(self, message: ServicesOpened) -> None:
        self.services = message.services
        self.refresh_bindings()  # the lock key is offered from now on

    def on_opening_failed(self, message: OpeningFailed) -> None:
        """No services, no console: leave with the reason, printed once the terminal is back."""
        error = message.error
        if isinstance(error, DomainError):
            text = str(error)
        else:
            # a driver error wrapped by SQLAlchemy says what went wrong in ``orig``
            cause = getattr(error, "orig", None) or error
            text = t("shell.open_failed", error=f"{type(cause).__name__}: {cause}")
        self.exit(return_code=EXIT_REFUSED, message=exit_message(text))

    # -- the worker-error policy ----------------------------------------------------------------

    def on_operation_failed(self, message: OperationFailed) -> None:
        """A worker failed: tell the operator; the console keeps running."""
        error = message.error
        text = (
            str(error)
            if isinstance(error, DomainError)
            else t("shell.unexpected_error", error=f"{type(error).__name__}: {error}")
        )
        self.notify(text, severity="error", markup=False, timeout=8)


def exit_message(text: str) -> Text:
    """``text`` for stderr as it is: a ``Text`` reads no markup or emoji codes in a path or a
    driver's message, and control characters are dropped."""
    return Text(display_text(text))


def _terminal_alive(fd: int) -> bool:
    """A hung-up terminal refuses its attributes (EIO) while reads return end-of-file."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return False
    return True


def run_console(
    opener: ServicesOpener,
    settings: Settings,
    *,
    headless: bool = False,
    ask_password: bool = False,
) -> int:
    """Run the console in this terminal until the operator quits or the terminal goes away;
    returns the exit status. A logged-in operator is logged out (audited) either way.

    The caller has set the locale before importing this module (binding labels are read at
    import). ``headless`` runs it without a terminal (tests of the command line).
    """
    app = GridConsoleApp(opener, settings, ask_password=ask_password)
    with _logging_off_the_terminal():
        app.run(headless=headless)
        if app.services is not None:
            app.services.auth.logout()
    return app.return_code or 0


def console_log_path() -> Path:
    """``$XDG_STATE_HOME/gridconsole/console.log`` (``~/.local/state`` when unset)."""
    return platformdirs.user_state_path("gridconsole") / "console.log"


@contextmanager
def _logging_off_the_terminal() -> Iterator[None]:
    """While the console owns the terminal, log records go to a file, not to stderr: Python's
    last-resort handler would draw them over the screen (APScheduler logs a tick cancelled by
    a hang-up as a traceback). Without a writable file they are dropped."""
    handler: logging.Handler
    try:
        path = console_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)  # a record may quote a failed statement's values
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
        )
    except OSError:
        handler = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
