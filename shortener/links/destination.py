"""Where a click goes: destination checks, the UTM merge and the click id.

Precedence of UTM values, strongest first: the destination URL's own query
(never touched), the link's overrides, the campaign's defaults, the advocate
as ``utm_content``, and, where the campaign opts in, the classified channel
as ``utm_source``/``utm_medium``. Our parameters are appended to the raw
query string, so the destination's own query (order, repeated keys,
encoding) and fragment reach it byte for byte.

A click id is ``<code>.<token>``: the token is 9 random bytes and the first
9 bytes of a MAC (keyed BLAKE2b) over the code and those bytes, keyed by the
instance's click id key, in URL-safe base64 (24 characters). The
conversion endpoint checks it with the key alone, so the redirect stores
nothing to make it checkable. Only a counted human click gets a token that
verifies as convertible; a HEAD, a preview fetch, a scanner or a crawler
gets one signed for another purpose, so it can never book a conversion.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, quote, urlencode

from ada_url import URL, HostType

from shortener.errors import InvalidClickId, InvalidDestination, InvalidInput
from shortener.links.models import UTM_FIELDS, Campaign, Link
from shortener.links.rules import MAX_DESTINATION_LENGTH, MAX_HOST_LENGTH, MAX_UTM_LENGTH

_SCHEME = re.compile(r"https?://", re.IGNORECASE)
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
    """The URL as a browser would follow it, if a click may be sent there.

    Parsed by the WHATWG URL rules (ada, the parser Node uses), so the host
    checked is the host a browser visits: backslashes count as slashes,
    IPv4 written in decimal, hex or octal becomes dotted, names are
    IDNA-encoded and lower-cased, percent-escapes in the host are decoded.
    The normalised URL is what is returned, stored and redirected to.
    Raises InvalidDestination naming the field.
    """
    if not isinstance(url, str) or not url:
        raise InvalidDestination(f"{field} must be a non-empty URL", field=field)
    if len(url) > MAX_DESTINATION_LENGTH:
        raise InvalidDestination(
            f"{field} is longer than {MAX_DESTINATION_LENGTH} characters", field=field
        )
    # Browsers drop tabs and newlines anywhere and spaces at the ends; a URL
    # that needs that is refused rather than guessed at.
    if _CONTROL_OR_SPACE.search(url):
        raise InvalidDestination(
            f"{field} contains spaces or control characters; percent-encode them", field=field
        )
    if not _SCHEME.match(url):
        raise InvalidDestination(f"{field} must start with http:// or https://", field=field)
    if not _authority(url):
        raise InvalidDestination(f"{field} has no host", field=field)
    try:
        parsed = URL(url)
    except ValueError:
        raise InvalidDestination(f"{field} is not a valid URL", field=field) from None
    if parsed.protocol not in {"http:", "https:"}:
        raise InvalidDestination(f"{field} must start with http:// or https://", field=field)
    if parsed.username or parsed.password or "@" in _authority(url):
        raise InvalidDestination(f"{field} must not carry a user name or password", field=field)
    host = parsed.hostname
    if not host or (parsed.host_type == HostType.DEFAULT and not _host_name_shaped(host)):
        raise InvalidDestination(f"{field} has no valid host", field=field)
    if allowed_hosts and not host_allowed(host, allowed_hosts):
        raise InvalidDestination(
            f"{field} host {host!r} is not among the campaign's allowed hosts", field=field
        )
    normalised = parsed.href
    if len(normalised) > MAX_DESTINATION_LENGTH:
        raise InvalidDestination(
            f"{field} is longer than {MAX_DESTINATION_LENGTH} characters once normalised",
            field=field,
        )
    return normalised


def _authority(url: str) -> str:
    """What a browser reads as user info, host and port: up to the first / \\ ? or #."""
    rest = _SCHEME.sub("", url, count=1).lstrip("/\\")
    return re.split(r"[/\\?#]", rest, maxsplit=1)[0]


def allowed_link_hosts(campaign: Campaign) -> Sequence[str]:
    """Where a link of the campaign may send clicks.

    The campaign's allowed hosts; with none set, only the host of the
    campaign's own destination, so an API key cannot turn a campaign's links
    into redirects to anywhere.
    """
    if campaign.allowed_hosts:
        return campaign.allowed_hosts
    # An unparsable stored destination yields "", which matches no host.
    return (destination_host(campaign.destination),)


def destination_host(url: str) -> str:
    """The host a browser visits for a destination that passed validate_destination."""
    try:
        return URL(url).hostname
    except ValueError:
        return ""


def _host_name_shaped(host: str) -> bool:
    """No empty labels: ``...shop.example`` (from ``%2e%2e.``) is no host a click can reach."""
    bare = host[:-1] if host.endswith(".") else host
    return len(bare) <= MAX_HOST_LENGTH and all(bare.split("."))


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


# Click ids ----------------------------------------------------------------------

CLICK_TOKEN_RANDOM_BYTES = 9
CLICK_TOKEN_MAC_BYTES = 9
CLICK_TOKEN_LENGTH = 4 * (CLICK_TOKEN_RANDOM_BYTES + CLICK_TOKEN_MAC_BYTES) // 3
# What the MAC covers besides code and random bytes: whether the click counts.
_CONVERTIBLE, _NOT_CONVERTIBLE = b"click-human", b"click-other"

# The MAC makes a click id unforgeable, so the random part only has to be
# unique, not secret: a generator seeded once from the OS spares the hot path
# a getrandom() system call per click.
_click_random = random.Random(os.urandom(32))
# Forked workers must not share a sequence (gunicorn --preload forks after import).
os.register_at_fork(after_in_child=lambda: _click_random.seed(os.urandom(32)))


def _click_mac(key: bytes, purpose: bytes, code: str, nonce: bytes) -> bytes:
    # Keyed BLAKE2b is a MAC by design (RFC 7693) and costs a seventh of
    # hmac.digest() with SHA-256 here, which matters on the redirect.
    if len(key) > hashlib.blake2b.MAX_KEY_SIZE:
        key = hashlib.blake2b(key).digest()
    return hashlib.blake2b(b"%s.%s" % (code.encode(), nonce), key=key, person=purpose,
                           digest_size=CLICK_TOKEN_MAC_BYTES).digest()


def new_click_id(code: str, key: bytes, *, convertible: bool) -> str:
    """A click id for one fetch of the link: ``<code>.<24 URL-safe characters>``.

    convertible: the fetch was counted as a human click, so an order may be
    reported with this id.
    """
    nonce = _click_random.getrandbits(8 * CLICK_TOKEN_RANDOM_BYTES).to_bytes(
        CLICK_TOKEN_RANDOM_BYTES, "big")
    purpose = _CONVERTIBLE if convertible else _NOT_CONVERTIBLE
    token = base64.urlsafe_b64encode(nonce + _click_mac(key, purpose, code, nonce))
    return f"{code}.{token.decode()}"


def verify_click_id(click_id: object, key: bytes) -> str:
    """The link code of a click id this instance handed to a counted human click.

    Raises InvalidClickId (field ``click_id``) for anything else: made-up or
    altered ids, ids from before click ids were signed, ids of fetches that
    were not counted as human clicks.
    """
    if not isinstance(click_id, str):
        raise InvalidClickId("click_id must be a string", field="click_id")
    code, _, token = click_id.rpartition(".")
    if not code or len(token) != CLICK_TOKEN_LENGTH:
        raise InvalidClickId("click_id is not a click id this service handed out",
                             field="click_id")
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InvalidClickId("click_id is not a click id this service handed out",
                             field="click_id") from None
    nonce, mac = raw[:CLICK_TOKEN_RANDOM_BYTES], raw[CLICK_TOKEN_RANDOM_BYTES:]
    if hmac.compare_digest(mac, _click_mac(key, _CONVERTIBLE, code, nonce)):
        return code
    if hmac.compare_digest(mac, _click_mac(key, _NOT_CONVERTIBLE, code, nonce)):
        raise InvalidClickId("click_id belongs to a fetch that was not counted as a human "
                             "click (a preview, scanner, crawler or HEAD); report the order "
                             "by campaign and advocate", field="click_id")
    raise InvalidClickId("click_id does not verify: it was not handed out by this service",
                         field="click_id")
