"""Who may do what: the one permission matrix, enforced by the services.

The UI only hides what these rules would refuse; the services check them on every call.
"""

from __future__ import annotations

from gridconsole.domain.enums import Action, AdminAction, PersonalField, Role
from gridconsole.domain.errors import PermissionDenied

_CENTRE = frozenset({Role.dispatcher, Role.shift_lead})
_CENTRE_AND_LIAISON = _CENTRE | {Role.liaison}
_LEAD = frozenset({Role.shift_lead})
# what a department does on its dispatch: a liaison only on their own department's, the centre
# on its behalf after a phone call (marked so on the timeline)
DEPARTMENT_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.sign,
        Action.request_return,
        Action.request_extension,
        Action.request_suspension,
        Action.feedback,
    }
)

CASE_PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.report: _CENTRE_AND_LIAISON,
    Action.accept: _CENTRE,
    Action.reject: _CENTRE,
    Action.merge: _CENTRE,
    Action.resolve_in_grid: _CENTRE,
    Action.dispatch: _CENTRE,
    # a dispatcher may record these for a department after a phone call (marked on_behalf)
    Action.sign: _CENTRE_AND_LIAISON,
    # a department's return takes effect when the shift lead accepts it (退单审核)
    Action.request_return: _CENTRE_AND_LIAISON,
    Action.return_: _LEAD,
    Action.refuse_return: _LEAD,
    Action.request_extension: _CENTRE_AND_LIAISON,
    Action.refuse_extension: _LEAD,
    Action.request_suspension: _CENTRE_AND_LIAISON,
    Action.refuse_suspension: _LEAD,
    Action.feedback: _CENTRE_AND_LIAISON,
    Action.redispatch: _CENTRE,
    Action.suspend: _LEAD,
    Action.resume: _LEAD,
    Action.verify_pass: _CENTRE,
    Action.verify_fail: _CENTRE,
    Action.close: _CENTRE,
    Action.follow_up: _CENTRE,
    Action.reopen: _CENTRE,
    Action.set_priority: _CENTRE,
    Action.approve_extension: _LEAD,
    Action.urge: _CENTRE,
    Action.supervise: _LEAD,
    Action.absorb_duplicate: _CENTRE,
    # the deadline timers write these as the system: no role may choose them
    Action.deadline_warning: frozenset(),
    Action.deadline_breach: frozenset(),
    Action.supervise_due: frozenset(),
    Action.report_district: frozenset(),
    # the escalation board (Art. 30): the centre raises and reports; the shift lead confirms,
    # raises the level, de-escalates and acknowledges alerts
    Action.escalate: _CENTRE,
    Action.escalation_report: _CENTRE,
    Action.confirm_escalation: _LEAD,
    Action.raise_escalation: _LEAD,
    Action.deescalate: _LEAD,
    Action.acknowledge_alert: _LEAD,
    Action.report_window_due: frozenset(),
    Action.report_window_missed: frozenset(),
    # claims: the rules beyond the role (who holds it, until when) are in domain/claims.py
    Action.claim: _CENTRE,
    Action.release_claim: _CENTRE,
    Action.break_claim: _LEAD,
}

# Who may see the escalation board: the centre and the auditor (not a department's liaison).
BOARD_READERS: frozenset[Role] = frozenset({Role.dispatcher, Role.shift_lead, Role.auditor})

# Who may read cases at all (lists, details). Liaisons see only their department's (issue 4).
CASE_READERS: frozenset[Role] = frozenset(Role)


def allowed(role: Role, action: Action) -> bool:
    return role in CASE_PERMISSIONS.get(action, frozenset())


def require(role: Role, action: Action, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may perform ``action``."""
    if not allowed(role, action):
        raise PermissionDenied(operator=operator, role=role.value, action=action.value)


# Administrative actions: who may change what every deadline is computed from.
ADMIN_PERMISSIONS: dict[AdminAction, frozenset[Role]] = {
    AdminAction.manage_calendar: frozenset({Role.admin}),
    AdminAction.manage_departments: frozenset({Role.admin}),
    AdminAction.override_routing: _LEAD,
    # the roster of grids and grid workers: admins keep it; the centre records complaints from
    # the public (Art. 19) and the shift lead settles them
    AdminAction.manage_roster: frozenset({Role.admin}),
    AdminAction.record_complaint: frozenset({Role.dispatcher, Role.shift_lead, Role.admin}),
    AdminAction.handle_complaint: frozenset({Role.shift_lead, Role.admin}),
    # who may use the console, as what: admins only (an operator cannot raise their own role)
    AdminAction.manage_operators: frozenset({Role.admin}),
    # a backup holds every resident's personal data; a restore replaces everyone's work
    AdminAction.manage_backups: frozenset({Role.admin}),
}

# Who may read the roster (the grid workers' contacts): the centre, admins and auditors; a
# department's liaison does not need them (minimum necessary).
ROSTER_READERS: frozenset[Role] = frozenset(
    {Role.dispatcher, Role.shift_lead, Role.admin, Role.auditor}
)


# Who may read the performance statistics and reports (every department's figures): the centre,
# admins and auditors; a liaison sees their own work list, not the others' (minimum necessary).
STATISTICS_READERS: frozenset[Role] = frozenset(
    {Role.dispatcher, Role.shift_lead, Role.admin, Role.auditor}
)


# Who may read the audit log (every operator's actions): auditors, and admins who keep the
# system; the centre's own staff do not read the record of their own work.
AUDIT_READERS: frozenset[Role] = frozenset({Role.auditor, Role.admin})


# Who may reveal a masked value, for one view, with a reason that is recorded (privacy.reveal).
# The reporter's phone and name: the centre that calls the reporter back (回访, and checking a
# report) — dispatchers and shift leads; not admins (they keep the system, not the cases), not
# auditors (they read the record of reveals, not the numbers), not a department's liaison (the
# centre relays what the reporter said). A grid worker's mobile: the centre calls the worker to
# check on site, and admins keep the roster. A worker's ID number: only the admins who check
# eligibility (Art. 14) when keeping the roster.
REVEAL_PERMISSIONS: dict[PersonalField, frozenset[Role]] = {
    PersonalField.reporter_phone: _CENTRE,
    PersonalField.reporter_name: _CENTRE,
    PersonalField.worker_mobile: _CENTRE | {Role.admin},
    PersonalField.worker_id_number: frozenset({Role.admin}),
}

# Who may write a file holding personal data unmasked (the workers' file, privacy.export): the
# admins who keep the roster; the file says so. Every other export masks or leaves out the numbers.
PERSONAL_DATA_EXPORTERS: frozenset[Role] = frozenset({Role.admin})


def may_reveal(role: Role, field: PersonalField) -> bool:
    return role in REVEAL_PERMISSIONS[field]


def require_reveal(role: Role, field: PersonalField, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may reveal ``field``."""
    if not may_reveal(role, field):
        raise PermissionDenied(
            operator=operator, role=role.value, action=f"privacy.reveal_{field.value}"
        )


def require_personal_export(role: Role, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may export personal data unmasked."""
    if role not in PERSONAL_DATA_EXPORTERS:
        raise PermissionDenied(
            operator=operator, role=role.value, action="privacy.export_personal_data"
        )


def require_statistics_reader(role: Role, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may read the statistics."""
    if role not in STATISTICS_READERS:
        raise PermissionDenied(operator=operator, role=role.value, action="read_statistics")


def admin_allowed(role: Role, action: AdminAction) -> bool:
    return role in ADMIN_PERMISSIONS.get(action, frozenset())


def require_admin_action(role: Role, action: AdminAction, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may perform the administrative ``action``."""
    if not admin_allowed(role, action):
        raise PermissionDenied(operator=operator, role=role.value, action=action.value)


def require_roster_reader(role: Role, *, operator: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may read the roster."""
    if role not in ROSTER_READERS:
        raise PermissionDenied(operator=operator, role=role.value, action="read_roster")
