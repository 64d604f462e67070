"""Names of the counters kept per link, campaign and advocate (totals and per day).

The write side (recording, conversions) and the read side (analytics) both
use these, so a name is spelled once.
"""

from __future__ import annotations

HUMAN = "human"
DARK = "dark"
CONVERSIONS = "conversions"
CONVERSION_VALUE = "conversion_value"
THROTTLED = "throttled"
DAY_TTL_SECONDS = 400 * 86400


def kind(name: str) -> str:
    return f"kind:{name}"


def channel(name: str) -> str:
    return f"channel:{name}"


def device(name: str) -> str:
    return f"device:{name}"


def country(code: str) -> str:
    """Human clicks from one country (ISO 3166-1 alpha-2, from the address's registry)."""
    return f"country:{code}"


def preview(channel_name: str | None) -> str:
    return f"preview:{channel_name or 'other'}"


def hour(hh: int) -> str:
    """Human clicks in one UTC hour of the day (day hashes only)."""
    return f"hour:{hh:02d}"


def split(fields: dict[str, str], prefix: str) -> dict[str, int]:
    """The counters under one prefix, without it: {"kind:human": "3"} -> {"human": 3}."""
    start = len(prefix) + 1
    return {
        name[start:]: int(value)
        for name, value in fields.items()
        if name.startswith(prefix + ":")
    }
