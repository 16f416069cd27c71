"""The statistics pane's forms: a custom period (first and last day) and where to write the
report (the suffix chooses the format: .xlsx, .csv per sheet, .json)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input

from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.periods import MAX_PERIOD_DAYS
from gridconsole.i18n import t
from gridconsole.views.action_modal import ActionModal
from gridconsole.views.input_rules import SINGLE_LINE

PATH_MAX = 400


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            [FieldProblem(field, t("statistics.error.bad_date", value=text))]
        ) from None


class PeriodModal(ActionModal[tuple[date, date]]):
    """自定义: the first and last local day of the period (at most a year)."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__(
            t("statistics.pane.period_title"),
            Content(t("statistics.pane.period_hint", days=MAX_PERIOD_DAYS)),
        )
        self.first, self.last = first, last

    def compose_fields(self) -> ComposeResult:
        for name, value in (("first", self.first), ("last", self.last)):
            yield from self.field(
                name,
                t(f"statistics.pane.field_{name}"),
                Input(
                    value=value.isoformat(),
                    max_length=10,
                    restrict=r"[0-9-]*",
                    id=f"period-{name}",
                    compact=True,
                ),
            )

    def collect(self) -> tuple[date, date]:
        problems: list[FieldProblem] = []
        days: list[date] = []
        for name in ("first", "last"):
            try:
                days.append(_day(self.query_one(f"#period-{name}", Input).value, name))
            except ValidationFailed as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationFailed(problems)
        first, last = days
        if last < first:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "last",
                        t(
                            "statistics.error.reversed",
                            first=first.isoformat(),
                            last=last.isoformat(),
                        ),
                    )
                ]
            )
        if (last - first).days >= MAX_PERIOD_DAYS:
            raise ValidationFailed(
                [FieldProblem("last", t("statistics.error.too_long", days=MAX_PERIOD_DAYS))]
            )
        return first, last


class ExportModal(ActionModal[Path]):
    """Where to write the report of the period shown."""

    def __init__(self, default_name: str) -> None:
        super().__init__(
            t("statistics.pane.export_title"), Content(t("statistics.pane.export_hint"))
        )
        self.default_name = default_name

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "path",
            t("statistics.pane.field_path"),
            Input(
                value=self.default_name,
                max_length=PATH_MAX,
                restrict=SINGLE_LINE,
                id="export-path",
                compact=True,
            ),
        )

    def collect(self) -> Path:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            raise ValidationFailed([FieldProblem("path", t("rule.required"))])
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            raise ValidationFailed(
                [FieldProblem("path", t("statistics.pane.no_such_folder", folder=str(path.parent)))]
            )
        return path
