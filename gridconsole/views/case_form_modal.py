"""A case form that hands its fields to a service itself and stays open when it refuses (the
department's requests, the shift lead's decisions): :class:`ServiceFormModal` over a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gridconsole.services.records import CaseDetail
from gridconsole.views.service_form_modal import Reread, ServiceFormModal

ChoiceT = TypeVar("ChoiceT")

# Submit the fields against a case version; runs in a worker thread.
Submit = Callable[[ChoiceT, int], CaseDetail]

__all__ = ["CaseFormModal", "Reread", "Submit"]


class CaseFormModal(ServiceFormModal[CaseDetail, ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""
