"""The console's main screen: header, one pane at a time, footer; and the live poll.

The screen is drawn before the database is open: its first worker opens the services, and the
panes are built when they have (until then only the header, help and quit respond).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

from gridconsole.config import Settings
from gridconsole.domain import permissions
from gridconsole.domain.enums import AlertKind, Role
from gridconsole.i18n import t
from gridconsole.services.deadline_records import FiredDeadlines, Firing
from gridconsole.services.escalation_records import AlertRow
from gridconsole.views.alert_banner import AlertBanner, alert_text
from gridconsole.views.approvals_pane import ApprovalsPane
from gridconsole.views.audit_pane import AuditPane
from gridconsole.views.console_header import ConsoleHeader
from gridconsole.views.department_pane import DepartmentPane
from gridconsole.views.dispatch_pane import DispatchPane, may_use_dispatch_pane
from gridconsole.views.escalation_pane import EscalationPane
from gridconsole.views.messages import (
    ChangesAnnounced,
    ChangesPolled,
    OpeningFailed,
    OperationFailed,
    ServicesOpened,
)
from gridconsole.views.overdue_pane import OverduePane
from gridconsole.views.ports import ConsoleServices, DeadlineTimersPort, ServicesOpener
from gridconsole.views.queue_pane import QueuePane
from gridconsole.views.roster_pane import RosterPane
from gridconsole.views.statistics_pane import StatisticsPane
from gridconsole.views.steady_footer import SteadyFooter

QUEUE_PANE_ID = "queue-pane"
# at most this many breach notifications from one tick (a burst must not bury the screen)
BREACH_NOTICES = 5
OVERDUE_PANE_ID = "overdue-pane"
DEPARTMENT_PANE_ID = "department-pane"
APPROVALS_PANE_ID = "approvals-pane"
DISPATCH_PANE_ID = "dispatch-pane"
ESCALATION_PANE_ID = "escalation-pane"
ROSTER_PANE_ID = "roster-pane"
STATISTICS_PANE_ID = "statistics-pane"
AUDIT_PANE_ID = "audit-pane"
# Warning and overdue counts move with time, not only with events: re-read them every N polls.
COUNTS_EVERY_POLLS = 30
# escalation alerts read per poll (the banner shows the oldest and the total) and at most this
# many toasts at once
ALERT_NOTICES = 5
ALERT_TOASTS = 2


class MainScreen(Screen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("f2,1", "show_queue_pane", t("shell.key_queue_pane"), id="show-queue-pane"),
        Binding("f3,2", "show_overdue_pane", t("overdue.key_show_pane"), id="show-overdue-pane"),
        Binding("f4,3", "show_dispatch_pane", t("dispatch.key_show_pane"), id="show-dispatch-pane"),
        Binding("f6,4", "show_department_pane", t("desk.key_show_pane"), id="show-department-pane"),
        Binding(
            "f9,5", "show_approvals_pane", t("approvals.key_show_pane"), id="show-approvals-pane"
        ),
        # not in the footer (full at 80 columns already): in help and the palette
        Binding(
            "f10,6",
            "show_escalation_pane",
            t("escalation.key_show_pane"),
            show=False,
            id="show-escalation-pane",
        ),
        Binding(
            "f11,7",
            "show_roster_pane",
            t("roster.pane.key_show_pane"),
            show=False,
            id="show-roster-pane",
        ),
        Binding(
            "f12,8",
            "show_statistics_pane",
            t("statistics.pane.key_show_pane"),
            show=False,
            id="show-statistics-pane",
        ),
        Binding("9", "show_audit_pane", t("audit.key_show_pane"), show=False, id="show-audit-pane"),
    ]

    def __init__(self, opener: ServicesOpener, settings: Settings) -> None:
        super().__init__(id="main")
        self.opener = opener
        self.settings = settings
        self.services: ConsoleServices | None = None  # set when the opener has returned
        self.last_token: int | None = None
        self.poll_timer: Timer | None = None
        self.polls_since_counts = 0
        self.deadline_timers: DeadlineTimersPort | None = None
        self.announced_breaches: set[tuple[int, datetime]] = set()
        self.announced_alerts: set[int] = set()
        self.alert_total = 0  # unacknowledged alerts at the last poll
        self.alert_bell: Timer | None = None  # rings again while an alert waits
        self.stop_listening: Callable[[], None] | None = None
        self.announced = False  # a commit was announced since the last poll read

    def compose(self) -> ComposeResult:
        yield ConsoleHeader(self.settings, self.opener.clock, id="console-header")
        yield AlertBanner(id="alert-banner")
        yield ContentSwitcher(id="panes")
        yield SteadyFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.open_services()

    # -- opening: the first frame is drawn while the database opens ----------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-services")
    def open_services(self) -> None:
        self.post_message(ServicesOpened(self.opener.open()))

    async def on_services_opened(self, message: ServicesOpened) -> None:
        services = message.services
        self.services = services
        self.query_one(ConsoleHeader).actor = services.context.actor
        if services.context.actor.role is Role.liaison:
            # the queue is the centre's: a liaison's console opens on their department's work
            await self.action_show_department_pane()
        else:
            await self.query_one("#panes", ContentSwitcher).add_content(
                QueuePane(services, id=QUEUE_PANE_ID), set_current=True
            )
        self.refresh_bindings()
        self.poll_changes()
        # PostgreSQL announces other consoles' commits; the poll stays, as the fallback
        self.stop_listening = services.live.subscribe(lambda: self.post_message(ChangesAnnounced()))
        if self.opener.timers is not None:
            self.deadline_timers = self.opener.timers(services, self.on_deadlines_fired)
            self.deadline_timers.start()

    def on_deadlines_fired(self, fired: FiredDeadlines) -> None:
        """Breaches this console's timers fired: a notification each (and the bell)."""
        self._announce_breaches(fired.breached)

    def _announce_breaches(self, breaches: tuple[Firing, ...]) -> None:
        """A notification per breach not yet announced here (this console's own firings come
        back through the poll too), and the bell when configured."""
        new = [
            firing
            for firing in breaches
            if (firing.case_id, firing.at) not in self.announced_breaches
        ][:BREACH_NOTICES]
        self.announced_breaches.update((firing.case_id, firing.at) for firing in new)
        for firing in new:
            notice = (
                t(
                    "deadline_watch.breach_notice",
                    code=firing.case_code,
                    step=t(f"step.{firing.step.value}"),
                )
                if firing.step is not None
                else t("deadline_watch.breach_notice_no_step", code=firing.case_code)
            )
            self.notify(notice, severity="error", markup=False, timeout=10)
        if new and self.settings.deadlines.bell:
            self.app.bell()

    def _show_alerts(self, alerts: tuple[AlertRow, ...], total: int) -> None:
        """The banner shows what waits; each alert not yet announced here is a toast, and the
        bell rings, then again every ``bell_repeat_seconds`` until a shift lead acknowledges."""
        self.query_one(AlertBanner).show_alerts(alerts, total)
        new = [alert for alert in alerts if alert.id not in self.announced_alerts]
        self.announced_alerts.update(alert.id for alert in new)
        # a toast each for the first few; a burst (timers catching up) is one more toast, the
        # banner holds the rest: toasts must not bury an 80x24 screen
        for alert in new[:ALERT_TOASTS]:
            self.notify(
                alert_text(alert),
                severity="warning" if alert.kind is AlertKind.report_due else "error",
                markup=False,
                timeout=12,
            )
        # the poll reads the newest few: a burst larger than that is counted by the total's growth
        arrived = max(len(new), total - self.alert_total) if new else 0
        self.alert_total = total
        if arrived > ALERT_TOASTS:
            self.notify(
                t("alerts.more", count=arrived - ALERT_TOASTS),
                severity="error",
                markup=False,
                timeout=12,
            )
        settings = self.settings.escalation
        if new and settings.bell:
            self.app.bell()
        if alerts and settings.bell and settings.bell_repeat_seconds:
            if self.alert_bell is None:
                self.alert_bell = self.set_interval(
                    settings.bell_repeat_seconds, self.app.bell, name="alert-bell"
                )
        elif self.alert_bell is not None:
            self.alert_bell.stop()
            self.alert_bell = None

    def on_unmount(self) -> None:
        if self.stop_listening is not None:
            self.stop_listening()
        if self.deadline_timers is not None:
            self.deadline_timers.shutdown()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (
            action in ("show_roster_pane", "show_statistics_pane", "show_audit_pane")
            and self.services is None
        ):
            return None
        if action in ("show_queue_pane", "show_overdue_pane") and self.services is None:
            return None  # nothing to show yet
        if action == "show_dispatch_pane":
            if self.services is None:
                return None
            # the centre's pane: not offered to liaisons, admins and auditors
            return may_use_dispatch_pane(self.services.context.actor.role)
        if (
            action in ("show_department_pane", "show_approvals_pane", "show_escalation_pane")
            and self.services is None
        ):
            return None
        if self.services is not None:
            role = self.services.context.actor.role
            if action == "show_queue_pane" and role is Role.liaison:
                return False  # the queue is the centre's, not a department's
            if action == "show_approvals_pane" and role is not Role.shift_lead:
                return False  # the decisions are the shift lead's
            if action == "show_escalation_pane" and role not in permissions.BOARD_READERS:
                return False  # the board is the centre's (and the auditor's), not a liaison's
            if action == "show_roster_pane" and role not in permissions.ROSTER_READERS:
                return False  # the workers' contacts are the centre's, not a liaison's
            if action == "show_statistics_pane" and role is Role.liaison:
                return False  # the evaluation of departments is the centre's
            if action == "show_audit_pane" and role not in permissions.AUDIT_READERS:
                return False  # the record of everyone's actions is the auditor's
        return True

    def action_show_queue_pane(self) -> None:
        self.query_one("#panes", ContentSwitcher).current = QUEUE_PANE_ID
        self.query_one(QueuePane).table.focus()

    async def action_show_overdue_pane(self) -> None:
        """Show the overdue pane, building it the first time (it reads only once shown)."""
        if self.services is None:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        panes = self.query(OverduePane)
        if not panes:
            await switcher.add_content(OverduePane(self.services, id=OVERDUE_PANE_ID))
        switcher.current = OVERDUE_PANE_ID
        pane = self.query_one(OverduePane)
        pane.tick()
        pane.table.focus()

    async def action_show_dispatch_pane(self) -> None:
        """Show the dispatch pane, building it the first time (it reads only once shown)."""
        if self.services is None:
            return
        actor = self.services.context.actor
        if not may_use_dispatch_pane(actor.role):
            self.notify(
                t(
                    "dispatch.pane_refused",
                    operator=actor.display_name,
                    role=t(f"role.{actor.role}"),
                ),
                severity="warning",
                markup=False,
            )
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(DispatchPane):
            await switcher.add_content(DispatchPane(self.services, id=DISPATCH_PANE_ID))
        switcher.current = DISPATCH_PANE_ID
        self.query_one(DispatchPane).shown()

    async def action_show_department_pane(self) -> None:
        """Show the department's work list (工作单), building it the first time."""
        if self.services is None:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(DepartmentPane):
            await switcher.add_content(DepartmentPane(self.services, id=DEPARTMENT_PANE_ID))
        switcher.current = DEPARTMENT_PANE_ID
        self.query_one(DepartmentPane).table.focus()

    async def action_show_approvals_pane(self) -> None:
        """Show the shift lead's approvals (审批), building the pane the first time."""
        if self.services is None or self.check_action("show_approvals_pane", ()) is not True:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(ApprovalsPane):
            await switcher.add_content(ApprovalsPane(self.services, id=APPROVALS_PANE_ID))
        switcher.current = APPROVALS_PANE_ID
        self.query_one(ApprovalsPane).focus_table()

    async def action_show_escalation_pane(self) -> None:
        """Show the escalation board (升级看板), building the pane the first time."""
        if self.services is None or self.check_action("show_escalation_pane", ()) is not True:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(EscalationPane):
            await switcher.add_content(EscalationPane(self.services, id=ESCALATION_PANE_ID))
        switcher.current = ESCALATION_PANE_ID
        self.query_one(EscalationPane).shown()

    async def action_show_roster_pane(self) -> None:
        """Show the roster of grids and grid workers (名册), building the pane the first time."""
        if self.services is None or self.check_action("show_roster_pane", ()) is not True:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(RosterPane):
            await switcher.add_content(RosterPane(self.services, id=ROSTER_PANE_ID))
            switcher.current = ROSTER_PANE_ID
            return  # a new pane reads on mount
        switcher.current = ROSTER_PANE_ID
        self.query_one(RosterPane).shown()

    async def action_show_statistics_pane(self) -> None:
        """Show performance evaluation (绩效考评), building the pane the first time."""
        if self.services is None or self.check_action("show_statistics_pane", ()) is not True:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(StatisticsPane):
            await switcher.add_content(StatisticsPane(self.services, id=STATISTICS_PANE_ID))
            switcher.current = STATISTICS_PANE_ID
            return  # a new pane reads on mount
        switcher.current = STATISTICS_PANE_ID
        self.query_one(StatisticsPane).shown_again()

    async def action_show_audit_pane(self) -> None:
        """Show the audit log (审计日志), building the pane the first time."""
        if self.services is None or self.check_action("show_audit_pane", ()) is not True:
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        if not self.query(AuditPane):
            await switcher.add_content(AuditPane(self.services, id=AUDIT_PANE_ID))
            switcher.current = AUDIT_PANE_ID
            return  # a new pane reads on mount
        switcher.current = AUDIT_PANE_ID
        self.query_one(AuditPane).shown()

    # -- the live poll: one read at a time, re-armed after each ----------------------------------

    def _arm_poll(self) -> None:
        if self.poll_timer is not None:  # an announced change polled in between
            self.poll_timer.stop()
        seconds = self.settings.queue.refresh_seconds
        self.poll_timer = self.set_timer(seconds, self.poll_changes, name="queue-poll")

    def poll_changes(self) -> None:
        """Read the change token now (the timer calls this; so may a test)."""
        if self.poll_timer is not None:
            self.poll_timer.stop()
            self.poll_timer = None
        if self.services is None:
            return  # the first poll follows the opening
        if self.app.screen is not self:
            self._arm_poll()  # a modal or the detail is open: leave the queue as it is
            return
        self.polls_since_counts += 1
        announced, self.announced = self.announced, False
        self.read_changes(
            self.services,
            self.last_token,
            self.polls_since_counts >= COUNTS_EVERY_POLLS,
            announced,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def read_changes(
        self,
        services: ConsoleServices,
        last_token: int | None,
        counts_due: bool,
        announced: bool = False,
    ) -> None:
        token = services.queue.change_token()
        moved = token != last_token or announced
        counts = services.queue.header_counts() if moved or counts_due else None
        if last_token is None:  # the first read: what is recorded, to know, not to announce
            breaches = services.watch.breaches_after(token, up_to=token)
        else:
            breaches = services.watch.breaches_after(last_token) if moved else ()
        # every alert is written with a case event, so a still token means no new alert
        alerts = (
            services.escalations.open_alerts(limit=ALERT_NOTICES, newest_first=True)
            if moved
            else None
        )
        total = services.escalations.open_alert_count() if alerts else 0
        self.post_message(ChangesPolled(token, counts, breaches, alerts, total, announced))

    def on_changes_announced(self, _message: ChangesAnnounced) -> None:
        self.announced = True
        self.poll_changes()

    def on_changes_polled(self, message: ChangesPolled) -> None:
        if message.counts is not None:
            self.query_one(ConsoleHeader).counts = message.counts
            self.polls_since_counts = 0
        if self.last_token is None:
            # fired before this console looked: known, not news
            self.announced_breaches.update(
                (firing.case_id, firing.at) for firing in message.breaches
            )
        else:
            # breaches another console or the headless scheduler fired: every console is told
            self._announce_breaches(message.breaches)
        if message.alerts is not None:
            self._show_alerts(message.alerts, message.alert_total)
        if message.token != self.last_token or message.announced:
            first = self.last_token is None
            self.last_token = message.token
            if not first:
                panes = (
                    QueuePane,  # a liaison's console has none
                    OverduePane,
                    DispatchPane,
                    DepartmentPane,
                    ApprovalsPane,
                    EscalationPane,
                    RosterPane,
                )
                for pane in self.query(",".join(kind.__name__ for kind in panes)):
                    if pane.change_token == message.token:  # type: ignore[attr-defined]
                        # announced, under a token already seen: the panes re-read anyway
                        pane.mutate_reactive(type(pane).change_token)  # type: ignore[attr-defined]
                    else:
                        pane.change_token = message.token  # type: ignore[attr-defined]
                if self.deadline_timers is not None:
                    self.deadline_timers.rearm()  # a new or changed deadline may fall due sooner
        self._arm_poll()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "open-services":
            if event.state is WorkerState.ERROR and event.worker.error is not None:
                self.post_message(OpeningFailed(event.worker.error))
            return
        if event.worker.group != "poll":
            return
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(OperationFailed(event.worker.error))
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._arm_poll()
