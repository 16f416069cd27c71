"""One case in full: every field and the timeline of its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from gridconsole.domain import lifecycle, permissions
from gridconsole.domain.enums import Action, PersonalField
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationDetail
from gridconsole.services.escalation_text import with_reason
from gridconsole.services.privacy_records import Revealed
from gridconsole.services.records import CaseDetail, CaseEventView
from gridconsole.views.formatting import cell, local_time, revealed, safe, safe_multiline
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices
from gridconsole.views.reveal_modal import RevealModal

# the case's personal fields, in the order the detail shows them
CASE_FIELDS = (PersonalField.reporter_name, PersonalField.reporter_phone)

# binding action name → the claim action it takes here, whichever pane opened the detail
CLAIM_ACTIONS: dict[str, Action] = {
    "toggle_claim": Action.claim,
    "break_claim": Action.break_claim,
}

# binding action name → the case action it hands back to the queue
DETAIL_ACTIONS: dict[str, Action] = {
    "accept_case": Action.accept,
    "reject_case": Action.reject,
    "merge_case": Action.merge,
    "resolve_in_grid": Action.resolve_in_grid,
    "set_priority": Action.set_priority,
}


class EscalationsLoaded(Message):
    """The case's escalations (Art. 30) and their reports were read for the detail screen."""

    def __init__(self, escalations: tuple[EscalationDetail, ...], at: datetime) -> None:
        super().__init__()
        self.escalations = escalations
        self.at = at  # when they were read: a window closed by then is shown as missed


class PersonalDataRevealed(Message):
    """The operator revealed masked values of the case (recorded in the audit log)."""

    def __init__(self, revealed: Revealed) -> None:
        super().__init__()
        self.revealed = revealed


class ClaimChanged(Message):
    """The case was claimed, released or its claim broken from the detail, and read again."""

    def __init__(self, detail: CaseDetail, action: Action) -> None:
        super().__init__()
        self.detail = detail
        self.action = action


class CaseDetailScreen(Screen[Action | None]):
    """Escape returns to the queue (its cursor untouched); an action key returns that action."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close_case", t("detail.key_back"), id="close-case"),
        Binding("a", "accept_case", t("queue.key_accept"), id="accept-case"),
        Binding("r", "reject_case", t("queue.key_reject"), id="reject-case"),
        Binding("m", "merge_case", t("queue.key_merge"), id="merge-case"),
        Binding("g", "resolve_in_grid", t("queue.key_resolve"), id="resolve-in-grid"),
        Binding("p", "set_priority", t("queue.key_priority"), id="set-priority"),
        # the pane that opened the detail opens the escalation form (views/escalate_modal.py)
        Binding("E", "escalate_case", t("escalation.key_escalate"), show=False, id="escalate-case"),
        # the reporter's phone (and name) unmasked for this view: permission, reason, audit entry
        Binding("v", "reveal_personal", t("privacy.key_reveal"), id="reveal-personal"),
        # as in the queue: in the help and the palette, not the footer
        Binding("c", "toggle_claim", t("claims.key_toggle"), show=False, id="toggle-claim"),
        Binding("C", "break_claim", t("claims.key_break"), show=False, id="break-claim"),
    ]

    def __init__(self, detail: CaseDetail, zone: ZoneInfo, *, may_escalate: bool = False) -> None:
        super().__init__(classes="case-detail")
        # whether the operator may escalate (the opener knows the role; the detail does not)
        self.may_escalate = may_escalate
        self.detail = detail
        self.zone = zone

    def compose(self) -> ComposeResult:
        detail = self.detail
        yield Static(
            Content.assemble(
                (detail.code, "bold"),
                "  ",
                (t(f"state.{detail.state.value}"), "bold reverse"),
                "  ",
                safe(detail.title),
            ),
            id="detail-heading",
        )
        with VerticalScroll(id="detail-body"):
            pairs = self._field_pairs()
            value_ids = {
                t(f"detail.{field.value}"): f"detail-{field.value}" for field in CASE_FIELDS
            }
            value_ids[t("claims.detail_label")] = "detail-claim"
            for index in range(0, len(pairs), 2):
                with Horizontal(classes="detail-row"):
                    for label, value in pairs[index : index + 2]:
                        with Horizontal(classes="detail-pair"):
                            yield Static(Content(label), classes="detail-label")
                            yield Static(
                                Content(value), classes="detail-value", id=value_ids.get(label)
                            )
            yield Static(Content(t("detail.description")), classes="detail-section")
            yield Static(Content(safe_multiline(detail.description)), id="detail-description")
            if detail.dispatches:
                yield Static(Content(t("detail.dispatches")), classes="detail-section")
                yield Static(Content(self._dispatch_lines()), id="detail-dispatches")
            # the escalation board's view of the case, once read (and only if it has any)
            escalations_title = Static(
                Content(t("detail.escalations")),
                classes="detail-section",
                id="detail-escalations-title",
            )
            escalations_title.display = False
            yield escalations_title
            escalations = Static(id="detail-escalations")
            escalations.display = False
            yield escalations
            yield Static(Content(t("detail.timeline")), classes="detail-section")
            yield DataTable[Text](id="detail-timeline", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        timeline = self.query_one("#detail-timeline", DataTable)
        for key in ("at", "operator", "action", "states", "reason", "on_behalf"):
            timeline.add_column(t(f"detail.event_{key}"), key=key)
        for event in self.detail.events:
            timeline.add_row(*self._event_cells(event), key=str(event.id))
        timeline.focus()
        self._show_claim()
        services = cast(ConsoleServices | None, getattr(self.app, "services", None))
        # a department's liaison does not read the board (minimum necessary)
        if services is not None and services.context.actor.role in permissions.BOARD_READERS:
            self.read_escalations(services)

    # -- revealing personal data ----------------------------------------------------------------

    def _services(self) -> ConsoleServices | None:
        return cast(ConsoleServices | None, getattr(self.app, "services", None))

    def action_reveal_personal(self) -> None:
        services = self._services()
        if services is None:
            return
        summary = Content.assemble((self.detail.code, "bold"), "  ", safe(self.detail.title))

        def chosen(reason: str | None) -> None:
            if reason:
                self.reveal(services, reason)

        self.app.push_screen(RevealModal(summary), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-detail-reveal")
    def reveal(self, services: ConsoleServices, reason: str) -> None:
        try:
            shown = services.privacy.reveal_case(self.detail.code, reason=reason)
        except Exception as error:  # shown to the operator; the console goes on
            self.post_message(OperationFailed(error))
            return
        self.post_message(PersonalDataRevealed(shown))

    def on_personal_data_revealed(self, message: PersonalDataRevealed) -> None:
        """The values in place of the masked ones, for this view only (nothing is kept)."""
        for field, value in message.revealed.values.items():
            found = self.query(f"#detail-{field.value}")
            if found:
                found.first(Static).update(
                    Content.assemble(
                        (revealed(value) or "-", "bold"), "  ", (t("privacy.revealed"), "italic")
                    )
                )

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-detail-escalations")
    def read_escalations(self, services: ConsoleServices) -> None:
        board = services.escalations
        cards = board.for_case(self.detail.code)
        details = tuple(board.detail(card.id) for card in cards)
        self.post_message(EscalationsLoaded(details, services.context.now()))

    def on_escalations_loaded(self, message: EscalationsLoaded) -> None:
        if not message.escalations:
            return
        lines = self.query_one("#detail-escalations", Static)
        lines.update(Content(self._escalation_lines(message.escalations, message.at)))
        lines.display = True
        self.query_one("#detail-escalations-title", Static).display = True

    def _escalation_lines(self, escalations: tuple[EscalationDetail, ...], now: datetime) -> str:
        """Per escalation: stage, kind, severity, how it came, the next report due (and whether
        its window has closed); then each report made, oldest first."""

        def when(value: datetime | None) -> str:
            return local_time(value, self.zone, "%m-%d %H:%M") or "-"

        lines = []
        for escalation in escalations:
            card = escalation.card
            parts = [
                f"#{card.id}",
                t(f"escalation_stage.{card.stage.value}"),
                t(f"escalation_kind.{card.kind.value}"),
                t(f"severity.{card.severity.value}"),
                t(f"escalation_source.{card.source.value}"),
                f"{t('detail.escalation_raised')} {when(card.raised_at)}",
            ]
            if card.next_report_due is not None:
                due = f"{t(f'report_due.{card.next_report_due.value}')} {when(card.next_report_at)}"
                if card.overdue(now):
                    due += f" {t('detail.escalation_missed')}"
                parts.append(f"{t('detail.escalation_next')} {due}")
            if card.missed_count:
                parts.append(t("detail.escalation_missed_count", count=card.missed_count))
            lines.append("  ".join(parts))
            for report in escalation.reports:
                recipient = f"（{safe(report.recipient)}）" if report.recipient else ""
                late = f"  {t('escalation_text.late')}" if report.late else ""
                lines.append(
                    f"    {when(report.reported_at)}  {t(f'report_kind.{report.kind.value}')}"
                    f"  {t(f'report_channel.{report.channel.value}')}"
                    f"  → {t(f'report_level.{report.level.value}')}{recipient}"
                    f"  {safe(report.operator)}{late}"
                )
        return "\n".join(lines)

    def _field_pairs(self) -> list[tuple[str, str]]:
        detail = self.detail

        def when(value: datetime | None) -> str:
            return local_time(value, self.zone) or "-"

        category = safe(detail.category_name)
        if detail.category_resolvable_in_grid:
            category = f"{category} ({t('detail.resolvable_in_grid')})"
        actions = "、".join(
            t(f"action.{action}")
            for action in detail.allowed_actions
            if action in DETAIL_ACTIONS.values() and self._allows(action)
        )
        return [
            (t("detail.priority"), t(f"priority.{detail.priority.name}")),
            (t("detail.source"), t(f"source.{detail.source.value}")),
            (t("detail.category"), category),
            (t("detail.grid"), safe(detail.grid_name) or "-"),
            (t("detail.community"), safe(detail.community_name) or "-"),
            (t("detail.street"), safe(detail.street_name) or "-"),
            (t("detail.address"), safe(detail.address) or "-"),
            (t("detail.reporter_name"), safe(detail.reporter_name) or "-"),
            (t("detail.reporter_phone"), safe(detail.reporter_phone_masked) or "-"),
            (t("detail.external_id"), safe(detail.external_id) or "-"),
            (t("detail.reported_at"), when(detail.reported_at)),
            (t("detail.accepted_at"), when(detail.accepted_at)),
            (t("detail.due_at"), self._deadline_text(when)),
            (t("detail.closed_at"), when(detail.closed_at)),
            (
                t("detail.reject_reason"),
                t(f"reject_reason.{detail.reject_reason.value}") if detail.reject_reason else "-",
            ),
            (t("detail.merged_into"), detail.merged_into_code or "-"),
            (
                t("detail.original_due_at"),
                when(detail.original_due_at) if detail.original_due_at else "-",
            ),
            (
                t("detail.satisfaction"),
                t(f"satisfaction.{detail.satisfaction.value}") if detail.satisfaction else "-",
            ),
            (
                t("detail.updated"),
                f"{when(detail.updated_at)} {safe(detail.updated_by_name)}",
            ),
            (t("detail.version"), str(detail.version)),
            (t("detail.allowed_actions"), actions or "-"),
            # shown only while someone holds it (_show_claim), beside the actions
            (t("claims.detail_label"), self._claim_text(when)),
        ]

    def _claim_text(self, when: Callable[[datetime | None], str] | None = None) -> str:
        detail = self.detail
        if not detail.claimed_by_name or detail.claimed_until is None:
            return ""
        until = (when or (lambda value: local_time(value, self.zone)))(detail.claimed_until)
        return t("claims.held_until", name=safe(detail.claimed_by_name), until=until)

    def _show_claim(self) -> None:
        """Who holds the case until when, only while someone does: a line that is mostly "-"
        would push the timeline down."""
        text = self._claim_text()
        value = self.query_one("#detail-claim", Static)
        value.update(Content(text))
        if value.parent is not None:
            value.parent.display = bool(text)

    def _dispatch_lines(self) -> str:
        """One line per dispatch: department, lead or assisting, and how far it got."""

        def when(value: datetime | None) -> str:
            return local_time(value, self.zone, "%m-%d %H:%M") or "-"

        lines = []
        for dispatch in self.detail.dispatches:
            parts = [
                safe(dispatch.department_name),
                t(f"detail.dispatch_role_{dispatch.role.value}"),
                f"{t('detail.dispatched_at')} {when(dispatch.dispatched_at)}",
                f"{t('detail.sign_due')} {when(dispatch.sign_due_at)}",
            ]
            if dispatch.signed_at:
                parts.append(f"{t('detail.signed_at')} {when(dispatch.signed_at)}")
            parts.append(f"{t('detail.handle_due')} {when(dispatch.handle_due_at)}")
            if dispatch.feedback_at:
                parts.append(f"{t('detail.feedback_at')} {when(dispatch.feedback_at)}")
            if dispatch.returned_at:
                parts.append(f"{t('detail.returned_at')} {when(dispatch.returned_at)}")
            if not dispatch.active:
                parts.append(t("detail.dispatch_ended"))
            lines.append("  ".join(parts))
        return "\n".join(lines)

    def _deadline_text(self, when: Callable[[datetime | None], str]) -> str:
        """``受理 2026-11-30 09:30 预警（暂定）``: the running step, its deadline, where it stands."""
        detail = self.detail
        if detail.step is None or detail.due_at is None:
            return "-"
        parts = [t(f"step.{detail.step.value}"), when(detail.due_at)]
        if detail.deadline_status is not None:
            parts.append(t(f"deadline_status.{detail.deadline_status.value}"))
        text = " ".join(parts)
        return text + t("detail.provisional") if detail.deadline_provisional else text

    def _event_cells(self, event: CaseEventView) -> list[Text]:
        states = ""
        if event.from_state is not None or event.to_state is not None:
            before = t(f"state.{event.from_state.value}") if event.from_state else ""
            after = t(f"state.{event.to_state.value}") if event.to_state else ""
            states = f"{before} → {after}".strip()
        return [
            cell(local_time(event.at, self.zone, "%Y-%m-%d %H:%M:%S")),
            cell(event.operator_name, 12),
            cell(t(f"action.{event.action.value}")),
            cell(states),
            cell(with_reason(event.action, event.detail, event.reason, self.zone), 40),
            cell(t("detail.on_behalf") if event.on_behalf else ""),
        ]

    def _allows(self, action: Action) -> bool:
        if action is Action.resolve_in_grid and not self.detail.category_resolvable_in_grid:
            return False
        return action in self.detail.allowed_actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        claim_action = CLAIM_ACTIONS.get(action)
        if claim_action is not None:
            # hidden from a role the services refuse; greyed where this case does not allow it
            services = self._services()
            if services is None or not permissions.allowed(
                services.context.actor.role, claim_action
            ):
                return False
            return True if claim_action in self.detail.claim_actions else None
        if action == "reveal_personal":  # offered only to a role that may reveal something
            services = self._services()
            return services is not None and bool(services.privacy.case_fields())
        if action == "escalate_case":  # the board's action: not in the case's action menu
            if not self.may_escalate:
                return False
            return True if lifecycle.can(Action.escalate, self.detail.state) else None
        case_action = DETAIL_ACTIONS.get(action)
        if case_action is None:
            return True
        return True if self._allows(case_action) else None

    def action_close_case(self) -> None:
        self.dismiss(None)

    def action_accept_case(self) -> None:
        self.dismiss(Action.accept)

    def action_reject_case(self) -> None:
        self.dismiss(Action.reject)

    def action_merge_case(self) -> None:
        self.dismiss(Action.merge)

    def action_resolve_in_grid(self) -> None:
        self.dismiss(Action.resolve_in_grid)

    def action_set_priority(self) -> None:
        self.dismiss(Action.set_priority)

    def action_escalate_case(self) -> None:
        self.dismiss(Action.escalate)

    # -- claims (认领) ------------------------------------------------------------------------------

    def action_toggle_claim(self) -> None:
        """Claim the case (renewing one's own claim), or release it if this operator holds it."""
        mine = Action.release_claim in self.detail.claim_actions
        self.change_claim(Action.release_claim if mine else Action.claim)

    def action_break_claim(self) -> None:
        self.change_claim(Action.break_claim)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-detail-claim")
    def change_claim(self, action: Action) -> None:
        services = self._services()
        if services is None:
            return
        code = self.detail.code
        try:
            if action is Action.release_claim:
                services.claims.release(code)
            elif action is Action.break_claim:
                services.claims.break_claim(code)
            else:
                services.claims.claim(code)
        except Exception as error:  # someone else's claim, the case closed: a notice
            self.post_message(OperationFailed(error))
            return
        self.post_message(ClaimChanged(services.queue.detail(code), action))

    def on_claim_changed(self, message: ClaimChanged) -> None:
        self.detail = message.detail
        self._show_claim()
        self.refresh_bindings()
        action = t(f"action.{message.action.value}")
        self.notify(t("claims.done", code=message.detail.code, action=action), markup=False)
