"""Classify a click: human or bot, which channel, dark or not.

Pure: no Flask, no Redis, no clock, and it never raises. The caller passes
every signal in (the recording step looks up the recent preview fetch).
Signals are tried strongest first; the first that names a channel decides:
channel tag, utm parameters, in-app browser, android-app referrer, referrer
host, recent preview fetch, and otherwise `direct`. Bots are told apart from
people before any of that, by the user agent (a person's looks like a
browser's) and by the network class of the address, which the caller looks
up (shortener/clicks/network.py) and passes in with the country. The vendor facts live in
`rules.py`; docs/classification.md explains the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from shortener.classify.confidence import MEASURED
from shortener.classify.referrer import MAX_REFERRER_LENGTH, read_referrer
from shortener.classify.rules import CHANNEL_ALIASES
from shortener.classify.user_agent import (
    MAX_USER_AGENT_LENGTH,
    crop_user_agent,
    read_user_agent,
)

__all__ = [
    "CHANNELS",
    "CONFIDENCE",
    "DARK_CHANNELS",
    "KINDS",
    "LINK_CHANNELS",
    "MACHINE_NETWORKS",
    "MAX_REFERRER_LENGTH",
    "MAX_USER_AGENT_LENGTH",
    "Classification",
    "classify",
    "explain",
    "is_dark",
    "normalize_channel",
]

KINDS = ("human", "preview_bot", "scanner", "crawler")
CHANNELS = (
    "whatsapp", "telegram", "facebook", "messenger", "instagram", "linkedin",
    "twitter", "tiktok", "snapchat", "wechat", "line", "slack", "discord",
    "signal", "imessage", "email", "search", "social_other", "referral",
    "direct", "code",
)
# How user_agent.py describes the device of a human click (counters.device).
DEVICES = ("mobile", "tablet", "desktop", "other")
DARK_CHANNELS = frozenset({
    "whatsapp", "telegram", "messenger", "signal", "imessage", "wechat",
    "line", "slack", "discord", "snapchat", "email", "direct", "code",
})
# Channels no click arrives by: a referral code travels by voice, print or
# screenshot and books conversions only; links, tags and shares take the rest.
UNLINKED_CHANNELS = frozenset({"code"})
LINK_CHANNELS = tuple(channel for channel in CHANNELS if channel not in UNLINKED_CHANNELS)

# How sure each deciding signal is when the corpora have not measured it
# (shortener/classify/confidence.py holds the measured values, which win).
CONFIDENCE = {
    "channel_tag": 0.95,
    "utm": 0.9,
    "in_app_browser": 0.9,
    "android_app_referrer": 0.85,
    "referrer_host": 0.8,
    "recent_preview": 0.6,
    "no_referrer": 0.3,
    "hosting_network": 0.8,
}
# Network classes whose addresses are machines (see shortener/clicks/network.py).
MACHINE_NETWORKS = frozenset({"hosting", "bot"})
MAX_COUNTRY_LENGTH = 2
MAX_NETWORK_LENGTH = 16

MAX_TAG_LENGTH = 64
MAX_QUERY_VALUE_LENGTH = 256
UTM_KEYS = ("utm_source", "utm_medium")
_CHANNEL_SET = frozenset(LINK_CHANNELS)


@dataclass(frozen=True, slots=True)
class Classification:
    kind: str
    channel: str | None
    dark: bool | None
    signal: str
    confidence: float
    device: str = "other"
    os: str = "other"
    browser: str = "other"
    country: str = ""
    network: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(result: Classification) -> dict[str, Any]:
    """The classification with what a reader needs to see why: which rule decided,
    how sure that rule is measured to be, and the data behind the rules."""
    from shortener.classify.user_agent import BOT_LISTS

    return {
        **result.to_dict(),
        "counted": result.kind == "human",
        "bot_lists": {source.name: source.version for source in BOT_LISTS.sources},
    }


def is_dark(channel: str | None) -> bool:
    return channel in DARK_CHANNELS


def normalize_channel(value: object) -> str | None:
    """Return the taxonomy channel a tag or utm value names, or None if it names none.

    Accepts the channel names, the aliases in `rules.CHANNEL_ALIASES` ("wa", "fb",
    "x", "mail", "e-mail"; "sms" means `direct`), any case, spaces or dashes for
    underscores, and a host such as "m.facebook.com" or "t.co".
    """
    if not isinstance(value, str) or not value:
        return None
    key = value[:MAX_TAG_LENGTH].strip().lower()
    if key in _CHANNEL_SET:
        return key
    if channel := CHANNEL_ALIASES.get(key):
        return channel
    underscored = key.replace("-", "_").replace(" ", "_")
    if underscored in _CHANNEL_SET:
        return underscored
    if channel := CHANNEL_ALIASES.get(underscored):
        return channel
    if "." in key:
        verdict = read_referrer("https://" + key.split("/", 1)[0])
        if verdict and verdict.channel != "referral":
            return verdict.channel
    return None


def _channel_from_query(query: Mapping[str, str] | None) -> str | None:
    if not query:
        return None
    try:
        for key in UTM_KEYS:
            value = query.get(key)
            if isinstance(value, str) and (channel := normalize_channel(value)):
                return channel
    except Exception:  # a caller's odd Mapping must not cost the click
        return None
    return None


def _crop(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _crop_code(value: object, limit: int) -> str:
    """A short code as passed in (country, network class); anything odd counts as absent."""
    if not isinstance(value, str) or len(value) > limit or not value.isascii():
        return ""
    return value if value.replace("_", "").isalnum() else ""


def classify(
    user_agent: str | None = None,
    referrer: str | None = None,
    query: Mapping[str, str] | None = None,
    channel_tag: str | None = None,
    recent_preview: str | None = None,
    network: str | None = None,
    country: str | None = None,
) -> Classification:
    """Classify one click. Never raises; unusable arguments count as absent.

    ``network`` and ``country`` are what shortener.clicks.network derived from
    the client's address; they are carried into the result, and a person-looking
    request from a machine network (hosting, cloud, a declared crawler's range)
    is a crawler.
    """
    agent = read_user_agent(crop_user_agent(_crop(user_agent, MAX_USER_AGENT_LENGTH)))
    device, os, browser = agent.device, agent.os, agent.browser
    network = _crop_code(network, MAX_NETWORK_LENGTH)
    country = _crop_code(country, MAX_COUNTRY_LENGTH).upper()
    if agent.kind != "human":
        return Classification(agent.kind, agent.channel, None, agent.signal or agent.kind,
                              agent.confidence, device, os, browser, country, network)
    if network in MACHINE_NETWORKS:
        return Classification("crawler", None, None, "hosting_network",
                              MEASURED.get("hosting_network", CONFIDENCE["hosting_network"]),
                              "bot", os, browser, country, network)

    def human(channel: str, signal: str, confidence: float | None = None) -> Classification:
        if confidence is None:
            confidence = CONFIDENCE[signal]
        sure = MEASURED.get(signal, confidence)
        return Classification("human", channel, is_dark(channel), signal, sure, device, os,
                              browser, country, network)

    if channel := normalize_channel(channel_tag):
        return human(channel, "channel_tag")
    if channel := _channel_from_query(query):
        return human(channel, "utm")
    if agent.channel:
        return human(agent.channel, "in_app_browser")
    verdict = read_referrer(_crop(referrer, MAX_REFERRER_LENGTH))
    if verdict:
        return human(verdict.channel, verdict.signal, verdict.confidence)
    if (channel := normalize_channel(recent_preview)) and channel not in ("referral", "direct"):
        return human(channel, "recent_preview")
    return human("direct", "no_referrer")
