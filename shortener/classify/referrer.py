"""Read a referrer: which channel an `android-app://` package or a host names.

Hosts are matched by suffix on label boundaries, so unseen subdomains work,
and rows written as "brand.*" match the brand under any top-level or country
domain ("google.*" matches www.google.co.uk). The tables live in `rules.py`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from shortener.classify import rules

MAX_REFERRER_LENGTH = 2048
MAX_HOST_LABELS = 16
REFERRER_CACHE_ENTRIES = 4096

_EXACT_HOSTS = {
    row.host: row.channel for row in rules.REFERRER_HOSTS if not row.host.endswith(".*")
}
_BRAND_HOSTS = {
    row.host[:-2]: row.channel for row in rules.REFERRER_HOSTS if row.host.endswith(".*")
}
_EXACT_APPS = {row.app_id.lower(): row.channel for row in rules.ANDROID_APPS
               if not row.app_id.endswith(".")}
_APP_PREFIXES = tuple((row.app_id.lower(), row.channel) for row in rules.ANDROID_APPS
                      if row.app_id.endswith("."))


class ReferrerVerdict(NamedTuple):
    """The channel a referrer names and the signal that named it."""

    channel: str
    signal: str
    confidence: float


def split_referrer(referrer: str) -> tuple[str, str]:
    """Return (scheme, host) of a referrer in lower case, or ("", "") if it has none."""
    try:
        parts = urlsplit(referrer.strip())
        host = parts.hostname or ""
        scheme = parts.scheme
    except ValueError:  # "http://[::1" and friends: no usable host
        return "", ""
    return scheme.lower(), host.lower().rstrip(".")


def channel_of_app(app_id: str) -> str | None:
    """Return the channel of an Android package id, or None if unlisted."""
    app_id = app_id.lower()
    if channel := _EXACT_APPS.get(app_id):
        return channel
    for prefix, channel in _APP_PREFIXES:
        if app_id.startswith(prefix):
            return channel
    return None


def _public_suffix_labels(labels: list[str]) -> int:
    """How many trailing labels are the public suffix: 2 for "co.uk", else 1."""
    if len(labels) >= 3 and labels[-2] in rules.SECOND_LEVEL_LABELS and len(labels[-1]) == 2:
        return 2
    return 1


def channel_of_host(host: str) -> str | None:
    """Return the channel a referrer host belongs to, or None if unlisted.

    The longest matching suffix wins; at equal length an exact row beats a brand row.
    """
    labels = host.split(".")[-MAX_HOST_LABELS:]
    if len(labels) < 2:
        return None
    tld = _public_suffix_labels(labels)
    for start in range(len(labels) - 1):
        if channel := _EXACT_HOSTS.get(".".join(labels[start:])):
            return channel
        if start < len(labels) - tld and (
            channel := _BRAND_HOSTS.get(".".join(labels[start:len(labels) - tld]))
        ):
            return channel
    return None


@lru_cache(maxsize=REFERRER_CACHE_ENTRIES)
def read_referrer(referrer: str) -> ReferrerVerdict | None:
    """Classify a cropped referrer; None when it carries no usable origin."""
    scheme, host = split_referrer(referrer)
    if not host:
        return None
    if scheme == "android-app":
        channel = channel_of_app(host)
        if channel:
            return ReferrerVerdict(channel, "android_app_referrer", 0.85)
        # An unlisted app still told us a person came from inside an app.
        return ReferrerVerdict("referral", "android_app_referrer", 0.5)
    if scheme not in ("http", "https"):
        return None
    channel = channel_of_host(host)
    if channel:
        return ReferrerVerdict(channel, "referrer_host", 0.8)
    return ReferrerVerdict("referral", "referrer_host", 0.6)
