"""Password hashing (argon2id), shared by sign-in and the admin commands that set passwords."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from orchestrator.errors import InputRejected

MIN_LENGTH = 4  # the demo accounts use "demo"
_hasher = PasswordHasher()


def check_new(password: str | None) -> str:
    """A password someone is about to set, refused if too short."""
    if len(password or "") < MIN_LENGTH:
        raise InputRejected(f"Passwords need at least {MIN_LENGTH} characters.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when there is no account, so timing does not reveal accounts."""
    return _hasher.hash("not-a-real-password")


def verify(password_hash: str | None, password: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``; with no hash, the same work and False."""
    try:
        _hasher.verify(password_hash or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
