"""The statistics pane's trend: received, completed and overdue per day as three rows of bars.

A compact terminal chart drawn with Rich text (eighth blocks ▁…█), one column per day (several
days per column when the period is wider than the space), each row scaled to its own maximum and
ended with its total, so it fits four lines at 80×24 beside the ranking table. No markup: every
label is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from gridconsole.i18n import t
from gridconsole.services.statistics_records import TrendDay

BLOCKS = " ▁▂▃▄▅▆▇█"
SERIES: tuple[tuple[str, str], ...] = (
    ("received", "statistics.pane.trend_received"),
    ("completed", "statistics.pane.trend_completed"),
    ("overdue", "statistics.pane.trend_overdue"),
)
STYLES = {"received": "bold", "completed": "green", "overdue": "red"}


def buckets(days: Sequence[TrendDay], columns: int) -> list[tuple[date, dict[str, int]]]:
    """The days folded into at most ``columns`` columns (consecutive days summed), each with the
    first day it covers."""
    if not days or columns < 1:
        return []
    per_column = -(-len(days) // columns)
    folded: list[tuple[date, dict[str, int]]] = []
    for offset in range(0, len(days), per_column):
        chunk = days[offset : offset + per_column]
        folded.append(
            (chunk[0].day, {name: sum(getattr(day, name) for day in chunk) for name, _ in SERIES})
        )
    return folded


def bar(value: int, maximum: int) -> str:
    """One eighth-block bar of ``value`` against ``maximum`` (any value above 0 shows)."""
    if value <= 0 or maximum <= 0:
        return BLOCKS[0]
    return BLOCKS[max(1, round(value / maximum * (len(BLOCKS) - 1)))]


def render_trend(days: Sequence[TrendDay], width: int) -> Text:
    """The chart in ``width`` cells: three labelled rows of bars and a row of day marks."""
    labels = [t(key) for _name, key in SERIES]
    label_width = max(cell_len(label) for label in labels) + 1
    totals = {name: sum(getattr(day, name) for day in days) for name, _ in SERIES}
    total_width = max(len(f"{value:,}") for value in totals.values()) + 1
    columns = max(1, width - label_width - total_width - 1)
    folded = buckets(days, columns)
    # a short period gets wider bars (up to three cells a day) where there is room
    cells_each = max(1, min(3, columns // max(1, len(folded))))
    chart = Text(no_wrap=True, overflow="crop")
    for (name, _key), label in zip(SERIES, labels, strict=True):
        maximum = max((values[name] for _day, values in folded), default=0)
        chart.append(label + " " * (label_width - cell_len(label)))
        chart.append(
            "".join(bar(values[name], maximum) * cells_each for _day, values in folded),
            STYLES[name],
        )
        chart.append(f" {totals[name]:>{total_width - 1},}\n")
    # day marks: the day of month under the first column of a bucket, every few buckets
    marks = [" "] * (len(folded) * cells_each)
    step = max(1, len(folded) // 5) if len(folded) > 10 else 1
    position = 0
    while position < len(folded):
        text = str(folded[position][0].day)
        at = position * cells_each
        if at + len(text) <= len(marks):
            marks[at : at + len(text)] = list(text)
        position += max(step, -(-(len(text) + 1) // cells_each))
    chart.append(" " * label_width + "".join(marks), "dim")
    return chart


class TrendChart(Static):
    """Shows the trend it is given; redraws on resize (its height: statistics_pane.tcss)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.days: tuple[TrendDay, ...] = ()

    def show_trend(self, days: tuple[TrendDay, ...]) -> None:
        self.days = days
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if not self.days:
            self.update(Text(t("statistics.pane.trend_empty"), style="dim"))
            return
        self.update(render_trend(self.days, max(20, self.size.width or 80)))
