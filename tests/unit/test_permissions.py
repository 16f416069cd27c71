from __future__ import annotations

import pytest

from gridconsole.domain import permissions
from gridconsole.domain.enums import Action, AdminAction, Role
from gridconsole.domain.errors import PermissionDenied


def test_every_action_has_a_rule() -> None:
    missing = [action for action in Action if action not in permissions.CASE_PERMISSIONS]
    assert missing == []


@pytest.mark.parametrize("action", list(Action))
def test_auditors_and_admins_change_no_case(action: Action) -> None:
    assert not permissions.allowed(Role.auditor, action)
    assert not permissions.allowed(Role.admin, action)


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (Role.dispatcher, Action.accept, True),
        (Role.shift_lead, Action.accept, True),
        (Role.liaison, Action.accept, False),
        (Role.liaison, Action.sign, True),
        (Role.dispatcher, Action.supervise, False),
        (Role.shift_lead, Action.supervise, True),
        (Role.dispatcher, Action.suspend, False),
    ],
)
def test_matrix(role: Role, action: Action, expected: bool) -> None:
    assert permissions.allowed(role, action) is expected


def test_refusal_names_operator_role_and_action() -> None:
    with pytest.raises(PermissionDenied, match="钱审计（审计员）无权执行“受理”"):
        permissions.require(Role.auditor, Action.accept, operator="钱审计")


def test_every_admin_action_has_a_rule() -> None:
    missing = [action for action in AdminAction if action not in permissions.ADMIN_PERMISSIONS]
    assert missing == []


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_manage_the_calendar(role: Role) -> None:
    assert permissions.admin_allowed(role, AdminAction.manage_calendar) is (role is Role.admin)


def test_admin_action_refusal_names_operator_role_and_action() -> None:
    with pytest.raises(PermissionDenied, match="李值班（值班长）无权执行“维护工作日历”"):
        permissions.require_admin_action(
            Role.shift_lead, AdminAction.manage_calendar, operator="李值班"
        )
    permissions.require_admin_action(Role.admin, AdminAction.manage_calendar, operator="孙管理")
