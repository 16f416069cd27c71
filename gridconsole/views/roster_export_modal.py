"""Where to write a roster file: a path whose suffix chooses the format (.xlsx, .csv, text)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.i18n import t
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.input_rules import SINGLE_LINE

PATH_MAX = 400


class RosterExportModal(ActionModal[Path]):
    def __init__(self, title: str, default_name: str, hint: str) -> None:
        super().__init__(title, Content(hint))
        self.default_name = default_name

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "path",
            t("roster.pane.field_path"),
            Input(
                value=self.default_name,
                max_length=PATH_MAX,
                restrict=SINGLE_LINE,
                id="field-path",
                compact=True,
            ),
        )

    def collect(self) -> Path:
        text = self.query_one("#field-path", Input).value.strip()
        if not text:
            raise ValidationFailed([FieldProblem("path", t("rule.required"))])
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            raise ValidationFailed(
                [FieldProblem("path", t("roster.pane.no_such_folder", folder=str(path.parent)))]
            )
        return path
