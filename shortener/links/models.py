"""The catalogue's records: Campaign, Advocate, Link.

Each is stored as one JSON string in Redis (see ``store.py``): one SET is
atomic, so a record is never half-written.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self

from shortener.fraud.rules import DEFAULT_RULES

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# One encoder for every record: json.dumps() with separators builds a new one per call,
# which costs bulk minting and import about as much as the encoding.
_to_json = json.JSONEncoder(separators=(",", ":")).encode


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type[Any]) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(spec.name for spec in fields(cls))
    return names


class _Record:
    @classmethod
    def from_json(cls, text: str) -> Self:
        """The record as stored; fields it does not know (written by a later version)
        are left out. A redirect for a link not cached reads one."""
        data = json.loads(text)
        known = _field_names(cls)
        if known.issuperset(data):
            return cls(**data)
        return cls(**{name: value for name, value in data.items() if name in known})

    def to_json(self) -> str:
        # _Record is only ever a base of dataclasses; mypy cannot see that on the base.
        return _to_json(asdict(self))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Campaign(_Record):
    id: str
    name: str
    destination: str
    utm: dict[str, str] = field(default_factory=dict)
    allowed_hosts: list[str] = field(default_factory=list)
    cost: float | None = None
    value_per_click: float | None = None
    currency: str = "EUR"
    channel_utm: bool = False
    reward_goal: int | None = None
    status: str = "active"
    # Reward tiers, by conversions ascending: [{"name": ..., "conversions": n}, ...]
    rewards: list[dict[str, Any]] = field(default_factory=list)
    friend_incentive: str | None = None
    created_at: float = 0.0
    # The start of every advocate's referral code; None: the advocate's name's.
    code_prefix: str | None = None
    # Fraud review rules, each on or off (see fraud.rules); every rule on by default.
    fraud_rules: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_RULES))

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Advocate(_Record):
    external_id: str
    name: str | None = None
    contact: str | None = None
    referred_by: str | None = None
    share_token: str = ""
    created_at: float = 0.0
    erased_at: float | None = None

    def to_json(self) -> str:
        return _to_json(vars(self))

    def to_dict(self, *, public: bool = False) -> dict[str, Any]:
        """The advocate as JSON; ``public`` drops the contact and the share token."""
        # Every field is a plain value: a copy of the instance's fields is what
        # asdict() gives, without its deep copy (bulk import writes thousands).
        data = dict(vars(self))
        if public:
            data.pop("contact")
            data.pop("share_token")
        return data


@dataclass(frozen=True)
class Link(_Record):
    code: str
    campaign_id: str
    advocate: str
    channel: str | None = None
    destination: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    expires_at: float | None = None
    max_clicks: int | None = None
    enabled: bool = True
    alias: bool = False
    created_at: float = 0.0

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_dict(self) -> dict[str, Any]:
        # What asdict() gives (utm is the one container, of text), without its
        # deep copy: bulk minting writes thousands.
        data = dict(vars(self))
        data["utm"] = dict(self.utm)
        return data

    def to_json(self) -> str:
        return _to_json(vars(self))
