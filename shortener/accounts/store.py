"""Load and save marketer accounts: the only Redis caller in accounts/."""

from __future__ import annotations

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
