"""Every key of the console, generated from the bindings (with the operator's keymap applied)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from gridconsole.i18n import catalog, get_locale, t


@dataclass(frozen=True)
class HelpSection:
    title: str
    bindings: tuple[Binding, ...]
    notes: tuple[str, ...] = ()  # lines shown under the keys (e.g. the statistics' formulas)


def describe(binding: Binding) -> str:
    """The binding's description in the operator's language (Textual's own are in English)."""
    action = binding.action.rsplit(".", 1)[-1]
    key = f"help.action_{action}"
    if key in catalog(get_locale()):
        return t(key)
    return binding.description or action


NOTE_WIDTH = 56  # cells: a note wraps to fit the help frame at 80 columns


def note_lines(note: str, width: int = NOTE_WIDTH) -> list[str]:
    """``note`` cut into lines of at most ``width`` terminal cells (Chinese has no spaces)."""
    lines: list[str] = []
    line, used = "", 0
    for char in note:
        size = cell_len(char)
        if used + size > width:
            lines.append(line)
            line, used = "", 0
        line += char
        used += size
    if line:
        lines.append(line)
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close_help", t("help.key_close"), id="close-help"),
    ]

    def __init__(self, sections: tuple[HelpSection, ...]) -> None:
        super().__init__(classes="help-screen")
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame"):
            yield Static(Content(t("help.title")), classes="modal-title")
            yield DataTable[Text](id="help-keys", cursor_type="row", show_header=True)
            yield Static(Content(t("help.hint")), classes="modal-summary")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_column(t("help.column_key"), key="key")
        table.add_column(t("help.column_action"), key="action")
        for section in self.sections:
            table.add_row(Text(section.title, style="bold underline"), Text(""))
            for binding in section.bindings:
                keys = " / ".join(
                    self.app.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
                table.add_row(Text(keys, style="bold"), Text(describe(binding)))
            for note in section.notes:
                for line in note_lines(note):
                    table.add_row(Text(""), Text(line, style="dim"))
        table.focus()

    @property
    def listed_keys(self) -> list[str]:
        """Every key shown (tests check the list is complete)."""
        table = self.query_one("#help-keys", DataTable)
        return [str(table.get_cell_at(Coordinate(row, 0))) for row in range(table.row_count)]

    def action_close_help(self) -> None:
        self.dismiss(None)
