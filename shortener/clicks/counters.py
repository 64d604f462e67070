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


# Schema 2: unique visitors are counted when written, per day and in all-time totals;
# links and advocates keep their days as fields of one hash per month.
VISITORS = "visitors"
MONTH_TTL_SECONDS = DAY_TTL_SECONDS + 31 * 86400
# A day's visitor hashes use that day's salt, kept two days; a HyperLogLog only
# has to outlive the clicks (and spooled batches) that can still name its day.
VISITOR_TTL_SECONDS = 3 * 86400


def month_of(day: str) -> str:
    """"20260107" -> "202601"."""
    return day[:6]


def day_field(day: str, name: str) -> str:
    """A counter of one day in its month hash: ("20260107", "human") -> "07:human"."""
    return f"{day[6:8]}:{name}"


def fields_of_day(month_fields: dict[str, str], day: str) -> dict[str, str]:
    """One day's counters out of a month hash: {"07:human": "3"} -> {"human": "3"}."""
    prefix = day[6:8] + ":"
    return {name[3:]: value for name, value in month_fields.items() if name.startswith(prefix)}


def split_days(month_fields: dict[str, str]) -> dict[str, dict[str, str]]:
    """A month hash as {"07": {"human": "3", ...}, ...}."""
    days: dict[str, dict[str, str]] = {}
    for name, value in month_fields.items():
        days.setdefault(name[:2], {})[name[3:]] = value
    return days


# Schema 3: the programme day hash sums every campaign's counters of a day and keeps,
# per campaign, the figures its row of the overview shows.
CAMPAIGN_FIGURES = (HUMAN, DARK, VISITORS, CONVERSIONS, CONVERSION_VALUE)
CAMPAIGN_PREFIX = "campaign"


def campaign_field(campaign_id: str, name: str) -> str:
    """A campaign's figure in the programme day hash: ("7", "human") -> "campaign:7:human"."""
    return f"{CAMPAIGN_PREFIX}:{campaign_id}:{name}"


# Conversions by how they were attributed: by a click id, by a referral code
# typed at checkout (channel "code"); the rest came by campaign and advocate.
CONVERSIONS_BY_CLICK = "conversions_by_click"
CONVERSIONS_BY_CODE = "conversions_by_code"
