"""The shift lead's pending requests as a table, oldest first, keyed by kind and case.

A case has at most one pending request of each kind, so the first column — the kind and the
case code, ``延期 MY-20261129-0001`` — is the row's key. The pane shows the selected request in
full under the table (reason and duty basis are free text longer than any column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text

from gridconsole.domain.enums import RequestKind
from gridconsole.i18n import t
from gridconsole.services.dispatch_records import RequestRow
from gridconsole.views.formatting import cell, local_time, safe
from gridconsole.views.keyed_case_table import KeyedCaseTable
from gridconsole.views.table_layout import TableColumn, TableLayout

TIME = "%m-%d %H:%M"
CASE_CODE_WIDTH = 16


def approvals_layout() -> TableLayout:
    """The columns, the first as wide as the longest kind in the operator's language plus a
    case code (``延期 MY-20261129-0001``, ``suspension MY-20261129-0001``)."""
    kind_width = max(cell_len(t(f"request_kind.{kind.value}")) for kind in RequestKind)
    return TableLayout(
        (
            TableColumn("code", "approvals.column_request", kind_width + 1 + CASE_CODE_WIDTH),
            TableColumn("title", "approvals.column_title", 0),
            TableColumn("department", "approvals.column_department", 12),
            TableColumn("requester", "approvals.column_requester", 11),
            TableColumn("requested", "approvals.column_requested", 11),
            TableColumn("reason", "approvals.column_reason", 10),
            TableColumn("asked", "approvals.column_asked", 23),
        ),
        narrow_keys=frozenset({"code", "title", "asked"}),
        min_flexible=10,
    )


def request_key(request: RequestRow) -> str:
    """The row key and first cell: ``延期 MY-20261129-0001``."""
    return f"{t(f'request_kind.{request.kind.value}')} {request.case_code}"


@dataclass(frozen=True)
class ApprovalLine:
    """A pending request under its table key."""

    request: RequestRow

    @property
    def code(self) -> str:
        return request_key(self.request)


def asked_text(request: RequestRow, zone: ZoneInfo) -> str:
    """What the department asks: ``12-03 17:30←12-02 17:30`` (the new deadline and the
    running one), ``恢复 2026-12-07`` (the planned resume day), or the duty basis of a return."""
    if request.kind is RequestKind.extension:
        return t(
            "approvals.asked_extension",
            new_due=local_time(request.new_due_at, zone, TIME) or "-",
            due=local_time(request.current_due_at, zone, TIME) or "-",
        )
    if request.kind is RequestKind.suspension:
        day = request.resume_planned_on.isoformat() if request.resume_planned_on else "-"
        return t("approvals.asked_suspension", day=day)
    return t("approvals.asked_return", basis=safe(request.basis))


def requester_text(request: RequestRow) -> str:
    name = safe(request.requested_by_name)
    return t("approvals.on_behalf_of", name=name) if request.on_behalf else name


class ApprovalsTable(KeyedCaseTable[ApprovalLine]):
    """Requests waiting for the shift lead, oldest first."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"approvals-table--kind"}

    def __init__(self, zone: ZoneInfo, *, id: str | None = None) -> None:
        self.LAYOUT = approvals_layout()  # the locale is known by now (not at import)
        super().__init__(zone, id=id)

    def show_requests(self, requests: tuple[RequestRow, ...]) -> None:
        """Show ``requests`` in order by key; the cursor stays on its request."""
        self.sync_rows(tuple(ApprovalLine(request) for request in requests))

    @property
    def selected_request(self) -> RequestRow | None:
        line = self.selected_row
        return line.request if line is not None else None

    def _cells(self, line: ApprovalLine) -> list[Text]:
        request = line.request
        code = cell(line.code)
        kind_style = self.get_component_rich_style("approvals-table--kind", partial=True)
        code.stylize(kind_style, 0, len(t(f"request_kind.{request.kind.value}")))
        department = request.department.name if request.department else ""
        values: dict[str, Text] = {
            "code": code,
            "title": cell(request.case_title, self.title_width),
            "department": cell(department, 12),
            "requester": cell(requester_text(request), 11),
            "requested": cell(local_time(request.requested_at, self.zone, TIME)),
            "reason": cell(request.reason, 10),
            "asked": cell(asked_text(request, self.zone), 23),
        }
        return [values[column.key] for column in self.columns_shown]
