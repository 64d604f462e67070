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
# Conversions by how they were attributed: by a click id, by a referral code
# typed at checkout (channel "code"); the rest came by campaign and advocate.
CONVERSIONS_BY_CLICK = "conversions_by_click"
CONVERSIONS_BY_CODE = "conversions_by_code"
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


def split_two(fields: dict[str, str], first: str, second: str
              ) -> tuple[dict[str, int], dict[str, int]]:
    """split() under two prefixes in one pass over the fields."""
    one, other = first + ":", second + ":"
    found_one: dict[str, int] = {}
    found_other: dict[str, int] = {}
    for name, value in fields.items():
        if name.startswith(one):
            found_one[name[len(one):]] = int(value)
        elif name.startswith(other):
            found_other[name[len(other):]] = int(value)
    return found_one, found_other


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


# Schema 4: a month hash spells a day's counter short, as the day, one letter for
# the counter or its prefix, and the rest: "07cwhatsapp" is channel:whatsapp on the
# 7th, "07n" human clicks. Most of a month hash is field names, and a programme
# writes a few of them per advocate-day. "kind:human" is not kept there (it always
# equals "human"); the reader gives it back. Names without a letter, and month
# hashes written before schema 4, use "DD:<counter>".
_SHORT_NAMES = {HUMAN: "n", DARK: "k", VISITORS: "v", CONVERSIONS: "o",
                CONVERSION_VALUE: "w", THROTTLED: "t", CONVERSIONS_BY_CLICK: "i",
                CONVERSIONS_BY_CODE: "r"}
_SHORT_PREFIXES = {"kind": "K", "channel": "c", "device": "d", "country": "g",
                   "preview": "p", "hour": "h"}
_LONG_NAMES = {letter: name for name, letter in _SHORT_NAMES.items()}
_LONG_PREFIXES = {letter: prefix + ":" for prefix, letter in _SHORT_PREFIXES.items()}
KIND_HUMAN = "kind:human"


def kept_by_day(name: str) -> bool:
    """Whether a month hash keeps the counter: all but "kind:human", which "human" gives."""
    return name != KIND_HUMAN


def day_field(day: str, name: str) -> str:
    """A counter of one day in its month hash: ("20260107", "channel:whatsapp") ->
    "07cwhatsapp", ("20260107", "human") -> "07n"."""
    letter = _SHORT_NAMES.get(name)
    if letter is not None:
        return day[6:8] + letter
    prefix, colon, rest = name.partition(":")
    letter = _SHORT_PREFIXES.get(prefix) if colon else None
    if letter is not None:
        return day[6:8] + letter + rest
    return f"{day[6:8]}:{name}"


def counter_of_field(field: str) -> str:
    """The counter a month hash field names, without its day: "07cwhatsapp" ->
    "channel:whatsapp"; "07:channel:whatsapp" (before schema 4) too."""
    return _counter_of_short(field[2:])


# A month hash's fields repeat the same few hundred names day after day: each is
# spelled out once per process (a busy advocate's 90 days are some 6,000 fields).
_SPELLED: dict[str, str] = {}
_SPELLED_MAX = 20_000


def _spelled(short: str) -> str:
    name = _SPELLED.get(short)
    if name is None:
        name = _counter_of_short(short)
        if len(_SPELLED) < _SPELLED_MAX:
            _SPELLED[short] = name
    return name


def _counter_of_short(short: str) -> str:
    if short[:1] == ":":
        return short[1:]
    if len(short) == 1 and short in _LONG_NAMES:
        return _LONG_NAMES[short]
    prefix = _LONG_PREFIXES.get(short[:1])
    return prefix + short[1:] if prefix is not None else short


def _added(one: str, other: str) -> str:
    try:
        return str(int(one) + int(other))
    except ValueError:
        return repr(float(one) + float(other))


def _with_kind_human(fields: dict[str, str]) -> dict[str, str]:
    if HUMAN in fields:
        fields[KIND_HUMAN] = fields[HUMAN]
    return fields


def fields_of_day(month_fields: dict[str, str], day: str) -> dict[str, str]:
    """One day's counters out of a month hash: {"07n": "3"} -> {"human": "3",
    "kind:human": "3"}."""
    return split_days(month_fields).get(day[6:8], {})


def split_days(month_fields: dict[str, str]) -> dict[str, dict[str, str]]:
    """A month hash as {"07": {"human": "3", "kind:human": "3", ...}, ...}, whichever
    spelling its fields use (a counter in both is summed)."""
    days: dict[str, dict[str, str]] = {}
    spelled = _SPELLED
    for field, value in month_fields.items():
        day = field[:2]
        fields = days.get(day)
        if fields is None:
            fields = days[day] = {}
        short = field[2:]
        name = spelled.get(short) or _spelled(short)
        if name in fields:
            fields[name] = _added(fields[name], value)
        else:
            fields[name] = value
    for fields in days.values():
        _with_kind_human(fields)
    return days


# Schema 3: the programme day hash sums every campaign's counters of a day and keeps,
# per campaign, the figures its row of the overview shows (schema 6: with conversions
# by click and by code).
CAMPAIGN_FIGURES = (HUMAN, DARK, VISITORS, CONVERSIONS, CONVERSION_VALUE,
                    CONVERSIONS_BY_CLICK, CONVERSIONS_BY_CODE)
CAMPAIGN_PREFIX = "campaign"


def campaign_field(campaign_id: str, name: str) -> str:
    """A campaign's figure in the programme day hash: ("7", "human") -> "campaign:7:human"."""
    return f"{CAMPAIGN_PREFIX}:{campaign_id}:{name}"
