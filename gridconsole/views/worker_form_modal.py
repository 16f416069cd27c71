"""Add or change a grid worker (admins): every field with its problem under it.

The form sends its fields to the roster service in a worker and stays open when the service
refuses: a field rule under its field, an Art. 14 refusal (each rule in words) or another
console's change under the fields, with what was typed kept.

A change never holds the worker's full mobile or ID number unless the admin reveals them (Art. 17):
the two fields open empty, the masked number as their placeholder, and left empty they keep the
stored number (the service reads it in the change's transaction). Typing replaces it. ``Ctrl+R``
(or ``v`` off a text field) asks for a reason and reveals both into the fields through the
privacy service, which records the reveal; a revealed field emptied clears the number.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.widgets.select import NoSelection
from textual.worker import Worker, WorkerState

from gridconsole.domain.enums import PersonalField, WorkerRole, WorkerStatus
from gridconsole.domain.errors import DomainError, FieldProblem, ValidationFailed
from gridconsole.domain.roster import DECLARED_RULES, PART_TIME_CATEGORIES, WORKER_NAME_MAX
from gridconsole.i18n import t
from gridconsole.services.privacy_records import Revealed
from gridconsole.services.roster_records import WorkerDetail
from gridconsole.views.action_modal import FORM_ERROR, ActionModal
from gridconsole.views.formatting import safe
from gridconsole.views.input_rules import SINGLE_LINE
from gridconsole.views.messages import OperationFailed
from gridconsole.views.ports import PrivacyPort, RosterPort
from gridconsole.views.reveal_modal import RevealModal

_FLAG_YES = "yes"
_FLAG_NO = "no"
# the form's number fields and what a reveal calls them
NUMBER_FIELDS: dict[str, PersonalField] = {
    "mobile": PersonalField.worker_mobile,
    "id_number": PersonalField.worker_id_number,
}


class WorkerFormModal(ActionModal[WorkerDetail]):
    """A new worker (``detail`` None) or a change of ``detail`` (its numbers masked; ``privacy``
    reveals them, when the operator may)."""

    BINDINGS = [  # noqa: RUF012
        # v is typed into a text field: Ctrl+R reveals from any field
        Binding("ctrl+r,v", "reveal_numbers", t("privacy.key_reveal"), id="form-reveal-numbers"),
    ]

    class Refused(Message):
        def __init__(self, error: DomainError) -> None:
            super().__init__()
            self.error = error

    class Saved(Message):
        def __init__(self, detail: WorkerDetail) -> None:
            super().__init__()
            self.detail = detail

    class NumbersRevealed(Message):
        def __init__(self, revealed: Revealed) -> None:
            super().__init__()
            self.revealed = revealed

    def __init__(
        self, roster: RosterPort, detail: WorkerDetail | None, privacy: PrivacyPort | None = None
    ) -> None:
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
        self.privacy = privacy
        self.detail = detail
        self.submitting = False
        self.refusals: list[DomainError] = []
        # field name → the full number the admin revealed into it (nothing before a reveal)
        self.revealed: dict[str, str] = {}

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
            text_input(
                "mobile", "", maximum=20, placeholder=_kept(detail.mobile if detail else None)
            ),
        )
        yield from self.field(
            "id_number",
            t("roster.pane.field_id_number"),
            text_input(
                "id_number",
                "",
                maximum=24,
                placeholder=_kept(detail.id_number if detail else None),
            ),
        )
        if detail is not None:
            hint = (
                "roster.pane.numbers_hint_reveal" if self.may_reveal else "roster.pane.numbers_hint"
            )
            yield Static(Content(t(hint)), classes="field-hint", id="numbers-hint")
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
        """The typed fields as the service reads them; a number not given is None (kept)."""
        values: dict[str, object] = {}
        for name in ("name", "part_time_category", "mobile", "id_number", "grids", "head_of"):
            values[name] = self.query_one(f"#field-{name}", Input).value
        if self.detail is not None:
            for name in NUMBER_FIELDS:
                typed = str(values[name])
                shown = self.revealed.get(name)
                if shown is None:
                    values[name] = typed or None  # empty, never revealed: the stored number
                elif typed == shown:
                    values[name] = None  # revealed and left as it was
        for name in ("role", "status"):
            values[name] = self.query_one(f"#field-{name}", Select).value
        for rule in DECLARED_RULES:
            choice = self.query_one(f"#field-{rule.value}", Select).value
            values[rule.value] = None if choice is Select.NULL else choice == _FLAG_YES
        return values

    # -- revealing the numbers ---------------------------------------------------------------------

    @property
    def may_reveal(self) -> bool:
        return (
            self.detail is not None
            and self.privacy is not None
            and bool(self.privacy.worker_fields())
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_numbers":  # a change, by a role that may, once
            return self.may_reveal and not self.revealed
        return True

    def action_reveal_numbers(self) -> None:
        detail = self.detail
        if detail is None or not self.may_reveal or self.revealed:
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.run_reveal(detail.row.id, reason)

        summary = Content.assemble(
            (safe(detail.row.name), "bold"),
            "  ",
            detail.mobile or "-",
            "  ",
            detail.id_number or "-",
        )
        self.app.push_screen(RevealModal(summary), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="worker-form-reveal")
    def run_reveal(self, worker_id: int, reason: str) -> None:
        assert self.privacy is not None
        self.post_message(
            self.NumbersRevealed(self.privacy.reveal_worker(worker_id, reason=reason))
        )

    def on_worker_form_modal_numbers_revealed(self, message: NumbersRevealed) -> None:
        """The full numbers into their fields, where nothing was typed (what was typed stays)."""
        for name, field in NUMBER_FIELDS.items():
            if field not in message.revealed.values:
                continue
            value = message.revealed.values[field]
            self.revealed[name] = value
            target = self.query_one(f"#field-{name}", Input)
            target.placeholder = t("roster.pane.number_clears")
            if not target.value:
                target.value = value
        self.query_one("#numbers-hint", Static).update(Content(t("roster.pane.numbers_revealed")))
        self.refresh_bindings()

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
        group = event.worker.group
        if (
            group not in ("worker-form", "worker-form-reveal")
            or event.state is not WorkerState.ERROR
        ):
            return
        if group == "worker-form":
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


def _kept(masked: str | None) -> str:
    """A number field's placeholder: what stays when it is left empty (nothing for a new worker)."""
    if masked is None:
        return ""
    if not masked:
        return t("roster.pane.number_none")
    return t("roster.pane.number_kept", masked=masked)
