"""Add or change a grid worker (admins): every field with its problem under it.

The form sends its fields to the roster service in a worker and stays open when the service
refuses: a field rule under its field, an Art. 14 refusal (each rule in words) or another
console's change under the fields, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.widgets.select import NoSelection
from textual.worker import Worker, WorkerState

from gridconsole.domain.enums import WorkerRole, WorkerStatus
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.roster import DECLARED_RULES, PART_TIME_CATEGORIES, WORKER_NAME_MAX
from gridconsole.i18n import t
from gridconsole.services.roster_records import WorkerDetail
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import RosterPort

_FLAG_YES = "yes"
_FLAG_NO = "no"


class WorkerFormModal(ActionModal[WorkerDetail]):
    """A new worker (``detail`` None) or a change of ``detail`` (read with full numbers)."""

    class Refused(Message):
        def __init__(self, error: DomainError) -> None:
            super().__init__()
            self.error = error

    class Saved(Message):
        def __init__(self, detail: WorkerDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, roster: RosterPort, detail: WorkerDetail | None) -> None:
        title = t("roster.pane.form_edit_title") if detail else t("roster.pane.form_new_title")
        summary = None
        if detail is not None:
            summary = Content.assemble(
                (f"{detail.row.id}  ", "bold"),
                Content(detail.row.name),
                "  ",
                (t(f"roster.WorkerRole.{detail.row.role.value}"), "italic"),
            )
        super().__init__(title, summary)
        self.roster = roster
        self.detail = detail
        self.submitting = False
        self.refusals: list[DomainError] = []

    # -- fields -----------------------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        detail = self.detail
        row = detail.row if detail else None

        def text_input(name: str, value: str, *, maximum: int, placeholder: str = "") -> Input:
            return Input(
                value=value,
                max_length=maximum,
                restrict=SINGLE_LINE,
                placeholder=placeholder,
                id=f"field-{name}",
                compact=True,
            )

        yield from self.field(
            "name",
            t("roster.pane.field_name"),
            text_input("name", row.name if row else "", maximum=WORKER_NAME_MAX),
        )
        yield from self.field(
            "role",
            t("roster.pane.field_role"),
            Select[str](
                [(t(f"roster.WorkerRole.{role.value}"), role.value) for role in WorkerRole],
                value=row.role.value if row else WorkerRole.full_time.value,
                allow_blank=False,
                id="field-role",
                compact=True,
            ),
        )
        yield from self.field(
            "part_time_category",
            t("roster.pane.field_category"),
            text_input(
                "part_time_category",
                (row.part_time_category or "") if row else "",
                maximum=32,
                placeholder=" / ".join(PART_TIME_CATEGORIES[:3]) + " …",
            ),
        )
        yield from self.field(
            "mobile",
            t("roster.pane.field_mobile"),
            text_input("mobile", detail.mobile if detail else "", maximum=20),
        )
        yield from self.field(
            "id_number",
            t("roster.pane.field_id_number"),
            text_input("id_number", detail.id_number if detail else "", maximum=24),
        )
        yield from self.field(
            "status",
            t("roster.pane.field_status"),
            Select[str](
                [
                    (t(f"roster.WorkerStatus.{status.value}"), status.value)
                    for status in WorkerStatus
                ],
                value=row.status.value if row else WorkerStatus.active.value,
                allow_blank=False,
                id="field-status",
                compact=True,
            ),
        )
        yield from self.field(
            "grids",
            t("roster.pane.field_grids"),
            text_input("grids", " ".join(row.grid_codes) if row else "", maximum=400),
        )
        yield from self.field(
            "head_of",
            t("roster.pane.field_head_of"),
            text_input("head_of", " ".join(row.heads) if row else "", maximum=400),
        )
        declaration = detail.declaration if detail else None
        for rule in DECLARED_RULES:
            answer = None if declaration is None else declaration.answer(rule)
            value: str | NoSelection = Select.NULL
            if answer is not None:
                value = _FLAG_YES if answer else _FLAG_NO
            yield from self.field(
                rule.value,
                t(f"roster.pane.declared_{rule.value}"),
                Select[str](
                    [(t("roster.cli.yes"), _FLAG_YES), (t("roster.cli.no"), _FLAG_NO)],
                    value=value,
                    prompt=t("roster.pane.form_undeclared"),
                    id=f"field-{rule.value}",
                    compact=True,
                ),
            )

    def fields(self) -> dict[str, object]:
        """The typed fields as the service reads them."""
        values: dict[str, object] = {}
        for name in ("name", "part_time_category", "mobile", "id_number", "grids", "head_of"):
            values[name] = self.query_one(f"#field-{name}", Input).value
        for name in ("role", "status"):
            values[name] = self.query_one(f"#field-{name}", Select).value
        for rule in DECLARED_RULES:
            choice = self.query_one(f"#field-{rule.value}", Select).value
            values[rule.value] = None if choice is Select.NULL else choice == _FLAG_YES
        return values

    # -- saving -----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.submitting:
            return
        self.clear_problems()
        self.submitting = True
        self.set_class(True, "-submitting")
        self.run_save(self.fields())

    @work(thread=True, exclusive=True, exit_on_error=False, group="worker-form")
    def run_save(self, values: dict[str, object]) -> None:
        if self.detail is None:
            saved = self.roster.add_worker(values)
        else:
            saved = self.roster.update_worker(self.detail.row.id, self.detail.row.version, values)
        self.post_message(self.Saved(saved))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "worker-form" or event.state is not WorkerState.ERROR:
            return
        self.submitting = False
        self.set_class(False, "-submitting")
        error = event.worker.error
        if isinstance(error, DomainError):
            self.post_message(self.Refused(error))
        elif error is not None:
            self.post_message(OperationFailed(error))

    def on_worker_form_modal_saved(self, message: Saved) -> None:
        self.dismiss(message.detail)

    def on_worker_form_modal_refused(self, message: Refused) -> None:
        self.show_refusal(message.error)

    def show_refusal(self, error: DomainError) -> None:
        self.refusals.append(error)
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
        else:
            self.show_problems([FieldProblem(FORM_ERROR, str(error))])

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """Each problem under its field, the rest (refusals) under the fields as they read."""
        self.clear_problems()
        unplaced: list[str] = []
        for problem in problems:
            found = self.query(f"#error-{problem.field}")
            if found and problem.field != FORM_ERROR:
                self._show_error(found.first(Static), problem.message)
            else:
                unplaced.append(problem.message if problem.field == FORM_ERROR else str(problem))
        if unplaced:
            self._show_error(self.query_one(f"#error-{FORM_ERROR}", Static), "; ".join(unplaced))
