"""A department's form on one of its dispatches (签收, 反馈 and the requests): the dispatch's
summary and, when the centre types it, the on-behalf line above the form's own fields."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult

from gridconsole.i18n import t
from gridconsole.services.dispatch_records import DepartmentWorkRow
from gridconsole.views.case_form_modal import CaseFormModal, Reread, Submit
from gridconsole.views.desk_forms import desk_summary, on_behalf_notice

ChoiceT = TypeVar("ChoiceT")


class DeskFormModal(CaseFormModal[ChoiceT]):
    """Subclasses give the title's i18n key and compose their fields in :meth:`desk_fields`."""

    FORM_TITLE: ClassVar[str]

    def __init__(
        self,
        row: DepartmentWorkRow,
        *,
        on_behalf: bool,
        submit: Submit[ChoiceT],
        reread: Reread,
    ) -> None:
        super().__init__(
            t(self.FORM_TITLE),
            desk_summary(row),
            version=row.case_version,
            submit=submit,
            reread=reread,
        )
        self.row = row
        self.on_behalf = on_behalf

    def compose_fields(self) -> ComposeResult:
        yield from on_behalf_notice(self.on_behalf)
        yield from self.desk_fields()

    def desk_fields(self) -> ComposeResult:
        raise NotImplementedError
