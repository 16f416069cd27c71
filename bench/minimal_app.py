"""The floor for start-up: a minimal Textual app showing a 50-row table."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class MinimalApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "title")
        for index in range(50):
            table.add_row(f"row-{index}", "标题" * 5)


if __name__ == "__main__":
    MinimalApp().run()
