"""Merge a duplicate into the original case, named by its code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input

from gridconsole.domain.codes import is_case_code
from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.validators import validate_reason
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail
from gridconsole.views.case_form_modal import CaseActionModal, Reread, Submit
from gridconsole.views.input_rules import CASE_CODE_MAX, REASON_MAX, SINGLE_LINE


@dataclass(frozen=True)
class MergeChoice:
    into_code: str
    note: str


class MergeCaseModal(CaseActionModal[MergeChoice]):
    # the service's refusals about the case named are shown at the field that names it
    RULE_FIELDS: ClassVar[Mapping[str, str]] = {
        "merge_self": "into",
        "merge_target_closed": "into",
    }

    def __init__(
        self,
        detail: CaseDetail,
        *,
        version: int,
        submit: Submit[MergeChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("form.merge_title"), detail, version=version, submit=submit, reread=reread
        )

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "into",
            t("form.merge_into"),
            Input(
                placeholder=t("form.merge_into_placeholder"),
                max_length=CASE_CODE_MAX,
                restrict=r"[A-Za-z0-9-]*",
                compact=True,
                id="merge-into",
            ),
        )
        yield from self.field(
            "note",
            t("form.note_optional"),
            Input(max_length=REASON_MAX, restrict=SINGLE_LINE, compact=True, id="merge-note"),
        )

    def read_fields(self) -> MergeChoice:
        into_code = self.query_one("#merge-into", Input).value.strip().upper()
        problems: list[FieldProblem] = []
        if not into_code:
            problems.append(FieldProblem("into", t("rule.required")))
        elif not is_case_code(into_code):
            problems.append(FieldProblem("into", t("form.not_a_case_code", value=into_code)))
        elif into_code == self.detail.code:
            problems.append(FieldProblem("into", t("rule.merge_self")))
        try:
            note = validate_reason(
                self.query_one("#merge-note", Input).value, field="note", required=False
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            note = ""
        if problems:
            raise ValidationFailed(problems)
        return MergeChoice(into_code=into_code, note=note)
