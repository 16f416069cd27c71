"""The escalation board's wall mode, for the shift lead's screen across the room: each stage's
count in large digits, then the most pressing open escalations with their countdowns in large
digits (red once a window is missed, yellow within the warning time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Digits, Static

from gridconsole.domain.escalation import BOARD_STAGES, OPEN_STAGES
from gridconsole.i18n import t
from gridconsole.services.escalation_records import EscalationBoard, EscalationCard
from gridconsole.views.escalation_cards import next_due_text, status_class, window_reading
from gridconsole.views.formatting import safe

WALL_CARDS = 5  # the most pressing cards shown (fewer fit at 80×24: the rest is cut)
STATUS_CLASSES = ("-warning", "-overdue")


def pressing_cards(board: EscalationBoard, limit: int = WALL_CARDS) -> tuple[EscalationCard, ...]:
    """Open escalations whose next report is owed, the window closing soonest first (the
    board's columns are each sorted so; their heads are the most pressing of all)."""
    owed = [
        card
        for card in board.cards
        if card.stage in OPEN_STAGES and card.next_report_at is not None
    ]
    owed.sort(key=lambda card: (card.next_report_at, card.raised_at, card.id))
    return tuple(owed[:limit])


class EscalationWall(Vertical):
    def __init__(self, zone: ZoneInfo, warn_before: timedelta, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone
        self.warn_before = warn_before
        self.cards: tuple[EscalationCard, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(id="escalation-wall-counts"):
            for stage in BOARD_STAGES:
                with Vertical(classes=f"escalation-wall-box -{stage.value}"):
                    yield Static(
                        Content(t(f"escalation_stage.{stage.value}")),
                        classes="escalation-wall-label",
                    )
                    yield Digits(
                        "0", id=f"escalation-wall-{stage.value}", classes="escalation-wall-digits"
                    )
        yield Static(Content(t("escalation.wall_pressing")), id="escalation-wall-heading")
        with Vertical(id="escalation-wall-pressing"):
            for index in range(WALL_CARDS):
                with Horizontal(classes="escalation-wall-card", id=f"escalation-wall-card-{index}"):
                    yield Static(classes="escalation-wall-card-text")
                    yield Digits("", classes="escalation-wall-countdown")
        yield Static(Content(t("escalation.wall_quiet")), id="escalation-wall-quiet")

    def show(self, board: EscalationBoard, now: datetime) -> None:
        for column in board.columns:
            self.query_one(f"#escalation-wall-{column.stage.value}", Digits).update(
                str(column.total)
            )
        self.cards = pressing_cards(board)
        for index in range(WALL_CARDS):
            row = self.query_one(f"#escalation-wall-card-{index}", Horizontal)
            row.display = index < len(self.cards)
            if index < len(self.cards):
                card = self.cards[index]
                row.query_one(".escalation-wall-card-text", Static).update(
                    Content.assemble(
                        (card.case_code, "bold"),
                        "  ",
                        (t(f"severity.{card.severity.value}"), "bold"),
                        "\n",
                        t(f"escalation_kind.{card.kind.value}"),
                        " · ",
                        safe(card.grid_name) or t("escalation.no_grid"),
                        "\n",
                        next_due_text(card, self.zone),
                    )
                )
        self.query_one("#escalation-wall-quiet", Static).display = not self.cards
        self.tick(now)

    def tick(self, now: datetime) -> None:
        for index, card in enumerate(self.cards):
            row = self.query_one(f"#escalation-wall-card-{index}", Horizontal)
            reading = window_reading(card, now, self.warn_before)
            digits = row.query_one(".escalation-wall-countdown", Digits)
            if digits.value != reading.digits:
                digits.update(reading.digits)
            wanted = status_class(reading)
            for name in STATUS_CLASSES:
                row.set_class(name == wanted, name)

    def countdowns(self) -> list[str]:
        """The large countdowns shown, most pressing first (what tests read)."""
        return [
            self.query_one(f"#escalation-wall-card-{index}", Horizontal)
            .query_one(".escalation-wall-countdown", Digits)
            .value
            for index in range(len(self.cards))
        ]
