"""Every input rule of the catalogue, written once.

The domain (campaigns, advocates, codes, minting, destination) enforces
these; the API schemas, the dashboard forms, the CLI and the CSV importer
read them from here and never spell a limit or a pattern again, so the four
cannot drift apart (tests/unit/test_rules.py checks that they agree).

Patterns are written unanchored, as ``re.fullmatch`` reads them;
``anchored()`` gives the JSON Schema spelling, which matches anywhere
unless anchored.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from shortener.errors import InvalidInput

# Referral codes ----------------------------------------------------------------
# Codes are read aloud and typed: their random part uses Crockford's base32
# alphabet without 0 and 1 (and so without O, I, L, U), and a campaign's own
# prefix is a few letters and digits.
REFERRAL_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_CODE_PREFIX_LENGTH = 8
CODE_PREFIX = rf"[A-Za-z0-9]{{1,{MAX_CODE_PREFIX_LENGTH}}}"
# What a customer may type for a code: letters, digits, dashes and spaces.
MAX_REFERRAL_CODE_LENGTH = 32

# Destinations ----------------------------------------------------------------
MAX_DESTINATION_LENGTH = 4096
MAX_UTM_LENGTH = 200
MAX_HOST_LENGTH = 253
MAX_ALLOWED_HOSTS = 100
# A DNS name: dot-separated labels of letters, digits and inner hyphens.
HOST_NAME = (r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
             r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# An allowed_hosts entry: a host name, or ``*.`` and a host name for its
# subdomains; MAX_HOST_LENGTH characters at most, ``*.`` included.
ALLOWED_HOST = rf"(?:\*\.)?{HOST_NAME}"

# Campaigns -------------------------------------------------------------------
MAX_NAME_LENGTH = 200
MAX_AMOUNT = 1e12
MAX_REWARD_GOAL = 10**9
# Reward tiers and the friend incentive shown on the share page.
MAX_REWARD_TIERS = 10
MAX_REWARD_NAME_LENGTH = 100
MAX_TIER_CONVERSIONS = 10**6
MAX_FRIEND_INCENTIVE_LENGTH = 200
CURRENCY = r"[A-Za-z]{3}"
DEFAULT_CURRENCY = "EUR"

# Advocates -------------------------------------------------------------------
MAX_EXTERNAL_ID_LENGTH = 128
MAX_PERSONAL_FIELD_LENGTH = 200
# Ids from shops and CRMs: numbers, UUIDs, handles, e-mail-shaped ids.
# Braces and whitespace are refused because the id becomes part of Redis keys.
EXTERNAL_ID = rf"[A-Za-z0-9][A-Za-z0-9._@+:-]{{0,{MAX_EXTERNAL_ID_LENGTH - 1}}}"

# Links -----------------------------------------------------------------------
MIN_ALIAS_LENGTH = 3
MAX_ALIAS_LENGTH = 64
MAX_CODE_LENGTH = 64
ALIAS_CHARACTERS = r"[A-Za-z0-9][A-Za-z0-9_-]*"
ALIAS = rf"[A-Za-z0-9][A-Za-z0-9_-]{{{MIN_ALIAS_LENGTH - 1},{MAX_ALIAS_LENGTH - 1}}}"
CODE = rf"[A-Za-z0-9_-]{{1,{MAX_CODE_LENGTH}}}"
MAX_CLICKS_LIMIT = 10**9
# Times the service stores: after the epoch and before 2100, so that every
# time renders as RFC 3339 in any offset (year 9999 minus five hours does not).
MAX_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MAX_TIMESTAMP = MAX_TIME.timestamp()


def anchored(pattern: str) -> str:
    """The pattern as JSON Schema needs it: anchored at both ends."""
    return f"^(?:{pattern})$"


def whole_number(value: object, *, field: str, minimum: int, maximum: int) -> int:
    """An integer in [minimum, maximum]; 5.0 counts as 5 (JSON does not tell them apart).

    Raises InvalidInput naming the field for booleans, text, fractions and
    anything out of range.
    """
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) \
            or not minimum <= value <= maximum:
        raise InvalidInput(f"{field} must be a whole number from {minimum} to {maximum}",
                           field=field)
    return value


def amount(value: object, *, field: str) -> float | None:
    """A finite number from 0 to MAX_AMOUNT, or None; raise InvalidInput naming the field."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field} must be a number", field=field)
    if not math.isfinite(value) or not 0 <= value <= MAX_AMOUNT:
        raise InvalidInput(f"{field} must be a finite number from 0 to {MAX_AMOUNT:.0e}",
                           field=field)
    return float(value)


def timestamp(value: object, *, field: str) -> float:
    """Seconds since the epoch, before MAX_TIME; raise InvalidInput naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not 0 <= value < MAX_TIMESTAMP:
        raise InvalidInput(f"{field} must be a time before {MAX_TIME:%Y-%m-%d}", field=field)
    return float(value)


def matches(pattern: str, value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None
