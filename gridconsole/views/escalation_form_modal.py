"""A form on an escalation card that hands its fields to the service itself and stays open when
the service refuses (as the case forms do): :class:`ServiceFormModal` over an escalation."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from gridconsole.services.escalation_records import EscalationCard
from gridconsole.views.service_form_modal import Reread, ServiceFormModal

ChoiceT = TypeVar("ChoiceT")

# Submit the fields against an escalation version; runs in a worker thread.
SubmitEscalation = Callable[[ChoiceT, int], EscalationCard]
# Read the escalation's current version again (after a StaleCase); runs in a worker thread.
RereadVersion = Reread

__all__ = ["EscalationFormModal", "RereadVersion", "SubmitEscalation"]


class EscalationFormModal(ServiceFormModal[EscalationCard, ChoiceT]):
    """Subclasses read their fields in :meth:`read_fields`; the pane gives ``submit``."""

    STALE_AGAIN: ClassVar[str] = "escalation.stale_again"
    NOT_SAVED: ClassVar[str | None] = "escalation.form_not_saved"
    NAME_UNPLACED: ClassVar[bool] = False
