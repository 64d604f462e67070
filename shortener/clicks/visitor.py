"""Visitor.from_request(): the click's request, trimmed once at the edge.

User agent and referrer are cropped to named maximum lengths; the IP address
is turned here into the daily visitor hash, the daily address hash (for the
per-address ceiling, and the key of the network cache) and what the offline
network lookup derives from it (network class, country), and goes no further.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from flask import Request

from shortener.clicks.network import (
    NO_TRUSTED_NETWORKS,
    NetworkCache,
    TrustedNetworks,
    look_up_network,
)
from shortener.clicks.visitor_hash import address_hash, visitor_hash

MAX_USER_AGENT_LENGTH = 512
MAX_REFERRER_LENGTH = 2048
MAX_QUERY_PARAMS = 20
MAX_QUERY_VALUE_LENGTH = 200
MAX_QUERY_STRING_LENGTH = 8192


def crop_query(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The first MAX_QUERY_PARAMS parameters, names and values cropped."""
    query: dict[str, str] = {}
    for name, value in pairs:
        if len(query) >= MAX_QUERY_PARAMS:
            break
        query[name[:MAX_QUERY_VALUE_LENGTH]] = value[:MAX_QUERY_VALUE_LENGTH]
    return query


def parse_query(text: str) -> dict[str, str]:
    """A query string ("a=b&c=d") as the redirect would see it."""
    return crop_query(parse_qsl(text[:MAX_QUERY_STRING_LENGTH]))


@dataclass(frozen=True, slots=True)
class Visitor:
    user_agent: str
    referrer: str
    query: dict[str, str]
    visitor_hash: str
    network: str = ""
    country: str = ""
    address_hash: str = ""

    @property
    def referrer_host(self) -> str:
        try:
            return (urlsplit(self.referrer).hostname or "")[:253]
        except ValueError:
            return ""

    @classmethod
    def from_request(cls, request: Request, *, key: bytes, salt: bytes,
                     trusted: TrustedNetworks = NO_TRUSTED_NETWORKS,
                     networks: NetworkCache | None = None) -> Visitor:
        """The visitor of ``request``; ``networks`` (whose own trusted networks then
        apply) saves the network lookup for addresses seen lately."""
        user_agent = request.headers.get("User-Agent", "")[:MAX_USER_AGENT_LENGTH]
        query = crop_query(request.args.items())
        address = request.remote_addr or ""
        hashed_address = address_hash(address, key=key, salt=salt)
        if networks is not None:
            network, country = networks.look_up(address, address_hash=hashed_address)
        else:
            network, country = look_up_network(address, trusted=trusted)
        return cls(
            user_agent=user_agent,
            referrer=request.headers.get("Referer", "")[:MAX_REFERRER_LENGTH],
            query=query,
            visitor_hash=visitor_hash(address, user_agent, key=key, salt=salt),
            network=network,
            country=country,
            address_hash=hashed_address,
        )
