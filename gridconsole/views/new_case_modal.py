"""上报: a new case entered by the dispatcher for a caller, checked before it is saved."""

from __future__ import annotations

from dataclasses import dataclass

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
from gridconsole.domain.errors import DomainError
from gridconsole.domain.validators import PEOPLE_MAX, validate_case_draft
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail, DuplicateCandidate, FilterOptions
from gridconsole.views.duplicate_choice_modal import DuplicateChoice, DuplicateChoiceModal
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
from gridconsole.views.service_form_modal import ServiceFormModal

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


@dataclass(frozen=True)
class NewCaseChoice:
    """The entered fields, and what the operator chose once shown possible duplicates
    (``duplicates_seen`` False: look for them first)."""

    fields: dict[str, str]
    duplicates_seen: bool = False
    merge_into: str | None = None


@dataclass(frozen=True)
class Intake:
    """What a save came to: the case reported (``action`` report, or merge when it was merged
    into the chosen original), or, with no case yet, the possible duplicates to choose from."""

    detail: CaseDetail | None
    action: Action = Action.report
    candidates: tuple[DuplicateCandidate, ...] = ()
    merge_error: str = ""  # the case was reported but the merge was refused: why


def intake(services: ConsoleServices, choice: NewCaseChoice, _version: int) -> Intake:
    """The form's service call (in a worker thread): possible duplicates first, then the
    report (and the merge the operator chose)."""
    fields = choice.fields
    if not choice.duplicates_seen:
        candidates = services.queue.duplicate_candidates(
            grid_code=fields.get("grid") or None,
            category_code=fields["category"],
            text=f"{fields['title']} {fields['description']}",
        )
        if candidates:
            return Intake(None, candidates=candidates)
    detail = services.cases.report(fields)
    if choice.merge_into is None:
        return Intake(detail)
    try:
        merged = services.cases.merge(detail.code, detail.version, into_code=choice.merge_into)
    except DomainError as error:  # the case exists now: the form must not send it again
        return Intake(detail, merge_error=str(error))
    return Intake(merged, Action.merge)


class NewCaseModal(ServiceFormModal[Intake, NewCaseChoice]):
    """Checks the fields with the domain's validation, then looks for possible duplicates and
    reports; it stays open with what was typed when the service refuses (an unknown category,
    an escalation the role may not raise)."""

    def __init__(self, services: ConsoleServices, options: FilterOptions) -> None:
        super().__init__(
            t("form.new_title"),
            None,
            version=0,  # a new case has no version: nothing to re-read
            submit=lambda choice, version: intake(services, choice, version),
            reread=lambda: 0,
        )
        self.services = services
        self.options = options
        self.duplicates_seen = False
        self.merge_into: str | None = None

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

    def read_fields(self) -> NewCaseChoice:
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
        return NewCaseChoice(fields, self.duplicates_seen, self.merge_into)

    def on_service_form_modal_submitted(self, message: ServiceFormModal.Submitted) -> None:
        """Possible duplicates: the form stays and offers them (Textual calls the base class's
        handler after this one unless the default is prevented: it closes the form)."""
        result = message.result
        if isinstance(result, Intake) and result.detail is None:
            message.stop()
            message.prevent_default()
            self._set_submitting(False)
            self.app.push_screen(DuplicateChoiceModal(result.candidates), self._duplicates_chosen)

    def _duplicates_chosen(self, choice: DuplicateChoice | None) -> None:
        """Merge or create anyway: the same fields are sent again with the choice; a cancelled
        choice leaves the form as it was (nothing was written)."""
        if choice is None:
            return
        self.duplicates_seen, self.merge_into = True, choice.merge_into
        self.action_save()

    def show_refusal(self, error: DomainError) -> None:
        # the fields will be corrected: the next save looks for duplicates again
        self.duplicates_seen, self.merge_into = False, None
        super().show_refusal(error)
