"""Short codes: hashids over a Redis counter, custom aliases and their rules."""

from __future__ import annotations

import re
from functools import lru_cache

from hashids import Hashids

from shortener.errors import InvalidAlias
from shortener.links import rules
from shortener.links.rules import MAX_ALIAS_LENGTH, MIN_ALIAS_LENGTH

ALIAS_PATTERN = re.compile(rules.ALIAS_CHARACTERS)
# Anything a code or alias can be; the redirect drops other paths before Redis.
CODE_PATTERN = re.compile(rules.CODE)

# First path segments the app serves itself, and words that would mislead.
RESERVED_WORDS = frozenset({
    "api", "s", "static", "healthz", "readyz", "metrics", "login", "logout",
    "dashboard", "admin", "docs", "favicon.ico", "robots.txt", "assets",
    "account", "settings", "help", "about", "www",
})


@lru_cache(maxsize=8)
def _hashids(salt: str, min_length: int, alphabet: str) -> Hashids:
    return Hashids(salt=salt, min_length=min_length, alphabet=alphabet)


def encode_code(number: int, *, salt: str, min_length: int, alphabet: str) -> str:
    return _hashids(salt, min_length, alphabet).encode(number)


def is_code_shaped(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text) is not None


def validate_alias(alias: str) -> str:
    """Return the alias if it may be used; raise InvalidAlias naming the problem."""
    if not isinstance(alias, str):
        raise InvalidAlias("alias must be a string", field="alias")
    if not MIN_ALIAS_LENGTH <= len(alias) <= MAX_ALIAS_LENGTH:
        raise InvalidAlias(
            f"alias must be {MIN_ALIAS_LENGTH} to {MAX_ALIAS_LENGTH} characters long",
            field="alias",
        )
    if not ALIAS_PATTERN.fullmatch(alias):
        raise InvalidAlias(
            "alias may hold letters, digits, '-' and '_', and must start with a letter or digit",
            field="alias",
        )
    if alias.lower() in RESERVED_WORDS:
        raise InvalidAlias(f"alias {alias!r} is reserved", field="alias")
    return alias


def is_short_link_path(path: str) -> bool:
    """True for a path the redirect serves: one segment, code-shaped, not reserved.

    Decided from the path alone, before Flask matches a route, so that work
    the redirect never needs (a session, for one) can be skipped early.
    """
    code = path[1:]
    return (path.startswith("/") and is_code_shaped(code)
            and code.lower() not in RESERVED_WORDS)
