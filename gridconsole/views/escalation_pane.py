"""The escalation board (升级看板, Art. 30): every escalated matter by stage — 待确认, 已报街道,
已报区级, 处置中, 已终报 — with who has been told, which report is due next and a live
countdown to its window; the shift lead confirms, raises the level, de-escalates and
acknowledges alerts, the centre records each report made.

Below 100 columns the columns collapse into one list grouped by stage, with the same keys; ``w``
shows the wall (large counts and countdowns). The pane holds the focus and the selection (an
escalation id, kept across reloads) and drives all three forms. The database is read when the
pane is first shown, when the change token moves and after an action; countdowns are recounted
each second from the cards in memory and the console's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action
from gridconsole.domain.escalation import CONFIRMED_STAGES, OPEN_STAGES, SEVERITY_ORDER, graver
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationBoard, EscalationCard
from gridconsole.views.case_opening import CaseOpeningPane
from gridconsole.views.escalate_modal import escalate_case
from gridconsole.views.escalation_board import (
    CARD_KEY,
    CardView,
    EscalationBoardView,
    EscalationList,
)
from gridconsole.views.escalation_cards import card_summary, selected_text
from gridconsole.views.escalation_reason_modal import EscalationReasonModal, ReasonChoice
from gridconsole.views.escalation_report_modal import EscalationReportModal, ReportChoice
from gridconsole.views.escalation_wall import EscalationWall
from gridconsole.views.formatting import thousands
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import ConsoleServices

TICK_SECONDS = 1.0
NARROW_BELOW = 100  # the app's -narrow breakpoint: the board becomes a list
BOARD_GROUP = "escalation-board"
ACTION_GROUP = "escalation-action"
# binding action name → the service action it performs (what the role must be allowed)
CARD_ACTIONS: dict[str, Action] = {
    "confirm_escalation": Action.confirm_escalation,
    "record_report": Action.escalation_report,
    "raise_level": Action.raise_escalation,
    "deescalate": Action.deescalate,
    "acknowledge_alerts": Action.acknowledge_alert,
}


class EscalationPane(CaseOpeningPane):
    """The board, its 80-column list and its wall; the selected card's actions."""

    can_focus = True

    BINDINGS = [  # noqa: RUF012
        Binding(
            "enter,o", "open_escalation_case", t("escalation.key_open"), id="open-escalation-case"
        ),
        Binding("c", "confirm_escalation", t("escalation.key_confirm"), id="confirm-escalation"),
        Binding("r", "record_report", t("escalation.key_report"), id="record-escalation-report"),
        Binding("L", "raise_level", t("escalation.key_raise"), id="raise-escalation-level"),
        Binding("D", "deescalate", t("escalation.key_deescalate"), id="deescalate"),
        Binding(
            "a", "acknowledge_alerts", t("escalation.key_acknowledge"), id="acknowledge-alerts"
        ),
        Binding("E", "escalate_case", t("escalation.key_escalate"), id="escalate-case"),
        Binding("w", "toggle_wall", t("escalation.key_wall"), id="toggle-escalation-wall"),
        Binding(
            "f5",
            "reload_escalations",
            t("escalation.key_reload"),
            show=False,
            id="reload-escalations",
        ),
        Binding("up,k", "move_card(0, -1)", t("escalation.key_up"), show=False, id="escalation-up"),
        Binding(
            "down,j", "move_card(0, 1)", t("escalation.key_down"), show=False, id="escalation-down"
        ),
        Binding(
            "left,h", "move_card(-1, 0)", t("escalation.key_left"), show=False, id="escalation-left"
        ),
        Binding(
            "right,l",
            "move_card(1, 0)",
            t("escalation.key_right"),
            show=False,
            id="escalation-right",
        ),
    ]

    CASE_GROUP = "escalation-case"
    NO_SELECTION = "escalation.no_selection"

    class BoardLoaded(Message):
        def __init__(self, board: EscalationBoard, request: int) -> None:
            super().__init__()
            self.board = board
            self.request = request

    class CardChanged(Message):
        """An action on a card succeeded: ``what`` names it for the notification."""

        def __init__(self, card: EscalationCard, what: str) -> None:
            super().__init__()
            self.card = card
            self.what = what

    class AlertsAcknowledged(Message):
        def __init__(self, code: str, count: int) -> None:
            super().__init__()
            self.code = code
            self.count = count

    change_token: reactive[int] = reactive(0, init=False)
    wall_mode: reactive[bool] = reactive(False, init=False)

    def __init__(self, services: ConsoleServices, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        settings = services.context.settings
        self.zone = settings.centre.zone
        self.warn_before = timedelta(minutes=settings.escalation.alert_before_minutes)
        self.board: EscalationBoard | None = None
        self.selected_id: int | None = None
        self.position: tuple[int, int] | None = None  # (column, card) of the selection
        self.board_reading = False
        self._request = 0

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield EscalationBoardView(id="escalation-board")
        yield EscalationList(self.zone, self.warn_before, id="escalation-list")
        yield EscalationWall(self.zone, self.warn_before, id="escalation-wall")
        yield Static(id="escalation-selected")
        with Horizontal(id="escalation-status-line"):
            yield Static(id="escalation-status")
            yield Static(Content(t("escalation.hint")), id="escalation-hint")

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self.tick, name="escalation-tick")
        self.focus()
        self.reload()

    def on_resize(self) -> None:
        self._show_selection()

    @property
    def board_view(self) -> EscalationBoardView:
        return self.query_one(EscalationBoardView)

    @property
    def list_view(self) -> EscalationList:
        return self.query_one(EscalationList)

    @property
    def wall(self) -> EscalationWall:
        return self.query_one(EscalationWall)

    @property
    def narrow(self) -> bool:
        return self.app.size.width < NARROW_BELOW

    def shown(self) -> None:
        """The pane was brought to the front: focus it and recount the countdowns."""
        self.focus()
        self.tick()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self._request += 1
        self.board_reading = True
        self.load_board(self._request)

    def watch_change_token(self) -> None:
        if self.board is not None:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group=BOARD_GROUP)
    def load_board(self, request: int) -> None:
        board = self.services.escalations.board()
        if not get_current_worker().is_cancelled:
            self.post_message(self.BoardLoaded(board, request))

    async def on_escalation_pane_board_loaded(self, message: BoardLoaded) -> None:
        if message.request != self._request:
            return
        self.board_reading = False
        board = message.board
        self.board = board
        now = self.services.context.now()
        await self.board_view.show(board.columns, now, self.zone, self.warn_before)
        self.list_view.show(board.columns, now)
        self.wall.show(board, now)
        self._restore_selection()
        self._show_status(board)

    def _show_status(self, board: EscalationBoard) -> None:
        open_total = sum(column.total for column in board.columns if column.stage in OPEN_STAGES)
        alerts = sum(card.open_alerts for card in board.cards)
        self.query_one("#escalation-status", Static).update(
            Content(
                t(
                    "escalation.status",
                    open=thousands(open_total),
                    alerts=thousands(alerts),
                    final=thousands(board.columns[-1].total),
                    days=self.services.context.settings.escalation.final_days,
                )
            )
        )

    # -- the tick: countdowns from memory -------------------------------------------------------

    def tick(self) -> None:
        """Recount the countdowns at the clock's now (the interval calls this; so may a test).
        No database read: a missed window's event comes back through the change token."""
        if self.board is None or not self.display:
            return
        now = self.services.context.now()
        self.board_view.tick(now)
        self.list_view.tick(now)
        self.wall.tick(now)

    # -- the selection --------------------------------------------------------------------------

    def _columns(self) -> list[tuple[EscalationCard, ...]]:
        return [column.cards for column in self.board.columns] if self.board else []

    @property
    def selected_card(self) -> EscalationCard | None:
        if self.position is None:
            return None
        column, row = self.position
        columns = self._columns()
        if column >= len(columns) or row >= len(columns[column]):
            return None
        return columns[column][row]

    def _restore_selection(self) -> None:
        """The selected escalation where it now stands; if it left the board, the card now at
        its place (or the nearest column's)."""
        columns = self._columns()
        for column_index, cards in enumerate(columns):
            for row_index, card in enumerate(cards):
                if card.id == self.selected_id:
                    self._move_to(column_index, row_index)
                    return
        column, row = self.position or (0, 0)
        order = sorted(range(len(columns)), key=lambda index: (abs(index - column), index))
        for index in order:
            if columns[index]:
                self._move_to(index, min(row, len(columns[index]) - 1))
                return
        self.position, self.selected_id = None, None
        self._show_selection()

    def _move_to(self, column: int, row: int) -> None:
        self.position = (column, row)
        card = self.selected_card
        self.selected_id = card.id if card else None
        self._show_selection()

    def _show_selection(self) -> None:
        if not self.is_mounted:
            return
        self.board_view.mark_selected(self.selected_id)
        self.list_view.mark_selected(self.selected_id)
        card = self.selected_card
        selected = self.query_one("#escalation-selected", Static)
        selected.update(selected_text(card, self.zone) if card else Content(t("escalation.empty")))
        self.refresh_bindings()

    def action_move_card(self, columns_by: int, cards_by: int) -> None:
        """Arrows / h j k l: up and down a column (through the whole list below 100 columns),
        left and right to the next column that has cards."""
        columns = self._columns()
        if self.position is None or self.wall_mode:
            return
        column, row = self.position
        if cards_by:
            if self.narrow:
                flat = [(c, r) for c, cards in enumerate(columns) for r in range(len(cards))]
                index = flat.index((column, row)) + cards_by
                self._move_to(*flat[max(0, min(index, len(flat) - 1))])
            else:
                self._move_to(column, max(0, min(row + cards_by, len(columns[column]) - 1)))
            return
        index = column + columns_by
        while 0 <= index < len(columns):
            if columns[index]:
                self._move_to(index, 0 if self.narrow else min(row, len(columns[index]) - 1))
                return
            index += columns_by

    @on(DataTable.RowHighlighted, "#escalation-list")
    def _list_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A click in the list selects that card (a click on a stage header keeps the
        selection)."""
        event.stop()
        key = event.row_key.value or ""
        if key.startswith(CARD_KEY):
            card_id = int(key.removeprefix(CARD_KEY))
            if card_id != self.selected_id:
                self._select_id(card_id)
        else:
            self.list_view.mark_selected(self.selected_id)

    def on_card_view_chosen(self, message: CardView.Chosen) -> None:
        """A click on a card selects it."""
        message.stop()
        self._select_id(message.card_id)
        self.focus()

    def _select_id(self, card_id: int) -> None:
        for column_index, cards in enumerate(self._columns()):
            for row_index, card in enumerate(cards):
                if card.id == card_id:
                    self._move_to(column_index, row_index)
                    return

    # -- what the keys allow --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what the operator's role may not do; grey out what the selected card does not
        allow (the services check again)."""
        role = self.services.context.actor.role
        if action == "escalate_case":
            return permissions.allowed(role, Action.escalate)
        if action in CARD_ACTIONS:
            if not permissions.allowed(role, CARD_ACTIONS[action]):
                return False
            card = self.selected_card
            if card is None or self.wall_mode:
                return None
            return True if self._card_allows(card, action) else None
        if action == "open_escalation_case":
            return True if self.selected_card is not None and not self.wall_mode else None
        return True

    @staticmethod
    def _card_allows(card: EscalationCard, action: str) -> bool:
        if action == "confirm_escalation":
            return card.stage is OPEN_STAGES[0]
        if action == "raise_level":
            return card.stage in CONFIRMED_STAGES
        if action == "acknowledge_alerts":
            return card.open_alerts > 0
        return card.stage in OPEN_STAGES  # a report, de-escalation

    def _card_or_warn(self) -> EscalationCard | None:
        return self._or_warn(self.selected_card)

    # -- opening the case -----------------------------------------------------------------------

    def opens_from(self, table: DataTable[Any]) -> bool:
        return table is self.list_view

    def selected_case_code(self) -> str | None:
        card = self.selected_card
        return card.case_code if card is not None else None

    def focus_table(self) -> None:
        self.focus()

    def action_open_escalation_case(self) -> None:
        self.open_selected_case()

    # -- acting on the selected card ------------------------------------------------------------

    def action_confirm_escalation(self) -> None:
        card = self._card_or_warn()
        if card is not None:
            self.confirm(card)

    @work(thread=True, exclusive=True, exit_on_error=False, group=ACTION_GROUP)
    def confirm(self, card: EscalationCard) -> None:
        confirmed = self.services.escalations.confirm(card.id, card.version)
        self.post_message(self.CardChanged(confirmed, t("action.confirm_escalation")))

    def action_acknowledge_alerts(self) -> None:
        card = self._card_or_warn()
        if card is not None:
            self.acknowledge(card)

    @work(thread=True, exclusive=True, exit_on_error=False, group=ACTION_GROUP)
    def acknowledge(self, card: EscalationCard) -> None:
        count = self.services.escalations.acknowledge(escalation_id=card.id)
        self.post_message(self.AlertsAcknowledged(card.case_code, count))

    def action_record_report(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        escalations = self.services.escalations
        card_id = card.id

        def submit(choice: ReportChoice, version: int) -> EscalationCard:
            return escalations.record_report(
                card_id,
                version,
                kind=choice.kind,
                channel=choice.channel,
                level=choice.level,
                content=choice.content,
                recipient=choice.recipient,
                reported_at=choice.reported_at,
            )

        modal = EscalationReportModal(
            card, self.services.context, submit=submit, reread=self._reread(card_id)
        )
        self.app.push_screen(modal, self._acted(t("action.escalation_report")))

    def action_raise_level(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        escalations = self.services.escalations
        card_id = card.id

        def submit(choice: ReasonChoice, version: int) -> EscalationCard:
            return escalations.raise_level(
                card_id, version, reason=choice.reason, severity=choice.severity
            )

        modal = EscalationReasonModal(
            t("escalation.raise_title"),
            card_summary(card, self.zone),
            version=card.version,
            submit=submit,
            reread=self._reread(card_id),
            severities=tuple(item for item in SEVERITY_ORDER if graver(item, card.severity)),
        )
        self.app.push_screen(modal, self._acted(t("action.raise_escalation")))

    def action_deescalate(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        escalations = self.services.escalations
        card_id = card.id

        def submit(choice: ReasonChoice, version: int) -> EscalationCard:
            return escalations.deescalate(card_id, version, reason=choice.reason)

        modal = EscalationReasonModal(
            t("escalation.deescalate_title"),
            card_summary(card, self.zone),
            version=card.version,
            submit=submit,
            reread=self._reread(card_id),
        )
        self.app.push_screen(modal, self._acted(t("action.deescalate")))

    def action_escalate_case(self) -> None:
        escalate_case(self, self.services.escalations, then=self._after_escalating)

    def _after_escalating(self, card: EscalationCard | None) -> None:
        self.focus()
        if card is not None:
            self.selected_id = card.id
            self.reload()

    def _reread(self, card_id: int) -> Callable[[], int]:
        escalations = self.services.escalations
        return lambda: escalations.detail(card_id).card.version

    def _acted(self, what: str) -> Callable[[EscalationCard | None], None]:
        def closed(card: EscalationCard | None) -> None:
            self.focus()
            if card is not None:
                self.post_message(self.CardChanged(card, what))

        return closed

    def on_escalation_pane_card_changed(self, message: CardChanged) -> None:
        card = message.card
        self.notify(
            t(
                "escalation.action_done",
                code=card.case_code,
                what=message.what,
                stage=t(f"escalation_stage.{card.stage.value}"),
            ),
            markup=False,
        )
        self.selected_id = card.id  # follow the card to its new column
        self.reload()

    def on_escalation_pane_alerts_acknowledged(self, message: AlertsAcknowledged) -> None:
        self.notify(
            t("escalation.acknowledged", code=message.code, count=message.count), markup=False
        )
        self.reload()

    # -- modes ----------------------------------------------------------------------------------

    def action_toggle_wall(self) -> None:
        self.wall_mode = not self.wall_mode

    def watch_wall_mode(self, wall_mode: bool) -> None:
        self.set_class(wall_mode, "-wall")
        self.focus()
        self.tick()
        self.refresh_bindings()

    def action_reload_escalations(self) -> None:
        self.reload()

    # -- errors ---------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if event.worker.group not in (BOARD_GROUP, ACTION_GROUP, self.CASE_GROUP):
            return
        self.post_message(OperationFailed(event.worker.error))
        if event.worker.group == BOARD_GROUP:
            self.board_reading = False
        elif event.worker.group == ACTION_GROUP:
            self.reload()  # someone else moved the card: show where it stands
