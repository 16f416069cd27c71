"""上报: a new case entered by the dispatcher for a caller, checked before it is saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from gridconsole.domain import permissions
from gridconsole.domain.enums import (
    Action,
    CaseSource,
    EscalationKind,
    EscalationSource,
    Priority,
    Severity,
)
from gridconsole.domain.validators import PEOPLE_MAX, validate_case_draft
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail, FilterOptions
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
# Art. 30: the people involved (a category's rule may propose escalating), and an escalation
# raised with the report (kind and severity; the reason defaults to the title)
ESCALATION_FIELDS = ("escalation_kind", "severity")
PEOPLE_DIGITS = len(str(PEOPLE_MAX))


def intake_escalation(detail: CaseDetail) -> EscalationSource | None:
    """How the new case went onto the escalation board with its report, if it did (raised at
    intake, or proposed by its category's rule: 待确认 for the shift lead)."""
    for event in detail.events:
        if event.action is Action.escalate:
            try:
                return EscalationSource(str(event.detail.get("source", "")))
            except ValueError:
                return None
    return None


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
        yield from self.field(
            "people_involved",
            t("form.people_involved"),
            Input(
                max_length=PEOPLE_DIGITS,
                restrict=r"[0-9]*",
                placeholder=t("form.people_involved_hint"),
                compact=True,
                id="new-people_involved",
            ),
        )
        if permissions.allowed(self.services.context.actor.role, Action.escalate):
            kinds = Select[str](
                [(t(f"escalation_kind.{kind.value}"), kind.value) for kind in EscalationKind],
                prompt=t("form.no_escalation"),
                compact=True,
                id="new-escalation_kind",
            )
            severities = Select[str](
                [(t(f"severity.{severity.value}"), severity.value) for severity in Severity],
                prompt=t("form.severity"),
                compact=True,
                id="new-severity",
            )
            yield from self.field(
                "escalation_kind", t("form.escalate"), Horizontal(kinds, severities)
            )
            yield Static(classes="field-error", id="error-severity")

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
        fields["people_involved"] = self.query_one("#new-people_involved", Input).value
        for name in ESCALATION_FIELDS:
            found = self.query(f"#new-{name}")
            value = found.first(Select).value if found else None
            fields[name] = value if isinstance(value, str) else ""
        validate_case_draft(fields, now=self.services.context.now())
        return fields
