"""Helpers for the login, lock-out and operator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services import passwords
from gridconsole.services.bundle import Services
from gridconsole.services.identity import Identity
from gridconsole.store.engine import Database

PASSWORD = "正确的马电池订书钉"


@pytest.fixture
def cheap_hasher() -> Iterator[None]:
    """argon2id with the smallest parameters: the real ones cost ~0.1 s a hash by design."""
    real = passwords.HASHER
    passwords.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords.HASHER = real


def shared_settings(**security: object) -> Settings:
    return Settings.model_validate({"security": {"shared_accounts": ["duty"], **security}})


def shared_login(
    db: Database, clock: FrozenClock, username: str, settings: Settings | None = None
) -> Services:
    """Services of ``username`` logging in through the shared account ``duty``."""
    settings = settings or shared_settings()
    return Services.build(db, settings, clock, username, Identity("duty", username, shared=True))
