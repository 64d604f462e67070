"""Classify a click: human or bot, which channel, dark or not.

Pure: no Flask, no Redis, no clock, and it never raises. The caller passes
every signal in (the recording step looks up the recent preview fetch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

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


def is_dark(channel: str | None) -> bool:
    return channel in DARK_CHANNELS


def normalize_channel(value: str | None) -> str | None:
    """Return the taxonomy channel named by a tag, or None if it names none."""
    if not value:
        return None
    value = value.strip().lower()
    return value if value in CHANNELS else None


def classify(
    user_agent: str | None = None,
    referrer: str | None = None,
    query: Mapping[str, str] | None = None,
    channel_tag: str | None = None,
    recent_preview: str | None = None,
) -> Classification:
    tagged = normalize_channel(channel_tag)
    if tagged:
        return Classification("human", tagged, is_dark(tagged), "channel_tag", 0.9)
    host = ""
    if referrer:
        try:
            host = (urlsplit(referrer).hostname or "").lower()
        except ValueError:
            host = ""
    if not host:
        return Classification("human", "direct", True, "no_referrer", 0.3)
    return Classification("human", "referral", False, "referrer_host", 0.5)
