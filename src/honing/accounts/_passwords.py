"""Password hashing with scrypt (RFC 7914), a memory-hard KDF from the standard library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# OWASP's minimum for scrypt is N=2^17 with r=8; 2^15 keeps logins fast on small servers
# while still costing an attacker 32 MiB per guess. Stored with the hash, so it can grow.
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 128 * 1024 * 1024


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def dummy_hash() -> str:
    """A hash no password matches, with today's algorithm and cost: checking a password
    against it takes as long as against a real one (for names that do not exist), and
    making it costs nothing."""
    digest = secrets.token_bytes(64)  # hashlib.scrypt's default length, as hash_password uses
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(secrets.token_bytes(16)), _b64(digest)])


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()
