"""Where a webhook may point: http(s) URLs on public addresses only.

Checked when a subscription is made and again at every delivery, on the
addresses the name resolves to then (a name can be re-pointed at an inside
address after it passed the first check); the delivery connects to the
address it checked, not to whatever a second lookup returns.
WEBHOOK_ALLOW_PRIVATE=true lifts the address rule (local receivers, tests).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from shortener.errors import InvalidInput

MAX_URL_LENGTH = 2000


class TargetRefused(Exception):
    """The target's address is not one the service will send to."""


def validate_url(value: object) -> str:
    """The URL if its shape is usable; raise InvalidInput naming ``url``."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH \
            or not value.isprintable() or " " in value:
        raise InvalidInput(f"url must be an http(s) URL of at most {MAX_URL_LENGTH} "
                           "characters", field="url")
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        # urlsplit refuses an unbalanced IPv6 bracket, .port a port out of range.
        raise InvalidInput("url is not a valid URL (host or port)", field="url") from None
    if parts.scheme.lower() not in {"http", "https"} or not host:
        raise InvalidInput("url must be an http(s) URL with a host", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url must not carry a user name or password", field="url")
    if port == 0:
        raise InvalidInput("url has an invalid port", field="url")
    return value


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_private: bool) -> list[str]:
    """The addresses to connect to; raise TargetRefused (or OSError when the name is unknown).

    Every address the name has must be public: a name with one public and
    one inside address would otherwise let a lucky ordering through.
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        inside = [address for address in addresses if not is_public(address)]
        if inside:
            raise TargetRefused(f"{parts.hostname} resolves to a private, loopback or "
                                f"link-local address ({inside[0]})")
    return addresses


def check_target(url: str, *, allow_private: bool) -> str:
    """validate_url, then the address rule; raise InvalidInput naming ``url``."""
    url = validate_url(url)
    try:
        resolve(url, allow_private=allow_private)
    except TargetRefused as exc:
        raise InvalidInput(f"url is refused: {exc}", field="url") from None
    except (OSError, UnicodeError):
        raise InvalidInput("url's host does not resolve", field="url") from None
    return url
