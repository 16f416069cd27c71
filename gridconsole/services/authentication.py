"""Who is at the keyboard, proven: the OS account or the SSH key's operator, the local password
where the centre asks for one, lock-out after repeated failures, and the console's idle lock.

Identity comes from the real uid (``os_username``), never the environment. On an account several
people share, the key's forced command names the operator (``--operator``), which is accepted only
there, and the operator's password is then required. Every login, failure, lock-out, logout, lock
and unlock writes its audit entry in the transaction that changes the operator's counters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.errors import DomainError
from gridconsole.domain.lockout import (
    LockoutPolicy,
    LoginCounters,
    after_failure,
    after_success,
)
from gridconsole.services import passwords
from gridconsole.services.audit import record_audit_as
from gridconsole.services.identity import Identity, LockReason, LoginFacts, password_required
from gridconsole.services.operators import NotAnOperator
from gridconsole.services.records import Actor
from gridconsole.store.engine import Database
from gridconsole.store.models import Operator


class WrongPassword(DomainError):
    key = "auth.error.wrong_password"


class LockedOut(DomainError):
    key = "auth.error.locked_out"


class NoPasswordSet(DomainError):
    key = "auth.error.no_password"


def _audit(
    session: Session,
    who: Actor | str,
    at: datetime,
    action: str,
    **detail: object,
) -> None:
    """One audit entry in ``session``'s transaction; ``who`` as a bare name is what was typed
    or claimed at a login that matched no operator."""
    subject = str(detail.pop("subject", ""))
    record_audit_as(session, who, at, action, subject=subject, detail=detail)


def record_unknown_login(db: Database, clock: Clock, identity: Identity) -> None:
    """A login by a name no active operator has is a failed login too."""
    with db.write() as session:
        _audit(
            session,
            identity.username,
            clock.now(),
            "auth.login_failed",
            account=identity.account,
            reason="not_an_operator",
        )


class AuthenticationService:
    """Login, logout, lock and unlock of one console's operator."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, actor: Actor, identity: Identity
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.actor = actor
        self.identity = identity
        security = settings.security
        self.policy = LockoutPolicy(
            security.max_failed_logins, timedelta(minutes=security.lockout_minutes)
        )

    @property
    def password_required(self) -> bool:
        return password_required(self.settings, self.identity)

    def facts(self) -> LoginFacts:
        with self.db.read() as session:
            operator = session.get_one(Operator, self.actor.id)
            return LoginFacts(
                operator.username,
                operator.display_name,
                self.password_required,
                operator.password_hash is not None,
                operator.locked_until,
            )

    def login(self, password: str | None = None) -> Actor:
        """Log in: the password is checked where required (and when given). Raises
        :class:`WrongPassword`, :class:`LockedOut` or :class:`NoPasswordSet`; each failure is
        recorded and counted, in its own committed transaction."""
        if self.password_required and password is None:
            raise ValueError("this login needs the operator's password")
        self._attempt(password, success="auth.login", failure="auth.login_failed")
        return self.actor

    def logout(self) -> None:
        with self.db.write() as session:
            _audit(session, self.actor, self.clock.now(), "auth.logout")

    def lock(self, reason: LockReason) -> None:
        """The console locked itself (idle) or was locked by its operator (key)."""
        with self.db.write() as session:
            _audit(session, self.actor, self.clock.now(), "console.lock", reason=reason.value)

    def unlock(self, password: str) -> None:
        """Unlock with the operator's password; a wrong one counts toward the lock-out."""
        self._attempt(password, success="console.unlock", failure="console.unlock_failed")

    def _attempt(self, password: str | None, *, success: str, failure: str) -> None:
        refusal: DomainError | None = None
        with self.db.write() as session:
            now = self.clock.now()
            operator = session.execute(
                select(Operator).where(col(Operator.id) == self.actor.id).with_for_update()
            ).scalar_one()
            counters = LoginCounters(operator.failed_logins, operator.locked_until)
            if not operator.active:
                refusal = NotAnOperator(username=operator.username)
                _audit(session, self.actor, now, failure, reason="disabled")
            elif counters.locked_at(now):
                assert counters.locked_until is not None
                refusal = self._locked_out(operator, counters.locked_until)
                _audit(session, self.actor, now, failure, reason="locked_out")
            elif password is not None and operator.password_hash is None:
                refusal = NoPasswordSet(username=operator.username)
                _audit(session, self.actor, now, failure, reason="no_password")
            elif password is not None and not passwords.verify_password(
                operator.password_hash or "", password
            ):
                outcome = after_failure(counters, self.policy, now)
                operator.failed_logins = outcome.counters.failed_logins
                operator.locked_until = outcome.counters.locked_until
                _audit(session, self.actor, now, failure, reason="wrong_password")
                if outcome.locked_out:
                    assert operator.locked_until is not None
                    _audit(
                        session,
                        self.actor,
                        now,
                        "auth.locked_out",
                        until=operator.locked_until.isoformat(),
                        failures=operator.failed_logins,
                    )
                    refusal = self._locked_out(operator, operator.locked_until)
                else:
                    refusal = WrongPassword(
                        username=operator.username,
                        left=self.policy.max_failures - operator.failed_logins,
                    )
            else:
                cleared = after_success()
                operator.failed_logins = cleared.failed_logins
                operator.locked_until = cleared.locked_until
                if success == "auth.login":
                    operator.last_login_at = now
                if (
                    password is not None
                    and operator.password_hash is not None
                    and passwords.needs_rehash(operator.password_hash)
                ):
                    operator.password_hash = passwords.hash_password(password)
                _audit(
                    session,
                    self.actor,
                    now,
                    success,
                    account=self.identity.account,
                    password=password is not None,
                )
        if refusal is not None:
            raise refusal

    def _locked_out(self, operator: Operator, until: datetime) -> LockedOut:
        local = until.astimezone(self.settings.centre.zone)
        return LockedOut(username=operator.username, until=f"{local:%Y-%m-%d %H:%M}")
