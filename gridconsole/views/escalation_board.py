"""The escalation board's two forms: five stage columns of cards (100 columns and wider) and,
below that, one list grouped by stage with a header row per stage (80×24).

Neither takes the focus: the pane holds the selection (an escalation id) and its keys, and
tells both forms which card is selected. Each second :meth:`tick` recounts the countdowns from
the cards in memory and the clock, redrawing only the countdowns whose text changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import EscalationStage
from gridconsole.domain.escalation import BOARD_STAGES
from gridconsole.i18n import t
from gridconsole.services.escalation_records import BoardColumn, EscalationCard
from gridconsole.views.escalation_cards import (
    WindowReading,
    card_body,
    countdown_line,
    next_label,
    status_class,
    window_reading,
)
from gridconsole.views.formatting import cell

STATUS_CLASSES = ("-warning", "-overdue")


def column_title(column: BoardColumn) -> str:
    return t(
        "escalation.column_title",
        stage=t(f"escalation_stage.{column.stage.value}"),
        total=f"{column.total:,}",
    )


def more_text(column: BoardColumn) -> str:
    """ "+N more" when the service gave fewer cards than the column holds ("" otherwise)."""
    hidden = column.total - len(column.cards)
    return t("escalation.more", count=f"{hidden:,}") if hidden > 0 else ""


# -- the wide form: columns of cards -------------------------------------------------------------


class CardView(Vertical):
    """One card: what it is above, the live countdown of its next report below."""

    def __init__(self, card: EscalationCard, zone: ZoneInfo, warn_before: timedelta) -> None:
        super().__init__(id=f"escalation-card-{card.id}", classes="escalation-card")
        self.card = card
        self.zone = zone
        self.warn_before = warn_before
        self.reading: WindowReading | None = None
        # made here, not looked up: the board ticks the countdowns every second, and a card
        # just added may not have composed its children yet
        self.body = Static(classes="card-body")
        self.countdown = Static(classes="card-countdown")

    class Chosen(Message):
        """The card was clicked."""

        def __init__(self, card_id: int) -> None:
            super().__init__()
            self.card_id = card_id

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.card.id))

    def compose(self) -> ComposeResult:
        yield self.body
        yield self.countdown

    def show(self, card: EscalationCard, now: datetime) -> None:
        self.card = card
        self.body.update(card_body(card, now, self.zone))
        self.reading = None
        self.tick(now)

    def tick(self, now: datetime) -> bool:
        """Recount the countdown at ``now``; True when its status changed (a colour change)."""
        reading = window_reading(self.card, now, self.warn_before)
        before = self.reading
        if before is not None and before.text == reading.text:
            return False
        self.reading = reading
        countdown = self.countdown
        countdown.update(countdown_line(self.card, reading))
        moved = before is None or before.status is not reading.status
        if moved:
            wanted = status_class(reading)
            for name in STATUS_CLASSES:
                self.set_class(name == wanted, name)
                countdown.set_class(name == wanted, name)
        return moved

    @property
    def missed(self) -> bool:
        return self.reading is not None and self.reading.status is DeadlineStatus.overdue


class BoardColumnView(Vertical):
    """One stage: its title with the column's total, its cards, "+N more"."""

    def __init__(self, stage: EscalationStage) -> None:
        super().__init__(id=f"escalation-column-{stage.value}", classes="escalation-column")
        self.stage = stage
        self.card_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Content(t(f"escalation_stage.{self.stage.value}")), classes="escalation-column-title"
        )
        yield VerticalScroll(classes="escalation-column-cards", can_focus=False)
        yield Static(classes="escalation-column-more")

    @property
    def cards_box(self) -> VerticalScroll:
        return self.query_one(".escalation-column-cards", VerticalScroll)

    def card_views(self) -> list[CardView]:
        return list(self.cards_box.query(CardView))

    async def show(
        self, column: BoardColumn, now: datetime, zone: ZoneInfo, warn_before: timedelta
    ) -> None:
        """The column's cards in the service's order: redrawn in place when the same cards are
        in the same order, re-mounted otherwise (the pane keeps the selection by id)."""
        self.query_one(".escalation-column-title", Static).update(Content(column_title(column)))
        more = self.query_one(".escalation-column-more", Static)
        more.update(Content(more_text(column)))
        more.display = bool(more_text(column))
        ids = [card.id for card in column.cards]
        if ids == self.card_ids:
            for view, card in zip(self.card_views(), column.cards, strict=True):
                if view.card != card:
                    view.show(card, now)
            return
        self.card_ids = ids
        box = self.cards_box
        await box.remove_children()
        views = [CardView(card, zone, warn_before) for card in column.cards]
        await box.mount_all(views)
        for view, card in zip(views, column.cards, strict=True):
            view.show(card, now)

    def mark_selected(self, card_id: int | None) -> None:
        for view in self.card_views():
            selected = view.card.id == card_id
            view.set_class(selected, "-selected")
            if selected:
                self.cards_box.scroll_to_widget(view, animate=False)
        self.set_class(card_id in self.card_ids, "-current")


class EscalationBoardView(Horizontal):
    """The five stage columns, left to right."""

    def compose(self) -> ComposeResult:
        for stage in BOARD_STAGES:
            yield BoardColumnView(stage)

    def column_view(self, stage: EscalationStage) -> BoardColumnView:
        return self.query_one(f"#escalation-column-{stage.value}", BoardColumnView)

    async def show(
        self,
        columns: tuple[BoardColumn, ...],
        now: datetime,
        zone: ZoneInfo,
        warn_before: timedelta,
    ) -> None:
        for column in columns:
            await self.column_view(column.stage).show(column, now, zone, warn_before)

    def mark_selected(self, card_id: int | None) -> None:
        for view in self.query(BoardColumnView):
            view.mark_selected(card_id)

    def tick(self, now: datetime) -> list[int]:
        """Recount every countdown; the ids of the cards whose status changed."""
        return [view.card.id for view in self.query(CardView) if view.tick(now)]


# -- the narrow form: one list grouped by stage -------------------------------------------------

# (column key, label key, width in cells)
LIST_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("code", "escalation.column_code", 17),
    ("kind", "escalation.column_kind", 12),
    ("severity", "escalation.column_severity", 11),
    ("next", "escalation.column_next", 10),
    ("countdown", "escalation.column_countdown", 13),
)
STAGE_KEY = "stage-"
MORE_KEY = "more-"
CARD_KEY = "card-"


def card_key(card_id: int) -> str:
    return f"{CARD_KEY}{card_id}"


class EscalationList(DataTable[Text]):
    """Every card of the board in one table: a header row per stage (its total), then its
    cards, then "+N more"; the pane moves the cursor over the cards only."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "escalation-list--warning",
        "escalation-list--overdue",
        "escalation-list--stage",
    }

    def __init__(self, zone: ZoneInfo, warn_before: timedelta, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.can_focus = False
        self.zone = zone
        self.warn_before = warn_before
        self.row_keys: list[str] = []
        self.cards: dict[int, EscalationCard] = {}
        self.readings: dict[int, WindowReading] = {}

    def on_mount(self) -> None:
        for key, label_key, width in LIST_COLUMNS:
            self.add_column(Text(t(label_key)), key=key, width=width)

    def _style(self, reading: WindowReading) -> Style:
        if reading.status in (DeadlineStatus.warning, DeadlineStatus.overdue):
            return self.get_component_rich_style(
                f"escalation-list--{reading.status.value}", partial=True
            )
        return Style()

    def _card_cells(self, card: EscalationCard, now: datetime) -> list[Text]:
        reading = window_reading(card, now, self.warn_before)
        self.readings[card.id] = reading
        style = self._style(reading)
        code = cell(card.case_code)
        if card.open_alerts:
            code = cell(f"{card.case_code}*")
        values = [
            code,
            cell(t(f"escalation_kind.{card.kind.value}"), 12),
            cell(t(f"severity.{card.severity.value}"), 11),
            cell(next_label(card), 10),
            cell(reading.text, 13),
        ]
        for value in values:
            value.stylize(style)
        return values

    def _header_cells(self, column: BoardColumn) -> list[Text]:
        style = self.get_component_rich_style("escalation-list--stage", partial=True)
        first = Text(column_title(column), style=style, no_wrap=True, end="")
        return [first, *(Text("") for _ in LIST_COLUMNS[1:])]

    def _more_cells(self, column: BoardColumn) -> list[Text]:
        return [cell(more_text(column)), *(Text("") for _ in LIST_COLUMNS[1:])]

    def show(self, columns: tuple[BoardColumn, ...], now: datetime) -> None:
        """The rows in board order: updated by key in place when the same rows stand in the
        same order (each poll), rebuilt when cards came, went or moved (the pane restores the
        cursor by id)."""
        rows: list[tuple[str, list[Text]]] = []
        cards: dict[int, EscalationCard] = {}
        for column in columns:
            rows.append((f"{STAGE_KEY}{column.stage.value}", self._header_cells(column)))
            for card in column.cards:
                cards[card.id] = card
                rows.append((card_key(card.id), self._card_cells(card, now)))
            if more_text(column):
                rows.append((f"{MORE_KEY}{column.stage.value}", self._more_cells(column)))
        keys = [key for key, _ in rows]
        with self.app.batch_update():
            if keys == self.row_keys:
                for key, values in rows:
                    for (column_key, _, _), value in zip(LIST_COLUMNS, values, strict=True):
                        self.update_cell(key, column_key, value)
            else:
                self.clear()
                for key, values in rows:
                    self.add_row(*values, key=key)
                self.row_keys = keys
        self.cards = cards

    def mark_selected(self, card_id: int | None) -> None:
        if card_id is None:
            return
        key = card_key(card_id)
        if key in self.row_keys:
            self.move_cursor(row=self.row_keys.index(key), animate=False, scroll=True)

    def tick(self, now: datetime) -> list[int]:
        """Recount every countdown; the ids of the cards whose status changed."""
        moved: list[int] = []
        with self.app.batch_update():
            for card_id, card in self.cards.items():
                reading = window_reading(card, now, self.warn_before)
                held = self.readings.get(card_id)
                if held is not None and held.text == reading.text:
                    continue
                self.readings[card_id] = reading
                key = card_key(card_id)
                if held is None or held.status is not reading.status:
                    moved.append(card_id)
                    for (column_key, _, _), value in zip(
                        LIST_COLUMNS, self._card_cells(card, now), strict=True
                    ):
                        self.update_cell(key, column_key, value)
                    continue
                countdown = cell(reading.text, 13)
                countdown.stylize(self._style(reading))
                self.update_cell(key, "countdown", countdown)
        return moved
