"""A case form that hands its fields to a service itself and stays open when it refuses (the
queue's intake actions, the department's requests, the shift lead's decisions):
:class:`ServiceFormModal` over a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gridconsole.services.records import CaseDetail
from gridconsole.views.action_modal import case_summary
from gridconsole.views.ports import QueuePort
from gridconsole.views.service_form_modal import Reread, ServiceFormModal

ChoiceT = TypeVar("ChoiceT")

# Submit the fields against a case version; runs in a worker thread.
Submit = Callable[[ChoiceT, int], CaseDetail]

__all__ = ["CaseActionModal", "CaseFormModal", "Reread", "Submit", "reread_case"]


def reread_case(queue: QueuePort, code: str) -> Reread:
    """The case's current version, read again after a stale save (every case form's re-read)."""
    return lambda: queue.detail(code).version


class CaseFormModal(ServiceFormModal[CaseDetail, ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""


class CaseActionModal(CaseFormModal[ChoiceT]):
    """A form on a case the console has read: its code, title and state above the fields."""

    def __init__(
        self,
        title: str,
        detail: CaseDetail,
        *,
        version: int,
        submit: Submit[ChoiceT],
        reread: Reread,
    ) -> None:
        super().__init__(title, case_summary(detail), version=version, submit=submit, reread=reread)
        self.detail = detail
