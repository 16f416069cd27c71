"""What the console offers each role, against what the services allow it.

For every role the console is opened with Pilot; each pane key (1–9) is pressed and, in the pane
it opens, the keys in force (the footer's and the help screen's: the enabled active bindings) are
collected. Every key offered must stand for something the permission matrix allows the role
(the services would refuse the rest), and on the queue's selected reported case every case
action the role may do must be offered.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain import permissions
from gridconsole.domain.enums import (
    Action,
    AdminAction,
    EscalationKind,
    PersonalField,
    Role,
    Severity,
)
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.dispatch_cases import accept, dispatch
from tests.factories import services_for
from tests.ui.console import seed_cases, settle

ACTORS: dict[Role, str] = {
    Role.dispatcher: "disp",
    Role.shift_lead: "lead",
    Role.liaison: "liaison",
    Role.admin: "admin",
    Role.auditor: "audit",
}

Rule = Callable[[Role], bool]


def case(*actions: Action) -> Rule:
    """Offered if the role may do any of ``actions`` (one key, several outcomes)."""
    return lambda role: any(permissions.allowed(role, action) for action in actions)


def admin(action: AdminAction) -> Rule:
    return lambda role: permissions.admin_allowed(role, action)


def among(roles: frozenset[Role]) -> Rule:
    return lambda role: role in roles


def anyone(role: Role) -> bool:
    return True


# Each pane key and each action key of the panes, as the matrix names what it leads to.
# Moving, paging, filtering, reloading and opening a case are reading (CASE_READERS).
RULES: dict[str, Rule] = {
    # panes
    "show_queue_pane": lambda role: role is not Role.liaison,
    "show_overdue_pane": among(permissions.CASE_READERS),
    "show_dispatch_pane": case(Action.dispatch, Action.verify_pass, Action.follow_up),
    "show_department_pane": among(permissions.CASE_READERS),
    "show_approvals_pane": case(Action.return_, Action.approve_extension, Action.suspend),
    "show_escalation_pane": among(permissions.BOARD_READERS),
    "show_roster_pane": among(permissions.ROSTER_READERS),
    "show_statistics_pane": among(permissions.STATISTICS_READERS),
    "show_audit_pane": among(permissions.AUDIT_READERS),
    # the queue and the case detail
    "new_case": case(Action.report),
    "accept_case": case(Action.accept),
    "reject_case": case(Action.reject),
    "merge_case": case(Action.merge),
    "resolve_in_grid": case(Action.resolve_in_grid),
    "set_priority": case(Action.set_priority),
    "escalate_case": case(Action.escalate),
    "toggle_claim": case(Action.claim, Action.release_claim),
    "break_claim": case(Action.break_claim),
    # overdue, dispatch, the work list
    "urge_case": case(Action.urge),
    "urge_dispatch_case": case(Action.urge),
    "urge_desk_case": case(Action.urge),
    "supervise_case": case(Action.supervise),
    "supervise_desk_case": case(Action.supervise),
    "dispatch_cases": case(Action.dispatch, Action.redispatch),
    "toggle_mark": case(Action.dispatch, Action.redispatch),
    "mark_page": case(Action.dispatch, Action.redispatch),
    "clear_marks": case(Action.dispatch, Action.redispatch),
    "verify_pass": case(Action.verify_pass),
    "verify_fail": case(Action.verify_fail),
    "follow_up_case": case(Action.follow_up, Action.reopen),
    "sign_dispatch": case(Action.sign),
    "request_return": case(Action.request_return),
    "request_extension": case(Action.request_extension),
    "request_suspension": case(Action.request_suspension),
    "give_feedback": case(Action.feedback),
    # approvals
    "approve_request": case(Action.return_, Action.approve_extension, Action.suspend),
    "refuse_request": case(Action.refuse_return, Action.refuse_extension, Action.refuse_suspension),
    "resume_case": case(Action.resume),
    # the board
    "confirm_escalation": case(Action.confirm_escalation),
    "record_report": case(Action.escalation_report),
    "raise_level": case(Action.raise_escalation),
    "deescalate": case(Action.deescalate),
    "acknowledge_alerts": case(Action.acknowledge_alert),
    # the roster
    "new_worker": admin(AdminAction.manage_roster),
    "edit_worker": admin(AdminAction.manage_roster),
    "toggle_duty": admin(AdminAction.manage_roster),
    "export_workers": admin(AdminAction.manage_roster),
    "export_notice": among(permissions.ROSTER_READERS),
    "show_coverage": among(permissions.ROSTER_READERS),
    # revealing masked personal data (the case detail, the roster)
    "reveal_personal": lambda role: any(
        permissions.may_reveal(role, field)
        for field in (PersonalField.reporter_phone, PersonalField.reporter_name)
    ),
    "reveal_worker": lambda role: any(
        permissions.may_reveal(role, field)
        for field in (PersonalField.worker_mobile, PersonalField.worker_id_number)
    ),
    # the audit log
    "verify_chain": among(permissions.AUDIT_READERS),
    # statistics
    "export_report": among(permissions.STATISTICS_READERS),
    # the console: every operator may lock their own (Ctrl+L; audited as console.lock)
    "lock_console": anyone,
}

# Keys that only move, page, filter, reload, open or switch a view: reading what the pane shows.
READING = frozenset(
    {
        "focus_filters", "focus_search", "focus_table", "next_page", "previous_page",
        "open_case", "reload_queue", "focus_overdue_filters", "focus_overdue_table",
        "next_overdue_page", "open_overdue_case", "previous_overdue_page", "reload_overdue",
        "toggle_wall", "next_dispatch_list", "next_dispatch_page", "open_dispatch_case",
        "previous_dispatch_page", "reload_dispatch", "focus_desk_department", "focus_desk_table",
        "next_desk_page", "open_desk_case", "previous_desk_page", "reload_desk",
        "open_approval_case", "reload_approvals", "toggle_suspended", "open_escalation_case",
        "reload_escalations", "focus_roster_search", "focus_roster_tree", "reload_roster",
        "toggle_left", "custom_period", "cycle_dimension", "cycle_period", "drill_figure",
        "reload_statistics", "toggle_workers", "command_palette", "quit", "move_card",
        "focus_filter",
    }
)  # fmt: skip

# the queue's selected reported case: what a role allowed to may do on it (resolving in the grid
# depends on its category, claiming on who holds it)
REPORTED_CASE_ACTIONS = {
    "accept_case": Action.accept,
    "reject_case": Action.reject,
    "merge_case": Action.merge,
    "set_priority": Action.set_priority,
    "escalate_case": Action.escalate,
}


def offered(app: GridConsoleApp) -> set[str]:
    """The actions of the console's keys in force (each has an id, for the keymap): what the
    footer and the help screen show. A widget's own keys (the table's cursor) are not offers."""
    return {
        active.binding.action.split("(")[0]
        for active in app.screen.active_bindings.values()
        if active.enabled and active.binding.id is not None
    }


@pytest.fixture
def scene(db: Database, dispatcher: Services, lead: Services, clock: FrozenClock) -> None:
    """A row in every pane: reported cases in the queue, one with 城管执法中队 asking to
    extend (work list, approvals), one on the escalation board."""
    noise, water, _consult, _food = seed_cases(dispatcher)
    accept(dispatcher, noise)
    detail = dispatch(dispatcher, noise, "CG")
    liaison = services_for(db, "liaison", clock)
    liaison.desk.sign(noise, detail.version)
    liaison.desk.request_return(
        noise, liaison.queue.detail(noise).version, reason="不属于本部门职责", basis="三定方案"
    )
    dispatcher.escalations.raise_(
        water, kind=EscalationKind.mass_incident, severity=Severity.major, reason="积水影响通行"
    )


@pytest.mark.parametrize("role", list(Role))
async def test_the_console_offers_only_what_the_services_allow(
    scene: None, db: Database, clock: FrozenClock, role: Role
) -> None:
    app = GridConsoleApp(services_for(db, ACTORS[role], clock), Settings())
    by_pane: dict[str, set[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane_keys = {
            key: active.binding.action
            for key, active in app.screen.active_bindings.items()
            if active.enabled and active.binding.action.startswith("show_") and key.isdigit()
        }
        panes = set(pane_keys.values())
        first = offered(app) - panes
        for key, pane in sorted(pane_keys.items()):
            await pilot.press(key)
            await settle(pilot)
            by_pane[pane] = {a for a in offered(app) if not a.startswith("show_")}
        queue_keys = by_pane.get("show_queue_pane", set())

    everything = panes | {a for a in first if not a.startswith("show_")}
    everything |= set().union(*by_pane.values())
    unknown = everything - RULES.keys() - READING
    assert unknown == set(), (
        f"{sorted(unknown)}: a key this test does not know: add it to RULES or READING"
    )
    beyond = sorted(action for action in everything - READING if not RULES[action](role))
    assert beyond == [], f"{role.value} is offered what the services refuse"
    reachable = {name for name, rule in RULES.items() if name.endswith("_pane") and rule(role)}
    assert panes == reachable
    hidden = sorted(
        name
        for name, action in REPORTED_CASE_ACTIONS.items()
        if permissions.allowed(role, action) and name not in queue_keys
    )
    assert hidden == [], f"{role.value} may do these on the selected case but is not offered them"
    print(
        f"\n{role.value}: {len(panes)} panes, {len(everything - READING - panes)} action keys "
        f"offered ({len(everything)} keys in all)"
    )
