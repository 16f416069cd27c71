"""The overdue pane's wall mode: big counts per state and a table per department, for a screen
across the room."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Digits, Static

from gridconsole.i18n import t
from gridconsole.services.overdue_records import DepartmentOverdueCounts, OverdueCounts
from gridconsole.views.formatting import cell

# (state, label key): the order the boxes stand in, worst first
WALL_STATES: tuple[tuple[str, str], ...] = (
    ("overdue", "overdue.wall_overdue"),
    ("warning", "overdue.wall_warning"),
    ("upcoming", "overdue.wall_upcoming"),
)
DEPARTMENT_WIDTH = 20
NOT_DISPATCHED_KEY = "\u0000"  # the row of cases no department leads yet


class OverdueWall(Vertical):
    """Counts of the board: one box per state with large digits, then one line per department."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="wall-counts"):
            for state, label_key in WALL_STATES:
                with Vertical(classes=f"wall-box -{state}"):
                    yield Static(Content(t(label_key)), classes="wall-label")
                    yield Digits("0", id=f"wall-{state}", classes="wall-digits")
        yield DataTable[Text](
            id="wall-departments", cursor_type="none", zebra_stripes=True, show_cursor=False
        )

    def on_mount(self) -> None:
        table = self.departments_table
        table.add_column(t("overdue.wall_department"), key="name", width=DEPARTMENT_WIDTH)
        for state, label_key in WALL_STATES:
            table.add_column(t(label_key), key=state, width=8)

    @property
    def departments_table(self) -> DataTable[Text]:
        return self.query_one("#wall-departments", DataTable)

    def show_counts(
        self, counts: OverdueCounts, departments: tuple[DepartmentOverdueCounts, ...]
    ) -> None:
        for state, _ in WALL_STATES:
            self.query_one(f"#wall-{state}", Digits).update(str(getattr(counts, state)))
        table = self.departments_table
        keyed = {item.name or NOT_DISPATCHED_KEY: item for item in departments}
        with self.app.batch_update():
            for key in [key.value for key in table.rows if key.value not in keyed]:
                if key is not None:
                    table.remove_row(key)
            order: dict[str, int] = {}
            for index, (key, item) in enumerate(keyed.items()):
                name_cell = cell(item.name or t("overdue.not_dispatched"), DEPARTMENT_WIDTH)
                order[name_cell.plain] = index
                values = {
                    "name": name_cell,
                    **{state: cell(str(getattr(item.counts, state))) for state, _ in WALL_STATES},
                }
                if key in table.rows:
                    for column, value in values.items():
                        table.update_cell(key, column, value)
                else:
                    table.add_row(*values.values(), key=key)
            table.sort("name", key=lambda name: order.get(name.plain, len(order)))
