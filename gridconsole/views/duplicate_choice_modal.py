"""Possible duplicates of a case being entered: merge into one of them, or create anyway."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from gridconsole.i18n import t
from gridconsole.services.records import DuplicateCandidate
from gridconsole.views.formatting import safe


@dataclass(frozen=True)
class DuplicateChoice:
    """``merge_into`` the chosen case's code, or None to create the case anyway."""

    merge_into: str | None


class DuplicateChoiceModal(ModalScreen[DuplicateChoice | None]):
    BINDINGS = [  # noqa: RUF012
        Binding("m", "merge_into", t("form.key_merge_into"), id="duplicate-merge"),
        Binding("c", "create_anyway", t("form.key_create_anyway"), id="duplicate-create"),
        Binding("escape", "cancel", t("form.key_cancel"), id="modal-cancel"),
    ]

    def __init__(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        super().__init__(classes="action-modal")
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame"):
            yield Static(Content(t("form.duplicates_title")), classes="modal-title")
            yield Static(Content(t("form.duplicates_hint")), classes="modal-summary")
            yield OptionList(
                *(
                    Option(self._prompt(candidate), id=candidate.code)
                    for candidate in self.candidates
                ),
                id="duplicate-list",
            )
            with Horizontal(classes="modal-buttons"):
                yield Button(
                    Content(t("form.merge_into_selected")),
                    variant="primary",
                    id="duplicate-merge",
                    compact=True,
                )
                yield Button(Content(t("form.create_anyway")), id="duplicate-create", compact=True)
                yield Button(Content(t("form.cancel")), id="duplicate-cancel", compact=True)

    @staticmethod
    def _prompt(candidate: DuplicateCandidate) -> Text:
        return Text.assemble(
            (candidate.code, "bold"),
            "  ",
            t(f"state.{candidate.state.value}"),
            "  ",
            f"{candidate.similarity:.0%}",
            "  ",
            safe(candidate.title),
        )

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = 0
        option_list.focus()

    def action_merge_into(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None:
            return
        code = option_list.get_option_at_index(option_list.highlighted).id
        self.dismiss(DuplicateChoice(merge_into=code))

    def action_create_anyway(self) -> None:
        self.dismiss(DuplicateChoice(merge_into=None))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _option_selected(self) -> None:
        self.action_merge_into()

    @on(Button.Pressed, "#duplicate-merge")
    def _merge_pressed(self) -> None:
        self.action_merge_into()

    @on(Button.Pressed, "#duplicate-create")
    def _create_pressed(self) -> None:
        self.action_create_anyway()

    @on(Button.Pressed, "#duplicate-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
