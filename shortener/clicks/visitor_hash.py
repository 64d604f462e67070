"""The privacy-safe visitor hash: a keyed hash of (IP, user agent) with a daily salt.

The salt is random per UTC day, kept in Redis for two days and then gone,
so nobody (not even us) can recompute yesterday's hashes from an IP address.
Only the hash reaches Redis, and only inside a HyperLogLog.
"""

from __future__ import annotations

import hashlib
import secrets

from redis.exceptions import RedisError

from shortener import keys
from shortener.db import Client

SALT_TTL_SECONDS = 2 * 86400
VISITOR_HASH_BYTES = 12

_salts: dict[str, bytes] = {}
_fallback_salt = secrets.token_bytes(16)


def get_salt(r: Client, day: str) -> bytes:
    """The salt of ``day`` (YYYYMMDD); created by whichever process asks first."""
    salt = _salts.get(day)
    if salt is None:
        try:
            r.set(keys.visitor_salt(day), secrets.token_hex(16), nx=True, ex=SALT_TTL_SECONDS)
            salt = bytes.fromhex(r.get(keys.visitor_salt(day)) or secrets.token_hex(16))
        except RedisError:
            # Counting a visitor twice beats failing the redirect; try again next click.
            return _fallback_salt
        _salts.clear()  # Keep one day only: yesterday's salt is of no further use here.
        _salts[day] = salt
    return salt


def visitor_hash(ip: str, user_agent: str, *, key: bytes, salt: bytes) -> str:
    digest = hashlib.blake2b(
        f"{ip}\x00{user_agent}".encode("utf-8", "replace"),
        key=key[:64],
        salt=salt[:16],
        digest_size=VISITOR_HASH_BYTES,
    )
    return digest.hexdigest()


def address_hash(ip: str, *, key: bytes, salt: bytes) -> str:
    """A keyed, daily-salted hash of the address alone, for the per-address redirect ceiling."""
    return hashlib.blake2b(ip.encode("utf-8", "replace"), key=key[:64], salt=salt[:16],
                           digest_size=VISITOR_HASH_BYTES, person=b"address").hexdigest()
