"""Revealing masked personal data (Art. 17, PIPL): the permission, a reason, one audit entry.

A reveal returns the values the operator's role may see, for the one view that asked; nothing is
kept. The audit entry (``privacy.reveal``) is written in the same transaction as the read, so a
value is never shown without its record: it names the case or worker, the fields and the reason.
"""

from __future__ import annotations

from gridconsole.domain import permissions
from gridconsole.domain.enums import PersonalField
from gridconsole.domain.errors import NotFound, PermissionDenied
from gridconsole.domain.validators import validate_reason
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.lookups import case_by_code
from gridconsole.services.privacy_records import Revealed
from gridconsole.store.models import GridWorker

CASE_FIELDS = (PersonalField.reporter_phone, PersonalField.reporter_name)
WORKER_FIELDS = (PersonalField.worker_mobile, PersonalField.worker_id_number)


class PrivacyService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def case_fields(self) -> tuple[PersonalField, ...]:
        """The case fields this operator may reveal (none: the key is not offered)."""
        role = self.context.actor.role
        return tuple(field for field in CASE_FIELDS if permissions.may_reveal(role, field))

    def worker_fields(self) -> tuple[PersonalField, ...]:
        role = self.context.actor.role
        return tuple(field for field in WORKER_FIELDS if permissions.may_reveal(role, field))

    def _require_any(self, fields: tuple[PersonalField, ...], wanted: PersonalField) -> None:
        if not fields:
            actor = self.context.actor
            permissions.require_reveal(actor.role, wanted, operator=actor.display_name)

    def reveal_case(self, code: str, *, reason: str) -> Revealed:
        """The reporter's phone (and name) of case ``code``, recorded with ``reason``."""
        fields = self.case_fields()
        self._require_any(fields, PersonalField.reporter_phone)
        cleaned = validate_reason(reason)
        with self.context.db.write() as session:
            case = case_by_code(session, code)
            stored = {
                PersonalField.reporter_phone: case.reporter_phone or "",
                PersonalField.reporter_name: case.reporter_name or "",
            }
            values = {field: stored[field] for field in fields}
            subject = f"case:{case.code}"
            record_audit(
                session,
                self.context,
                "privacy.reveal",
                case_id=case.id,
                subject=subject,
                detail={"fields": [field.value for field in fields], "reason": cleaned},
            )
            return Revealed(subject, values)

    def reveal_worker(self, worker_id: int, *, reason: str) -> Revealed:
        """A grid worker's mobile (and ID number, for admins), recorded with ``reason``."""
        fields = self.worker_fields()
        self._require_any(fields, PersonalField.worker_mobile)
        cleaned = validate_reason(reason)
        with self.context.db.write() as session:
            worker = session.get(GridWorker, worker_id)
            if worker is None:
                raise NotFound("worker", worker_id)
            stored = {
                PersonalField.worker_mobile: worker.mobile or "",
                PersonalField.worker_id_number: worker.id_number or "",
            }
            values = {field: stored[field] for field in fields}
            subject = f"worker:{worker_id}"
            record_audit(
                session,
                self.context,
                "privacy.reveal",
                subject=subject,
                detail={"fields": [field.value for field in fields], "reason": cleaned},
            )
            return Revealed(subject, values)


__all__ = ["CASE_FIELDS", "WORKER_FIELDS", "PermissionDenied", "PrivacyService", "Revealed"]
