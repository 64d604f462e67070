"""Where a click goes: destination checks and the UTM merge.

Precedence of UTM values, strongest first: the destination URL's own query
(never touched), the link's overrides, the campaign's defaults, the advocate
as ``utm_content``, and, where the campaign opts in, the classified channel
as ``utm_source``/``utm_medium``. Our parameters are appended to the raw
query string, so the destination's own query (order, repeated keys,
encoding) and fragment reach it byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from shortener.errors import InvalidDestination, InvalidInput
from shortener.links.models import UTM_FIELDS, Campaign, Link

MAX_DESTINATION_LENGTH = 4096
MAX_UTM_LENGTH = 200
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# utm_medium written for a classified channel, where the campaign opts in.
CHANNEL_MEDIUM = {
    "email": "email",
    "search": "organic",
    "referral": "referral",
    **{name: "social" for name in (
        "facebook", "instagram", "linkedin", "twitter", "tiktok", "social_other")},
    **{name: "messaging" for name in (
        "whatsapp", "telegram", "messenger", "signal", "imessage", "wechat", "line",
        "slack", "discord", "snapchat")},
}


def validate_destination(
    url: object, *, field: str = "destination", allowed_hosts: Sequence[str] = ()
) -> str:
    """Return the URL if a click may be sent there; raise InvalidDestination otherwise."""
    if not isinstance(url, str) or not url:
        raise InvalidDestination(f"{field} must be a non-empty URL", field=field)
    if len(url) > MAX_DESTINATION_LENGTH:
        raise InvalidDestination(
            f"{field} is longer than {MAX_DESTINATION_LENGTH} characters", field=field
        )
    if _CONTROL_OR_SPACE.search(url):
        raise InvalidDestination(
            f"{field} contains spaces or control characters; percent-encode them", field=field
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        raise InvalidDestination(f"{field} is not a valid URL", field=field) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise InvalidDestination(f"{field} must start with http:// or https://", field=field)
    if not host:
        raise InvalidDestination(f"{field} has no host", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidDestination(f"{field} must not carry a user name or password", field=field)
    if allowed_hosts and not host_allowed(host, allowed_hosts):
        raise InvalidDestination(
            f"{field} host {host!r} is not among the campaign's allowed hosts", field=field
        )
    return url


def host_allowed(host: str, allowed_hosts: Sequence[str]) -> bool:
    """True when host equals an allowed host, or is below a ``*.`` entry."""
    host = host.lower().rstrip(".")
    for allowed in allowed_hosts:
        allowed = allowed.lower()
        if allowed.startswith("*."):
            if host == allowed[2:] or host.endswith(allowed[1:]):
                return True
        elif host == allowed:
            return True
    return False


def validate_utm(values: object, *, field: str = "utm") -> dict[str, str]:
    """Return the UTM mapping cleaned of empty values; raise InvalidInput naming the key."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InvalidInput(f"{field} must be an object of UTM parameters", field=field)
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        name = f"{field}.{key}"
        if key not in UTM_FIELDS:
            raise InvalidInput(f"{name} is not a UTM parameter ({', '.join(UTM_FIELDS)})",
                               field=name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string", field=name)
        if len(value) > MAX_UTM_LENGTH or _CONTROL.search(value):
            raise InvalidInput(
                f"{name} must be at most {MAX_UTM_LENGTH} characters without control characters",
                field=name,
            )
        cleaned[key] = value
    return cleaned


def utm_for_click(campaign: Campaign, link: Link, channel: str | None) -> dict[str, str]:
    """The UTM values we would add, before the destination's own query is consulted."""
    merged: dict[str, str] = {}
    if campaign.channel_utm and channel in CHANNEL_MEDIUM:
        merged["utm_source"] = channel
        merged["utm_medium"] = CHANNEL_MEDIUM[channel]
    merged["utm_content"] = link.advocate
    merged.update(campaign.utm)
    merged.update(link.utm)
    return merged


def build_destination_url(
    campaign: Campaign,
    link: Link,
    *,
    click_id: str,
    click_id_param: str,
    channel: str | None = None,
) -> str:
    destination = link.destination or campaign.destination
    base, hash_mark, fragment = destination.partition("#")
    path, _, query = base.partition("?")
    present = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    added = [
        (name, value)
        for name, value in utm_for_click(campaign, link, channel).items()
        if name not in present
    ]
    added.append((click_id_param, click_id))
    extra = urlencode(added, quote_via=quote, safe="")
    query = f"{query}&{extra}" if query else extra
    return f"{path}?{query}{hash_mark}{fragment}"
