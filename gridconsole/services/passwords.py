"""Local passwords, hashed with argon2id (``argon2-cffi``'s defaults: RFC 9106's second
recommended profile, 64 MiB and three passes). Verifying reads the parameters from the hash, so a
hash made with other parameters still verifies; :func:`needs_rehash` says when to renew it."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# module-level so tests can swap in a cheap hasher (the real one takes ~0.1 s a hash by design)
HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
