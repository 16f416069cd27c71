"""The dispatch pane's table: one list's page of cases keyed by code, with marks (k9s-style) and,
on the 待派遣 list, where each case would go.

Marks are kept by case code, so they stay on their cases while the page is re-read; a marked row
shows ``●`` in the first column and is drawn in the marked style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text

from gridconsole.domain.deadlines import DeadlineStatus
from gridconsole.domain.enums import CaseState, Priority
from gridconsole.i18n import catalog, get_locale, t
from gridconsole.services.dispatch_records import RoutingSuggestion
from gridconsole.services.records import CaseRow
from gridconsole.views.claim_marker import claimed_title
from gridconsole.views.deadline_table import status_at, status_style
from gridconsole.views.dispatch_lists import DispatchList
from gridconsole.views.formatting import cell, local_time, safe
from gridconsole.views.keyed_case_table import KeyedCaseTable
from gridconsole.views.table_layout import TableColumn, TableLayout

MARK = "●"
ROUTE_WIDE = 36
ROUTE_NARROW = 18
# states a dispatcher must notice: the department sent it back, or the work failed verification
REWORK_STATES = frozenset({CaseState.returned, CaseState.reopened})


@dataclass(frozen=True)
class DispatchLayout(TableLayout):
    """A layout whose narrow set is its own list of columns (widths may differ from wide)."""

    narrow_set: tuple[TableColumn, ...] = ()

    def columns(self, narrow: bool) -> tuple[TableColumn, ...]:
        return self.narrow_set if narrow else self.wide


def _column(key: str, width: int) -> TableColumn:
    return TableColumn(key, f"dispatch.column_{key}", width)


WAITING_LAYOUT = DispatchLayout(
    wide=(
        _column("mark", 1),
        _column("code", 16),
        _column("priority", 4),
        _column("state", 6),
        _column("category", 8),
        _column("title", 0),
        _column("deadline", 11),
        _column("route", ROUTE_WIDE),
    ),
    narrow_keys=frozenset(),
    min_flexible=10,
    narrow_set=(
        _column("mark", 1),
        _column("code", 16),
        _column("state", 4),
        _column("title", 0),
        _column("deadline", 11),
        _column("route", ROUTE_NARROW),
    ),
)
CHECK_LAYOUT = DispatchLayout(
    wide=(
        _column("code", 16),
        _column("priority", 4),
        _column("state", 6),
        _column("category", 8),
        _column("grid", 14),
        _column("title", 0),
        _column("deadline", 11),
    ),
    narrow_keys=frozenset(),
    min_flexible=10,
    narrow_set=(
        _column("code", 16),
        _column("state", 6),
        _column("grid", 14),
        _column("title", 0),
        _column("deadline", 11),
    ),
)


def state_label(state: CaseState) -> str:
    """待派 / 退回 / 返工 …: the state in the words of the dispatch lists (a state they do not
    list keeps its usual name)."""
    key = f"dispatch.state_{state.value}"
    return t(key) if key in catalog(get_locale()) else t(f"state.{state.value}")


def rate_text(rate: float | None) -> str:
    return "" if rate is None else f"{round(rate * 100)}%"


def route_text(suggestion: RoutingSuggestion | None) -> str:
    """``城管执法中队 · 历史 城管执法中队 92%``: the configured department, then the one that
    most often completed such cases, with its on-time rate."""
    if suggestion is None:
        return ""
    parts: list[str] = []
    if suggestion.configured is not None:
        parts.append(safe(suggestion.configured.name))
    else:
        parts.append(t("dispatch.route_none"))
    if suggestion.history is not None:
        history = t("dispatch.route_history", department=safe(suggestion.history.name))
        rate = rate_text(suggestion.history_on_time_rate)
        parts.append(f"{history} {rate}".rstrip())
    return " · ".join(parts)


def route_line(suggestion: RoutingSuggestion | None) -> str:
    """The full suggestion of the cursor row: which rule gave the department, and the history
    department's completed count and on-time rate."""
    if suggestion is None:
        return ""
    if suggestion.configured is not None:
        configured = t(
            "dispatch.route_configured",
            department=safe(suggestion.configured.name),
            rule=t(f"dispatch.rule_{suggestion.configured_by or 'category'}"),
        )
    else:
        configured = t("dispatch.route_none")
    if suggestion.history is None:
        history = t("dispatch.route_no_history")
    else:
        history = t(
            "dispatch.route_history_line",
            department=safe(suggestion.history.name),
            completed=suggestion.history_completed,
            rate=rate_text(suggestion.history_on_time_rate) or "—",
        )
    return t("dispatch.route_line", configured=configured, history=history)


class DispatchTable(KeyedCaseTable[CaseRow]):
    """One page of one dispatch list, keyed by code; marks and suggestions kept by code."""

    LAYOUT: TableLayout = WAITING_LAYOUT
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "dispatch-table--marked",
        "dispatch-table--warning",
        "dispatch-table--overdue",
        "dispatch-table--rework",
    }

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        super().__init__(zone, id=id)
        self.kind = DispatchList.waiting
        self.marked: set[str] = set()
        self.suggestions: dict[str, RoutingSuggestion] = {}
        self.now: datetime | None = None
        self.overdue: set[str] = set()  # codes drawn as past their deadline (超期)
        self.warning: set[str] = set()  # codes drawn as warning (预警)
        self.last_width = 0

    # -- the list shown ---------------------------------------------------------------------------

    def show_list(self, kind: DispatchList) -> None:
        """Switch to ``kind``'s columns; its rows come with the next :meth:`show_rows`."""
        if kind is self.kind:
            return
        self.kind = kind
        self.LAYOUT = WAITING_LAYOUT if kind is DispatchList.waiting else CHECK_LAYOUT
        self.marked.clear()
        self.suggestions = {}
        self.rows_by_code = {}
        self.clear(columns=True)
        self.set_layout(self.last_width)

    def set_layout(self, total_width: int) -> bool:
        self.last_width = total_width
        return super().set_layout(total_width)

    def show_rows(
        self,
        rows: tuple[CaseRow, ...],
        suggestions: dict[str, RoutingSuggestion],
        now: datetime,
    ) -> None:
        """Show ``rows`` in order by key; the cursor and the marks stay on their cases (marks of
        cases that left the page are dropped)."""
        self.now = now
        changed_routes = {
            code
            for code in self.rows_by_code
            if suggestions.get(code) != self.suggestions.get(code)
        }
        self.suggestions = dict(suggestions)
        self.marked &= {row.code for row in rows}
        self.sync_rows(rows)
        for code in changed_routes & set(self.rows_by_code):
            self.rewrite_row(self.rows_by_code[code])

    def refresh_deadlines(self, now: datetime) -> None:
        """Redraw the rows whose deadline started warning or passed since they were drawn (from
        memory)."""
        self.now = now
        moved = [
            row
            for row in self.rows_by_code.values()
            if self._status(row) is not self._drawn_status(row.code)
        ]
        with self.app.batch_update():
            for row in moved:
                self.rewrite_row(row)

    def _forget(self, code: str) -> None:
        self.marked.discard(code)
        self.overdue.discard(code)
        self.warning.discard(code)

    # -- marks ------------------------------------------------------------------------------------

    def toggle_mark(self, code: str) -> None:
        if code in self.marked:
            self.marked.discard(code)
        else:
            self.marked.add(code)
        self.rewrite_row(self.rows_by_code[code])

    def mark_all(self) -> None:
        self.set_marks(set(self.rows_by_code))

    def set_marks(self, codes: set[str]) -> None:
        """Mark exactly ``codes`` (those on the page), redrawing only rows that changed."""
        wanted = codes & set(self.rows_by_code)
        changed = wanted ^ self.marked
        self.marked = wanted
        with self.app.batch_update():
            for code in changed:
                self.rewrite_row(self.rows_by_code[code])

    @property
    def marked_rows(self) -> tuple[CaseRow, ...]:
        """The marked rows in the table's order (most urgent first)."""
        return tuple(row for code, row in self.rows_by_code.items() if code in self.marked)

    # -- cells ------------------------------------------------------------------------------------

    def _cells(self, row: CaseRow) -> list[Text]:
        marked = row.code in self.marked
        state = cell(state_label(row.state))
        if row.state in REWORK_STATES:
            state.stylize(self._style("rework"))
        values: dict[str, Text] = {
            "mark": cell(MARK if marked else ""),
            # without the priority column an urgent case shows in its code
            "code": cell(
                row.code,
                style="bold red" if self.narrow and row.priority is Priority.urgent else "",
            ),
            "priority": self._priority_cell(row.priority),
            "state": state,
            "category": cell(row.category_name, 8),
            "grid": cell(row.grid_name, 14),
            "title": claimed_title(
                row.title, row.claimed_by_name, row.claimed_until, self.now, self.title_width
            ),
            "deadline": self._deadline_cell(row),
            "route": cell(
                route_text(self.suggestions.get(row.code)),
                ROUTE_NARROW if self.narrow else ROUTE_WIDE,
            ),
        }
        cells = [values[column.key] for column in self.columns_shown]
        if marked:
            marked_style = self._style("marked")
            for text in cells:
                text.stylize(marked_style)
        return cells

    def _status(self, row: CaseRow) -> DeadlineStatus | None:
        """Warning or overdue at the table's now (None: on time or no deadline)."""
        if self.now is None:
            return None
        status = status_at(self.now, row.warn_at, row.due_at)
        return None if status is DeadlineStatus.on_time else status

    def _drawn_status(self, code: str) -> DeadlineStatus | None:
        if code in self.overdue:
            return DeadlineStatus.overdue
        if code in self.warning:
            return DeadlineStatus.warning
        return None

    def _deadline_cell(self, row: CaseRow) -> Text:
        """The due instant in the overdue pane's colours: yellow warning, red overdue."""
        text = cell(local_time(row.due_at, self.zone, "%m-%d %H:%M"))
        status = self._status(row)
        self.overdue.discard(row.code)
        self.warning.discard(row.code)
        if status is DeadlineStatus.overdue:
            self.overdue.add(row.code)
        elif status is DeadlineStatus.warning:
            self.warning.add(row.code)
        text.stylize(status_style(self, "dispatch-table", status))
        return text

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"dispatch-table--{name}", partial=True)

    @staticmethod
    def _priority_cell(priority: Priority) -> Text:
        if priority is Priority.urgent:
            return cell(t("queue.priority_urgent"), style="bold red")
        return cell(t("queue.priority_normal"))
