"""Load and save marketer accounts: the only Redis caller in accounts/."""

from __future__ import annotations

from typing import Any

from shortener import keys
from shortener.accounts.models import User
from shortener.db import Client


def claim_user(r: Client, user: User) -> bool:
    """Save a new account unless one with that e-mail exists; True if saved."""
    if not r.set(keys.user(user.email), user.to_json(), nx=True):
        return False
    r.zadd(keys.users(), {user.email: user.created_at}, nx=True)
    return True


def save_user(r: Client, user: User) -> None:
    r.set(keys.user(user.email), user.to_json(), xx=True)


def get_user(r: Client, email: str) -> User | None:
    text = r.get(keys.user(email))
    return User.from_json(text) if text else None


def save_session(r: Client, email: str, digest: str, signed_in_at: float, *,
                 older_than: float) -> None:
    """Keep a new session; forget the account's sessions signed in before ``older_than``."""
    key = keys.user_sessions(email)
    stale = [field for field, at in r.hgetall(key).items() if float(at) < older_than]
    pipe = r.pipeline(transaction=False)
    if stale:
        pipe.hdel(key, *stale)
    pipe.hset(key, digest, repr(signed_in_at))
    pipe.execute()


def get_user_and_session(r: Client, email: str, digest: str) -> tuple[User | None, float | None]:
    """The account and the sign-in time of one of its sessions (None if revoked), in one trip."""
    pipe = r.pipeline(transaction=False)
    pipe.get(keys.user(email))
    pipe.hget(keys.user_sessions(email), digest)
    text, signed_in_at = pipe.execute()
    return (User.from_json(text) if text else None,
            float(signed_in_at) if signed_in_at is not None else None)


def delete_session(r: Client, email: str, digest: str) -> None:
    r.hdel(keys.user_sessions(email), digest)


def delete_sessions(r: Client, email: str) -> None:
    r.delete(keys.user_sessions(email))


def delete_sessions_except(r: Client, email: str, digest: str) -> None:
    """Forget every session of the account but the one with this digest."""
    others = [field for field in r.hkeys(keys.user_sessions(email)) if field != digest]
    if others:
        r.hdel(keys.user_sessions(email), *others)


def count_users(r: Client) -> int:
    return int(r.zcard(keys.users()))


def list_users(r: Client) -> list[User]:
    """Every account, oldest first."""
    emails = r.zrange(keys.users(), 0, -1)
    texts = r.mget([keys.user(email) for email in emails]) if emails else []
    return [User.from_json(text) for text in texts if text]


def delete_user(r: Client, email: str, pipe: Any = None) -> None:
    target = pipe if pipe is not None else r.pipeline(transaction=False)
    target.delete(keys.user(email))
    target.zrem(keys.users(), email)
    if pipe is None:
        target.execute()
