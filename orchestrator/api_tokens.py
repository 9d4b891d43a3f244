"""Personal API tokens: format, hashing and checking (no database policy here).

A token looks like ``aio_pat_<32 random base62><6 base62 checksum>``. The fixed
prefix lets secret scanners (GitHub push protection, gitleaks, trufflehog)
recognise a leaked token with a simple pattern, and the CRC32 checksum lets
them, and us, tell a real token from a look-alike without a database lookup.
Only the SHA-256 of the whole token is stored; the random part carries about
190 bits, so a salted slow hash would add nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib

PREFIX = "aio_pat_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RANDOM_CHARS = 32
_CHECK_CHARS = 6
LENGTH = len(PREFIX) + _RANDOM_CHARS + _CHECK_CHARS
# a pattern for secret scanners, documented in the README
PATTERN = r"aio_pat_[0-9A-Za-z]{38}"


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode()), _CHECK_CHARS)


def new_token() -> str:
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_CHARS))
    return PREFIX + random_part + _checksum(random_part)


def well_formed(token: str) -> bool:
    """Prefix, length, alphabet and checksum: what can be checked without the database."""
    if not isinstance(token, str) or len(token) != LENGTH or not token.startswith(PREFIX):
        return False
    body = token[len(PREFIX):]
    if any(c not in _ALPHABET for c in body):
        return False
    return secrets.compare_digest(_checksum(body[:_RANDOM_CHARS]), body[_RANDOM_CHARS:])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hint(token: str) -> str:
    """What lists show: enough to tell tokens apart, useless to an attacker."""
    return token[: len(PREFIX) + 4] + "…"
