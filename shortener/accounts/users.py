"""create_user(), authenticate(), sessions: marketer accounts with Argon2id password hashes.

argon2-cffi's PasswordHasher uses Argon2id with the RFC 9106 low-memory
profile; it is memory-hard (GPU guessing costs memory, not only time), and
``check_needs_rehash`` lets a later release raise the cost: the hash is
upgraded at the next successful sign-in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import re
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shortener.accounts import store
from shortener.accounts.models import ROLES, User
from shortener.db import Client
from shortener.errors import AccountNotFound, Conflict, InvalidInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
GENERATED_PASSWORD_BYTES = 18
# Deliberately plain: the address is a login name, never mailed to. Braces and
# whitespace are refused because the address becomes part of a Redis key.
EMAIL_PATTERN = re.compile(r"[^@\s{}]+@[^@\s{}]+\.[^@\s{}]+")

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so that a wrong address takes as
    long to refuse as a wrong password and does not reveal who has an account."""
    return _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("email must be an e-mail address", field="email")
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        raise InvalidInput("email must be an e-mail address such as ana@shop.example",
                           field="email")
    return email


def validate_password(value: object) -> str:
    if not isinstance(value, str) or not MIN_PASSWORD_LENGTH <= len(value) \
            <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    return value


def generate_password() -> str:
    """A random password of 24 URL-safe characters (144 bits)."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def validate_role(value: object) -> str:
    if value not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    return str(value)


def create_user(r: Client, *, email: str, password: str, role: str = "admin",
                must_change_password: bool = False, now: float | None = None) -> User:
    """Create an account; raise InvalidInput naming the field, or Conflict if it exists."""
    user = User(email=normalize_email(email), password_hash=_hasher.hash(
        validate_password(password)), created_at=now or time.time(),
        role=validate_role(role), must_change_password=must_change_password)
    if not store.claim_user(r, user):
        raise Conflict(f"a user with e-mail {user.email!r} already exists", field="email")
    return user


def count_users(r: Client) -> int:
    return store.count_users(r)


def list_users(r: Client) -> list[User]:
    return store.list_users(r)


def require_user(r: Client, email: str) -> User:
    """The account, or AccountNotFound naming the e-mail."""
    user = get_user(r, email)
    if user is None:
        raise AccountNotFound(f"there is no user with e-mail {email!r}", field="email")
    return user


def set_role(r: Client, email: str, role: str) -> User:
    """Change the account's role; a demotion also ends its sessions, so that a
    browser left signed in elsewhere starts over with what the new role allows."""
    before = require_user(r, email)
    user = dataclasses.replace(before, role=validate_role(role))
    store.save_user(r, user)
    if ROLES.index(user.role) > ROLES.index(before.role):
        store.delete_sessions(r, user.email)
    return user


def reset_password(r: Client, email: str, password: str) -> User:
    """Set a one-time password; the user must choose a new one at the next sign-in."""
    user = dataclasses.replace(require_user(r, email),
                               password_hash=_hasher.hash(validate_password(password)),
                               must_change_password=True)
    store.save_user(r, user)
    store.delete_sessions(r, user.email)
    return user


def change_own_password(r: Client, email: str, current: str, new: str) -> User:
    """A signed-in user's own change: the current password must be right, the new
    one valid and different; clears a pending forced change. The caller ends the
    account's other sessions (end_other_sessions) and keeps its own."""
    user = authenticate(r, email, current)
    if user is None:
        raise InvalidInput("the current password is wrong", field="current_password")
    validate_password(new)
    if new == current:
        raise InvalidInput("the new password must differ from the current one",
                           field="new_password")
    user = dataclasses.replace(user, password_hash=_hasher.hash(new),
                               must_change_password=False)
    store.save_user(r, user)
    return user


def delete_user(r: Client, email: str) -> User:
    user = require_user(r, email)
    store.delete_user(r, user.email)
    store.delete_sessions(r, user.email)
    return user


def get_user(r: Client, email: str) -> User | None:
    try:
        return store.get_user(r, normalize_email(email))
    except InvalidInput:
        return None


def authenticate(r: Client, email: str, password: str) -> User | None:
    """The account if the password is right, else None (unknown e-mail or wrong password)."""
    user = get_user(r, email)
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user = dataclasses.replace(user, password_hash=_hasher.hash(password))
        store.save_user(r, user)
    return user


def change_password(r: Client, email: str, password: str) -> User:
    """Set a new password and end every session of the account (a stolen cookie too).

    Raises InvalidInput naming the field, or AccountNotFound.
    """
    user = get_user(r, email)
    if user is None:
        raise AccountNotFound(f"there is no user with e-mail {email!r}", field="email")
    user = dataclasses.replace(user, password_hash=_hasher.hash(validate_password(password)))
    store.save_user(r, user)
    store.delete_sessions(r, user.email)
    return user


# Sessions ---------------------------------------------------------------------
#
# The signed cookie names a session; Redis says whether it is still live, so
# signing out or changing the password ends it on the server, not only in
# the browser that asked. Only a digest of the session id is stored.

SESSION_ID_BYTES = 32


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(r: Client, user: User, *, max_age_seconds: float,
                  now: float | None = None) -> str:
    """A new session id for the account, live until ended or ``max_age_seconds`` old."""
    now = now or time.time()
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    store.save_session(r, user.email, _digest(session_id), now,
                       older_than=now - max_age_seconds)
    return session_id


def get_session_user(r: Client, email: str, session_id: str, *, max_age_seconds: float,
                     now: float | None = None) -> User | None:
    """The account, if this session of it is live and younger than ``max_age_seconds``."""
    try:
        email = normalize_email(email)
    except InvalidInput:
        return None
    user, signed_in_at = store.get_user_and_session(r, email, _digest(session_id))
    if user is None or signed_in_at is None \
            or (now or time.time()) - signed_in_at > max_age_seconds:
        return None
    return user


def end_other_sessions(r: Client, email: str, session_id: str) -> None:
    """End every session of the account except this one (after the user changed
    their own password: other devices, and a stolen cookie, must sign in again)."""
    with contextlib.suppress(InvalidInput):
        store.delete_sessions_except(r, normalize_email(email), _digest(session_id))


def end_session(r: Client, email: str, session_id: str) -> None:
    """Sign one session out; the account's other sessions (other devices) stay."""
    with contextlib.suppress(InvalidInput):
        store.delete_session(r, normalize_email(email), _digest(session_id))
