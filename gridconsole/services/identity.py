"""Who claims the console, before any database is open (no SQLAlchemy here: the command line
decides this before the console's first frame).

The real uid's account is the identity; the environment (``$USER``, ``getpass``) can be forged.
Where several people share one SSH account, each key's forced command names its operator with
``--operator``: accepted only on an account listed in ``[security] shared_accounts``, and then the
operator's password is required as the second factor.
"""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gridconsole.config import Settings
from gridconsole.domain.errors import DomainError

USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")


class OperatorFlagRefused(DomainError):
    key = "auth.error.operator_flag_refused"


class SharedAccountNeedsOperator(DomainError):
    key = "auth.error.shared_needs_operator"


class InvalidOperatorName(DomainError):
    key = "cli.username_invalid"


def os_username() -> str:
    """The real uid's account name. ``$USER`` and ``getpass`` can be forged by the environment."""
    return pwd.getpwuid(os.getuid()).pw_name


@dataclass(frozen=True)
class Identity:
    """Who claims the console: the real uid's account and the operator it stands for."""

    account: str  # the OS account (real uid)
    username: str  # the operator
    shared: bool  # a shared account: the operator was named by the SSH key's forced command


def identify(
    settings: Settings, operator: str | None = None, *, account: str | None = None
) -> Identity:
    """The identity of this process: ``--operator`` only on a shared account, and a shared account
    only with ``--operator`` (the account stands for nobody in particular)."""
    account = account or os_username()
    shared = account in settings.security.shared_accounts
    if operator is None:
        if shared:
            raise SharedAccountNeedsOperator(account=account)
        return Identity(account, account, shared=False)
    if not shared:
        raise OperatorFlagRefused(account=account)
    if not USERNAME.match(operator):
        raise InvalidOperatorName(value=operator)
    return Identity(account, operator, shared=True)


def password_required(settings: Settings, identity: Identity) -> bool:
    """Whether this login asks for the operator's password."""
    return settings.security.require_password or identity.shared


class LockReason(StrEnum):
    """Why the console locked, as its audit entry says: the idle timer ran out, or the operator
    locked it on leaving the desk (a key or the palette)."""

    idle = "idle"
    key = "key"


@dataclass(frozen=True)
class LoginFacts:
    """What the login and lock screens need to know before asking."""

    username: str
    display_name: str
    password_required: bool
    has_password: bool
    locked_until: datetime | None
