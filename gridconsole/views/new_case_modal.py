"""上报: a new case entered by the dispatcher for a caller, checked before it is saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select

from gridconsole.domain.enums import CaseSource, Priority
from gridconsole.domain.validators import validate_case_draft
from gridconsole.i18n import t
from gridconsole.services.records import FilterOptions
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.formatting import choice_options
from gridconsole.views.input_rules import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    PHONE_MAX,
    SINGLE_LINE,
    TITLE_MAX,
)
from gridconsole.views.ports import ConsoleServices

# (field name as the validator names it, label key, maximum length)
TEXT_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("title", "form.title", TITLE_MAX),
    ("description", "form.description", DESCRIPTION_MAX),
    ("address", "form.address", ADDRESS_MAX),
    ("reporter_name", "form.reporter_name", NAME_MAX),
    ("reporter_phone", "form.reporter_phone", PHONE_MAX),
)
SELECT_FIELDS = ("category", "grid", "source", "priority")


class NewCaseModal(ActionModal[dict[str, str]]):
    """Returns the entered fields once they pass the domain's validation (nothing is written
    here: the queue checks for duplicates, then reports)."""

    def __init__(self, services: ConsoleServices, options: FilterOptions) -> None:
        super().__init__(t("form.new_title"))
        self.services = services
        self.options = options

    def compose_fields(self) -> ComposeResult:
        title, description, address, reporter_name, reporter_phone = (
            self._text_input(name, maximum) for name, _, maximum in TEXT_FIELDS
        )
        labels = {name: t(label) for name, label, _ in TEXT_FIELDS}
        yield from self.field("title", labels["title"], title)
        yield from self.field("description", labels["description"], description)
        yield from self.field(
            "category",
            t("form.category"),
            Select[str](
                choice_options(self.options.categories),
                prompt=t("form.choose"),
                compact=True,
                id="new-category",
            ),
        )
        yield from self.field(
            "grid",
            t("form.grid"),
            Select[str](
                choice_options(self.options.grids),
                prompt=t("form.choose"),
                compact=True,
                id="new-grid",
            ),
        )
        yield from self.field(
            "source",
            t("form.source"),
            Select[str](
                [(t(f"source.{source.value}"), source.value) for source in CaseSource],
                value=CaseSource.phone.value,
                allow_blank=False,
                compact=True,
                id="new-source",
            ),
        )
        yield from self.field(
            "priority",
            t("form.priority"),
            Select[str](
                [(t(f"priority.{priority.name}"), priority.name) for priority in Priority],
                value=Priority.normal.name,
                allow_blank=False,
                compact=True,
                id="new-priority",
            ),
        )
        yield from self.field("address", labels["address"], address)
        yield from self.field("reporter_name", labels["reporter_name"], reporter_name)
        yield from self.field("reporter_phone", labels["reporter_phone"], reporter_phone)

    @staticmethod
    def _text_input(name: str, maximum: int) -> Input:
        return Input(max_length=maximum, restrict=SINGLE_LINE, compact=True, id=f"new-{name}")

    def collect(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for name, _, _ in TEXT_FIELDS:
            fields[name] = self.query_one(f"#new-{name}", Input).value
        for name in SELECT_FIELDS:
            value = self.query_one(f"#new-{name}", Select).value
            fields[name] = value if isinstance(value, str) else ""
        validate_case_draft(fields, now=self.services.context.now())
        return fields
