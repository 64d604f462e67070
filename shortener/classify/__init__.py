"""Classify a click: human or bot, which channel, dark or not.

Pure: no Flask, no Redis, no clock, and it never raises. The caller passes
every signal in (the recording step looks up the recent preview fetch).
Signals are tried strongest first; the first that names a channel decides:
channel tag, utm parameters, in-app browser, android-app referrer, referrer
host, recent preview fetch, and otherwise `direct`. Bots are told apart from
people by the user agent alone, before any of that. The vendor facts live in
`rules.py`; docs/classification.md explains the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

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
    "MAX_REFERRER_LENGTH",
    "MAX_USER_AGENT_LENGTH",
    "Classification",
    "classify",
    "is_dark",
    "normalize_channel",
]

KINDS = ("human", "preview_bot", "scanner", "crawler")
CHANNELS = (
    "whatsapp", "telegram", "facebook", "messenger", "instagram", "linkedin",
    "twitter", "tiktok", "snapchat", "wechat", "line", "slack", "discord",
    "signal", "imessage", "email", "search", "social_other", "referral",
    "direct",
)
DARK_CHANNELS = frozenset({
    "whatsapp", "telegram", "messenger", "signal", "imessage", "wechat",
    "line", "slack", "discord", "snapchat", "email", "direct",
})

# How sure each deciding signal is; docs/classification.md gives the reasons.
CONFIDENCE = {
    "channel_tag": 0.95,
    "utm": 0.9,
    "in_app_browser": 0.9,
    "android_app_referrer": 0.85,
    "referrer_host": 0.8,
    "recent_preview": 0.6,
    "no_referrer": 0.3,
}

MAX_TAG_LENGTH = 64
MAX_QUERY_VALUE_LENGTH = 256
UTM_KEYS = ("utm_source", "utm_medium")
_CHANNEL_SET = frozenset(CHANNELS)


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def classify(
    user_agent: str | None = None,
    referrer: str | None = None,
    query: Mapping[str, str] | None = None,
    channel_tag: str | None = None,
    recent_preview: str | None = None,
) -> Classification:
    """Classify one click. Never raises; unusable arguments count as absent."""
    agent = read_user_agent(crop_user_agent(_crop(user_agent, MAX_USER_AGENT_LENGTH)))
    device, os, browser = agent.device, agent.os, agent.browser
    if agent.kind != "human":
        return Classification(agent.kind, agent.channel, None, agent.signal or agent.kind,
                              agent.confidence, device, os, browser)

    def human(channel: str, signal: str, confidence: float | None = None) -> Classification:
        sure = CONFIDENCE[signal] if confidence is None else confidence
        return Classification("human", channel, is_dark(channel), signal, sure, device, os, browser)

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
