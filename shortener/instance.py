"""Secrets that must stay stable: made on first start, kept in Redis.

They live in Redis rather than in a file so that every app process, on
every machine that shares the Redis server or cluster, uses the same ones:
the same hashids salt, the same visitor key (one visitor counts once), the
same session key (a login works on every worker).
"""

from __future__ import annotations

import secrets as random_source

from shortener import keys
from shortener.db import Client

SECRET_NAMES = ("hashids_salt", "visitor_key", "session_key", "click_id_key")


def load_secrets(r: Client) -> dict[str, str]:
    """Return the instance secrets, creating any that are missing.

    HSETNX makes concurrent first starts agree on one value.
    """
    pipe = r.pipeline(transaction=False)
    for name in SECRET_NAMES:
        pipe.hsetnx(keys.secrets(), name, random_source.token_hex(32))
    pipe.hgetall(keys.secrets())
    stored = pipe.execute()[-1]
    return {name: stored[name] for name in SECRET_NAMES}
