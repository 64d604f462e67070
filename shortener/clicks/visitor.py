"""Visitor.from_request(): the click's request, trimmed once at the edge.

User agent and referrer are cropped to named maximum lengths; the IP address
is turned into the daily visitor hash here and goes no further.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request

from shortener.clicks.visitor_hash import visitor_hash

MAX_USER_AGENT_LENGTH = 512
MAX_REFERRER_LENGTH = 2048
MAX_QUERY_PARAMS = 20
MAX_QUERY_VALUE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Visitor:
    user_agent: str
    referrer: str
    query: dict[str, str]
    visitor_hash: str

    @property
    def referrer_host(self) -> str:
        try:
            return (urlsplit(self.referrer).hostname or "")[:253]
        except ValueError:
            return ""

    @classmethod
    def from_request(cls, request: Request, *, key: bytes, salt: bytes) -> Visitor:
        user_agent = request.headers.get("User-Agent", "")[:MAX_USER_AGENT_LENGTH]
        query: dict[str, str] = {}
        for name, value in request.args.items():
            if len(query) >= MAX_QUERY_PARAMS:
                break
            query[name[:MAX_QUERY_VALUE_LENGTH]] = value[:MAX_QUERY_VALUE_LENGTH]
        return cls(
            user_agent=user_agent,
            referrer=request.headers.get("Referer", "")[:MAX_REFERRER_LENGTH],
            query=query,
            visitor_hash=visitor_hash(request.remote_addr or "", user_agent, key=key, salt=salt),
        )
