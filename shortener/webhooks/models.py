"""Webhook and Delivery records; event types and the payload version."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Self

API_VERSION = "1"
EVENT_TYPES = (
    "advocate.created",
    "link.created",
    "conversion.created",
    "conversion.updated",
    "reward.created",
    "reward.updated",
    "click",
)


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    events: list[str] = field(default_factory=list)
    secret: str = ""
    created_at: float = 0.0
    # Empty: every campaign. A subscription made by a key limited to campaigns
    # is limited to them, and only that key (``api_key``, its id) sees it.
    campaigns: list[str] = field(default_factory=list)
    api_key: str | None = None

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        """The subscription as callers see it: never the secret."""
        data = asdict(self)
        data.pop("secret")
        return data

    def wants(self, event_type: str, campaign: str | None = None) -> bool:
        """Whether an event of this type, about ``campaign``, goes to this subscription.

        A subscription limited to campaigns gets no event without a campaign.
        """
        if event_type not in self.events:
            return False
        return not self.campaigns or campaign in self.campaigns

    def is_managed_by(self, key_id: str, key_campaigns: frozenset[str]) -> bool:
        """Whether an API key may see and change it: any key not limited to campaigns,
        and a limited key only the subscriptions it made."""
        return not key_campaigns or self.api_key == key_id


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one subscription (a queue entry), or its outcome (a log entry)."""

    id: str
    event: str
    type: str
    status: str
    body: str = ""
    attempts: int = 0
    last_response_code: int | None = None
    last_error: str | None = None
    next_attempt_at: float | None = None
    created_at: float = 0.0
    finished_at: float | None = None
    retry_of: str | None = None

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("body")
        return data


def created_at_of(delivery_id: str) -> float:
    """When a delivery was queued: a stream id starts with milliseconds."""
    return int(delivery_id.partition("-")[0]) / 1000
