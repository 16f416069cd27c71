"""派遣 / 改派: the lead department (主办), assisting ones (协办), an instruction, and for the
shift lead a reason to override the routing rules; the deadlines it would set are previewed.

One case is dispatched with ``dispatch``, several (the marked rows) with ``dispatch_many``, each
in its own transaction. A refusal the form can correct (the department does not handle the
category, is inactive, or returned the case) stays in the form at the department; the others
close it with the reason for every case, so the pane keeps their rows and marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, SelectionList, Static
from textual.worker import Worker, WorkerState

from gridconsole.domain.enums import CaseState
from gridconsole.domain.errors import DomainError, FieldProblem, RuleRefused, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentRef, DispatchOutcome, DispatchPreview
from gridconsole.services.records import CaseRow
from gridconsole.views.dispatch_form_modal import SubmittingModal
from gridconsole.views.dispatch_table import state_label
from gridconsole.views.formatting import local_time, safe
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE
from gridconsole.views.ports import DispatchPort

# refusals a shift lead may override with a reason (the rest are corrected at the department)
OVERRIDABLE_RULES = frozenset({"department_inactive", "department_not_handling"})
# codes named in the summary of a bulk dispatch before "…"
SUMMARY_CODES = 3
PREVIEW_GROUP = "dispatch-preview"


@dataclass(frozen=True)
class DispatchRequest:
    lead: str
    assists: tuple[str, ...]
    instruction: str
    override_reason: str


@dataclass(frozen=True)
class DispatchResult:
    """Every case of the form: dispatched (``detail``) or refused (``error``)."""

    outcomes: tuple[DispatchOutcome, ...]
    lead_name: str


def dispatch_summary(targets: tuple[CaseRow, ...]) -> Content:
    """One case: ``CODE  title  state``; several: how many, and the first codes."""
    if len(targets) == 1:
        row = targets[0]
        return Content.assemble(
            (row.code, "bold"),
            "  ",
            safe(row.title),
            "  ",
            (state_label(row.state), "italic"),
            "  ",
            safe(row.category_name),
        )
    codes = "、".join(row.code for row in targets[:SUMMARY_CODES])
    if len(targets) > SUMMARY_CODES:
        codes += "…"
    return Content(t("dispatch.form_summary_many", count=len(targets), codes=codes))


def dispatch_title(targets: tuple[CaseRow, ...]) -> str:
    returned = sum(1 for row in targets if row.state is CaseState.returned)
    if returned == len(targets):
        return t("dispatch.form_title_redispatch")
    if returned:
        return t("dispatch.form_title_mixed", returned=returned)
    return t("dispatch.form_title")


class DispatchModal(SubmittingModal[DispatchRequest, DispatchResult]):
    """The dispatch form for ``targets`` (the marked rows, or the cursor row)."""

    class PreviewRead(Message):
        def __init__(self, lead: str, preview: DispatchPreview) -> None:
            super().__init__()
            self.lead = lead
            self.preview = preview

    def __init__(
        self,
        dispatch: DispatchPort,
        targets: tuple[CaseRow, ...],
        departments: tuple[DepartmentRef, ...],
        *,
        suggested_lead: str | None,
        may_override: bool,
        zone: ZoneInfo,
    ) -> None:
        super().__init__(dispatch_title(targets), dispatch_summary(targets))
        self.dispatch = dispatch
        self.targets = targets
        self.departments = departments
        self.names = {department.code: department.name for department in departments}
        self.suggested_lead = suggested_lead if suggested_lead in self.names else None
        self.may_override = may_override
        self.zone = zone
        self.preview: DispatchPreview | None = None

    # -- fields -----------------------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "lead",
            t("dispatch.form_lead"),
            Select[str](
                [(safe(department.name), department.code) for department in self.departments],
                value=self.suggested_lead or Select.NULL,
                prompt=t("form.choose"),
                compact=True,
                id="dispatch-lead",
            ),
        )
        yield from self.tall_field(
            "assists",
            t("dispatch.form_assists"),
            SelectionList[str](
                *self._assist_options(self.suggested_lead, ()), compact=True, id="dispatch-assists"
            ),
        )
        yield from self.field(
            "instruction",
            t("dispatch.form_instruction"),
            Input(
                max_length=REASON_MAX,
                restrict=SINGLE_LINE,
                compact=True,
                placeholder=t("dispatch.form_instruction_hint"),
                id="dispatch-instruction",
            ),
        )
        if self.may_override:
            yield from self.field(
                "override",
                t("dispatch.form_override"),
                Input(
                    max_length=REASON_MAX,
                    restrict=SINGLE_LINE,
                    compact=True,
                    placeholder=t("dispatch.form_override_hint"),
                    id="dispatch-override",
                ),
            )
        yield Static(self._preview_text(), id="dispatch-preview")

    def _assist_options(
        self, lead: str | None, chosen: tuple[str, ...]
    ) -> list[tuple[str, str, bool]]:
        return [
            (safe(department.name), department.code, department.code in chosen)
            for department in self.departments
            if department.code != lead
        ]

    def on_mount(self) -> None:
        if self.suggested_lead is not None:
            self.read_preview(self.suggested_lead)

    @property
    def lead(self) -> str | None:
        value = self.query_one("#dispatch-lead", Select).value
        return value if isinstance(value, str) else None

    @property
    def assists(self) -> SelectionList[str]:
        return self.query_one("#dispatch-assists", SelectionList)

    @on(Select.Changed, "#dispatch-lead")
    def _lead_changed(self, event: Select.Changed) -> None:
        event.stop()
        lead = self.lead
        chosen = tuple(code for code in self.assists.selected if code != lead)
        self.assists.clear_options()
        self.assists.add_options(self._assist_options(lead, chosen))
        self.preview = None
        self._show_preview()
        if lead is not None:
            self.read_preview(lead)

    # -- the preview ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=PREVIEW_GROUP)
    def read_preview(self, lead: str) -> None:
        self.post_message(self.PreviewRead(lead, self.dispatch.preview(self.targets[0].code, lead)))

    def on_dispatch_modal_preview_read(self, message: PreviewRead) -> None:
        if message.lead == self.lead:
            self.preview = message.preview
            self._show_preview()

    def _show_preview(self, error: str = "") -> None:
        self.query_one("#dispatch-preview", Static).update(self._preview_text(error))

    def _preview_text(self, error: str = "") -> Content:
        if error:
            return Content(t("dispatch.preview_failed", error=error))
        preview = self.preview
        if preview is None:
            text = t("dispatch.preview_pending")
        else:
            text = t(
                "dispatch.preview",
                sign=local_time(preview.sign_due_at, self.zone, "%m-%d %H:%M"),
                handle=local_time(preview.handle_due_at, self.zone, "%m-%d %H:%M"),
            )
            if preview.provisional:
                text += t("dispatch.preview_provisional")
        if len(self.targets) > 1:
            text += t("dispatch.preview_many", count=len(self.targets))
        return Content(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == PREVIEW_GROUP:
            if event.state is WorkerState.ERROR and event.worker.error is not None:
                error = event.worker.error
                text = str(error) if isinstance(error, DomainError) else type(error).__name__
                self._show_preview(safe(text))
            return
        super().on_worker_state_changed(event)

    # -- saving -----------------------------------------------------------------------------------

    def collect_request(self) -> DispatchRequest:
        problems: list[FieldProblem] = []
        lead = self.lead
        if lead is None:
            problems.append(FieldProblem("lead", t("rule.required")))
        instruction = override = ""
        try:
            instruction = validate_reason(
                self.query_one("#dispatch-instruction", Input).value,
                field="instruction",
                required=False,
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
        if self.may_override:
            try:
                override = validate_reason(
                    self.query_one("#dispatch-override", Input).value,
                    field="override",
                    required=False,
                )
            except ValidationFailed as failure:
                problems.extend(failure.problems)
        if problems or lead is None:
            raise ValidationFailed(problems)
        assists = tuple(code for code in self.assists.selected if code != lead)
        return DispatchRequest(lead, assists, instruction, override)

    def submit(self, request: DispatchRequest) -> DispatchResult:
        lead_name = self.names.get(request.lead, request.lead)
        if len(self.targets) == 1:
            row = self.targets[0]
            detail = self.dispatch.dispatch(
                row.code,
                row.version,
                lead=request.lead,
                assists=request.assists,
                instruction=request.instruction,
                override_reason=request.override_reason,
            )
            return DispatchResult((DispatchOutcome(row.code, detail),), lead_name)
        outcomes = self.dispatch.dispatch_many(
            [(row.code, row.version) for row in self.targets],
            lead=request.lead,
            assists=request.assists,
            instruction=request.instruction,
            override_reason=request.override_reason,
        )
        return DispatchResult(outcomes, lead_name)

    def refused(self, request: DispatchRequest, error: DomainError) -> DispatchResult:
        return DispatchResult(
            tuple(DispatchOutcome(row.code, None, str(error)) for row in self.targets),
            self.names.get(request.lead, request.lead),
        )

    def field_for(self, error: DomainError) -> str | None:
        """A department refused: stay open at the department (for a shift lead, at the
        override reason when a reason may overrule it)."""
        if not isinstance(error, RuleRefused):
            return None
        if self.may_override and error.rule in OVERRIDABLE_RULES:
            return "override"
        return "lead"
