"""退单申请: the department says why the case is not its own and on what duty basis (职责依据);
the shift lead decides."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.views.desk_form_modal import DeskFormModal
from gridconsole.views.input_rules import REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class ReturnRequest:
    reason: str
    basis: str


class ReturnRequestModal(DeskFormModal[ReturnRequest]):
    FORM_TITLE = "desk.return_title"

    def desk_fields(self) -> ComposeResult:
        yield from self.field(
            "reason",
            t("desk.return_reason"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="return-reason"),
        )
        yield from self.field(
            "basis",
            t("desk.return_basis"),
            Input(
                max_length=REASON_MAX,
                restrict=SINGLE_LINE,
                placeholder=t("desk.return_basis_placeholder"),
                compact=True,
                id="return-basis",
            ),
        )

    def read_fields(self) -> ReturnRequest:
        problems: list[FieldProblem] = []
        values: dict[str, str] = {}
        for name in ("reason", "basis"):
            try:
                values[name] = validate_reason(
                    self.query_one(f"#return-{name}", Input).value, field=name
                )
            except ValidationFailed as failure:
                problems.extend(failure.problems)
        if problems:
            raise ValidationFailed(problems)
        return ReturnRequest(reason=values["reason"], basis=values["basis"])
