"""受理: confirm or correct the category and the grid of a reported case."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Select

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.i18n import t
from gridconsole.services.records import CaseDetail, FilterOptions
from gridconsole.views.case_form_modal import CaseActionModal, Reread, Submit
from gridconsole.views.formatting import choice_options


@dataclass(frozen=True)
class AcceptChoice:
    category_code: str
    grid_code: str


class AcceptCaseModal(CaseActionModal[AcceptChoice]):
    def __init__(
        self,
        detail: CaseDetail,
        options: FilterOptions,
        *,
        version: int,
        submit: Submit[AcceptChoice],
        reread: Reread,
    ) -> None:
        super().__init__(
            t("form.accept_title"), detail, version=version, submit=submit, reread=reread
        )
        self.options = options

    def compose_fields(self) -> ComposeResult:
        categories = choice_options(self.options.categories)
        grids = choice_options(self.options.grids)
        category_codes = {code for _, code in categories}
        grid_codes = {code for _, code in grids}
        yield from self.field(
            "category",
            t("form.category"),
            Select[str](
                categories,
                value=self.detail.category_code
                if self.detail.category_code in category_codes
                else Select.NULL,
                prompt=t("form.choose"),
                compact=True,
                id="accept-category",
            ),
        )
        yield from self.field(
            "grid",
            t("form.grid"),
            Select[str](
                grids,
                value=self.detail.grid_code if self.detail.grid_code in grid_codes else Select.NULL,
                prompt=t("form.choose"),
                compact=True,
                id="accept-grid",
            ),
        )

    def read_fields(self) -> AcceptChoice:
        category = self.query_one("#accept-category", Select).value
        grid = self.query_one("#accept-grid", Select).value
        if isinstance(category, str) and isinstance(grid, str):
            return AcceptChoice(category_code=category, grid_code=grid)
        problems = [
            FieldProblem(name, t("rule.required"))
            for name, value in (("category", category), ("grid", grid))
            if not isinstance(value, str)
        ]
        raise ValidationFailed(problems)
