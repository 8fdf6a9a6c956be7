"""Password hashing with argon2id, OWASP parameters (19 MiB memory, 2 iterations, 1 lane)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# verified against when the login is unknown, so a wrong login costs the same time as a wrong password
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True iff `password` matches `password_hash`; never raises for a malformed hash."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _HASHER.check_needs_rehash(password_hash)
