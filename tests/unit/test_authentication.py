"""Login, lock-out, logout, lock and unlock through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.errors import PermissionDenied, ValidationFailed
from gridconsole.services.authentication import LockedOut, NoPasswordSet, WrongPassword
from gridconsole.services.bundle import open_services
from gridconsole.services.identity import (
    Identity,
    InvalidOperatorName,
    LockReason,
    OperatorFlagRefused,
    SharedAccountNeedsOperator,
    identify,
    password_required,
)
from gridconsole.services.operators import LastAdmin, NotAnOperator, UnknownOperator
from gridconsole.store.engine import Database
from gridconsole.store.models import AuditEntry, Operator
from tests.auth_helpers import PASSWORD, cheap_hasher, shared_login, shared_settings
from tests.factories import services_for

__all__ = ["cheap_hasher"]

pytestmark = pytest.mark.usefixtures("cheap_hasher")


def set_password(db: Database, clock: FrozenClock, username: str, password: str = PASSWORD) -> None:
    services_for(db, "admin", clock).operators.set_password(username, password)


def counters(db: Database, username: str) -> tuple[int, object]:
    with db.read() as session:
        operator = session.execute(
            select(Operator).where(Operator.username == username)  # type: ignore[arg-type]
        ).scalar_one()
        return operator.failed_logins, operator.locked_until


# -- identity -------------------------------------------------------------------------------------


def test_operator_flag_only_on_a_shared_account() -> None:
    settings = shared_settings()
    assert identify(settings, account="wang") == Identity("wang", "wang", shared=False)
    with pytest.raises(OperatorFlagRefused, match="wang"):
        identify(settings, "alice", account="wang")
    assert identify(settings, "alice", account="duty") == Identity("duty", "alice", shared=True)
    with pytest.raises(SharedAccountNeedsOperator):
        identify(settings, account="duty")
    with pytest.raises(InvalidOperatorName):
        identify(settings, "a b", account="duty")


def test_the_identity_is_the_real_uid_not_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import pwd

    monkeypatch.setenv("USER", "admin")
    monkeypatch.setenv("LOGNAME", "admin")
    real = pwd.getpwuid(os.getuid()).pw_name
    assert identify(Settings()).username == real


def test_password_required_on_shared_accounts_or_everywhere() -> None:
    own = Identity("wang", "wang", shared=False)
    shared = Identity("duty", "alice", shared=True)
    assert not password_required(Settings(), own)
    assert password_required(Settings(), shared)
    everyone = Settings.model_validate({"security": {"require_password": True}})
    assert password_required(everyone, own)


# -- login and lock-out ---------------------------------------------------------------------------


def test_login_with_the_password_clears_failures(any_db: Database, clock: FrozenClock) -> None:
    set_password(any_db, clock, "disp")
    services = shared_login(any_db, clock, "disp")
    assert services.auth.password_required
    with pytest.raises(WrongPassword, match="4"):
        services.auth.login("wrong password")
    assert counters(any_db, "disp") == (1, None)
    assert services.auth.login(PASSWORD).username == "disp"
    assert counters(any_db, "disp") == (0, None)


def test_repeated_failures_lock_out_then_expire(any_db: Database, clock: FrozenClock) -> None:
    settings = shared_settings(max_failed_logins=3, lockout_minutes=15)
    set_password(any_db, clock, "disp")
    services = shared_login(any_db, clock, "disp", settings)
    with pytest.raises(WrongPassword):
        services.auth.login("wrong 1 password")
    with pytest.raises(WrongPassword):
        services.auth.login("wrong 2 password")
    with pytest.raises(LockedOut):
        services.auth.login("wrong 3 password")
    failures, until = counters(any_db, "disp")
    assert failures == 3
    assert until == clock.now() + timedelta(minutes=15)
    clock.advance(timedelta(minutes=14))
    with pytest.raises(LockedOut):
        services.auth.login(PASSWORD)  # the right password is not even checked meanwhile
    # a login without a password (own account) is refused too while locked out
    own = services_for(any_db, "disp", clock, settings)
    with pytest.raises(LockedOut):
        own.auth.login()
    clock.advance(timedelta(minutes=1))
    services.auth.login(PASSWORD)
    assert counters(any_db, "disp") == (0, None)


def test_no_password_set_is_said(any_db: Database, clock: FrozenClock) -> None:
    services = shared_login(any_db, clock, "disp")
    assert not services.auth.facts().has_password
    with pytest.raises(NoPasswordSet, match="operator password disp"):
        services.auth.login("whatever it is")
    assert counters(any_db, "disp") == (0, None)


def test_unknown_operator_on_a_shared_account(tmp_path: object, any_db: Database) -> None:
    url = any_db.reader.url.render_as_string(hide_password=False)  # on PostgreSQL: the schema's
    from gridconsole.clock import FrozenClock as Clock
    from tests.factories import T0

    with pytest.raises(NotAnOperator):
        open_services(
            shared_settings(), Clock(T0), url=url, identity=Identity("duty", "mallory", True)
        )


def test_unlock_counts_failures_toward_the_lock_out(any_db: Database, clock: FrozenClock) -> None:
    settings = Settings.model_validate({"security": {"max_failed_logins": 2}})
    set_password(any_db, clock, "disp")
    services = services_for(any_db, "disp", clock, settings)
    services.auth.login()
    services.auth.lock(LockReason.idle)
    with pytest.raises(WrongPassword):
        services.auth.unlock("not my password")
    with pytest.raises(LockedOut):
        services.auth.unlock("still not my password")
    with pytest.raises(LockedOut):
        services.auth.unlock(PASSWORD)
    services.auth.logout()


def test_a_lock_records_why(any_db: Database, clock: FrozenClock) -> None:
    """The idle timer's lock and the operator's lock key are told apart in the audit log."""
    services = services_for(any_db, "disp", clock)
    services.auth.lock(LockReason.idle)
    services.auth.lock(LockReason.key)
    with any_db.read() as session:
        details = session.execute(
            select(AuditEntry.detail)
            .where(col(AuditEntry.action) == "console.lock")
            .order_by(col(AuditEntry.seq))
        ).scalars()
        reasons = [json.loads(detail)["reason"] for detail in details]
    assert reasons == ["idle", "key"]


# -- managing operators ---------------------------------------------------------------------------


def test_only_admins_manage_operators(any_db: Database, clock: FrozenClock) -> None:
    from gridconsole.domain.enums import Role

    for username in ("disp", "lead", "liaison", "audit"):
        operators = services_for(any_db, username, clock).operators
        with pytest.raises(PermissionDenied):
            operators.add("zhou", display_name="周", role=Role.dispatcher)
        with pytest.raises(PermissionDenied):
            operators.disable("disp")
        with pytest.raises(PermissionDenied):
            operators.set_role("disp", Role.admin)
        with pytest.raises(PermissionDenied):
            operators.set_password("disp", PASSWORD)
    admin = services_for(any_db, "admin", clock).operators
    added = admin.add("zhou", display_name="周八", role=Role.liaison, department="SC")
    assert (added.role, added.department_code) == (Role.liaison, "SC")
    assert admin.set_role("zhou", Role.dispatcher).role is Role.dispatcher
    assert admin.set_password("zhou", PASSWORD).has_password
    assert not admin.disable("zhou").active
    with pytest.raises(NotAnOperator):
        services_for(any_db, "zhou", clock)
    with pytest.raises(UnknownOperator):
        admin.disable("nobody")
    with pytest.raises(ValidationFailed, match="8"):
        admin.set_password("disp", "short")
    with pytest.raises(ValidationFailed):
        admin.set_role("disp", Role.liaison)  # a liaison needs a department
    with pytest.raises(LastAdmin):
        admin.set_role("admin", Role.dispatcher)
    with pytest.raises(LastAdmin):
        admin.disable("admin")


def test_setting_a_password_lifts_a_lock_out(any_db: Database, clock: FrozenClock) -> None:
    settings = shared_settings(max_failed_logins=1)
    set_password(any_db, clock, "disp")
    with pytest.raises(LockedOut):
        shared_login(any_db, clock, "disp", settings).auth.login("wrong password!")
    set_password(any_db, clock, "disp", "另一个正确的密码")
    shared_login(any_db, clock, "disp", settings).auth.login("另一个正确的密码")
