"""Request and response bodies of /api/v1/webhooks, and the payloads the service POSTs.

Kept apart from schemas.py, which holds the catalogue and traffic; the
payload models are published under the OpenAPI document's ``webhooks``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shortener.api.schemas import (
    URL,
    Answer,
    CampaignId,
    ConversionEvidence,
    ConversionStatus,
    FraudFlag,
    Query,
    Request,
)
from shortener.classify import KINDS
from shortener.webhooks.models import API_VERSION, EVENT_TYPES
from shortener.webhooks.subscriptions import DELIVERY_STATUSES
from shortener.webhooks.targets import MAX_URL_LENGTH

WEBHOOK_ID = r"^wh_[0-9a-f]{16}$"
DELIVERY_ID = r"^[0-9]{1,20}-[0-9]{1,20}$"
DELIVERY_CURSOR = r"^[pf][0-9]{1,20}-[0-9]{1,20}$"
MAX_DELIVERY_PAGE = 500
MAX_CAMPAIGNS = 100

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class WebhookCreate(Request):
    url: str = Field(max_length=MAX_URL_LENGTH, pattern=URL,
                     description="Where events are POSTed: http(s), on a public address "
                     "(private, loopback and link-local ones are refused unless "
                     "WEBHOOK_ALLOW_PRIVATE=true).", examples=["https://crm.example/hooks"])
    events: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES),
                                    description="Event types to receive. `click` (every "
                                    "recorded click) is the high-volume one: opt in "
                                    "deliberately.")
    campaigns: list[CampaignId] | None = Field(
        None, max_length=MAX_CAMPAIGNS,
        description="Receive only events of these campaigns. Omitted: every campaign; for "
        "a key limited to campaigns, all of its campaigns (it may name only those).")


class Webhook(Answer):
    id: str
    url: str
    events: list[EventType]
    campaigns: list[str] = Field(description="The campaigns whose events it receives; "
                                 "empty for every campaign. An event without a campaign "
                                 "(an `advocate.created` outside any campaign) goes only "
                                 "to subscriptions of every campaign.")
    api_key: str | None = Field(description="Id of the API key that made it (null when "
                                "made from the command line or the dashboard). A key "
                                "limited to campaigns sees only the subscriptions it made.")
    created_at: dt.datetime
    pending: int = Field(description="Events waiting for delivery.")


class WebhookCreated(Webhook):
    secret: str = Field(description="Signs every delivery (see `Shortener-Signature`). "
                        "Shown only in this answer: store it now.")


class WebhookList(Answer):
    items: list[Webhook]


class RetryRequest(Request):
    """No fields: send `{}` (every API write is a JSON object)."""


class DeliveryQuery(Query):
    status: Literal[DELIVERY_STATUSES] | None = Field(  # type: ignore[valid-type]
        None, description="`pending`: queued, in the order they will go; `delivered`, "
        "`failed`: the last 500 finished, newest first.")
    limit: int = Field(100, ge=1, le=MAX_DELIVERY_PAGE)
    cursor: str | None = Field(None, pattern=DELIVERY_CURSOR, description="From `next_cursor`.")


class Delivery(Answer):
    id: str = Field(description="Queue id; increases with time.")
    event: str = Field(description="The event's `id` (the same for every subscription).")
    type: EventType
    status: Literal[DELIVERY_STATUSES]  # type: ignore[valid-type]
    attempts: int
    last_response_code: int | None = Field(description="HTTP status of the last attempt; "
                                           "null when there was no answer.")
    last_error: str | None
    next_attempt_at: dt.datetime | None = Field(description="When a pending delivery is "
                                                "tried again; null if not yet tried.")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    retry_of: str | None = Field(description="The delivery this one sends again.")


class DeliveryList(Answer):
    items: list[Delivery]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                    "on the last.")


# Payloads ----------------------------------------------------------------------------


class Payload(BaseModel):
    # Open to new fields: a version may add some, and receivers should ignore them.
    model_config = ConfigDict(extra="allow")


class AdvocateData(Payload):
    external_id: str
    referred_by: str | None
    created_at: dt.datetime
    campaign: str | None = Field(description="The campaign whose link brought the advocate "
                                 "in; null when the advocate was created on their own.")


class LinkData(Payload):
    code: str
    short_url: str
    campaign: str
    advocate: str
    channel: str | None
    destination: str | None
    utm: dict[str, str]
    expires_at: dt.datetime | None
    max_clicks: int | None
    enabled: bool
    alias: bool
    created_at: dt.datetime


class ConversionData(Payload):
    order_id: str
    campaign: str
    advocate: str
    value: float
    currency: str
    click_id: str | None
    code: str | None
    ts: dt.datetime
    id: str
    status: ConversionStatus
    flags: list[FraudFlag]
    evidence: ConversionEvidence
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    channel: str | None = Field(None, description="`code` for an order reported with a "
                                "referral code; otherwise null.")


class ClickData(Payload):
    click_id: str
    code: str
    campaign: str
    advocate: str
    ts: dt.datetime
    kind: Literal[KINDS]  # type: ignore[valid-type]
    channel: str | None
    dark: bool | None
    signal: str
    confidence: float
    device: str
    os: str
    browser: str
    referrer_host: str | None
    country: str | None = Field(description="ISO 3166 country, where the service knows it.")


class RewardData(Payload):
    id: str
    campaign: str
    advocate: str
    reward: str
    conversions: int
    status: str
    created_at: dt.datetime


class Event(Payload):
    """The body of every delivery. Fields may be added in a version; none is removed."""

    id: str = Field(description="The event's id: the same in every delivery and retry of "
                    "it, so a receiver can skip repeats.")
    type: EventType
    created_at: dt.datetime
    api_version: Literal[API_VERSION]  # type: ignore[valid-type]


class AdvocateEvent(Event):
    data: AdvocateData


class LinkEvent(Event):
    data: LinkData


class ConversionEvent(Event):
    data: ConversionData


class ClickEvent(Event):
    data: ClickData


class RewardEvent(Event):
    data: RewardData


PAYLOADS: dict[str, type[Event]] = {
    "advocate.created": AdvocateEvent,
    "link.created": LinkEvent,
    "conversion.created": ConversionEvent,
    "conversion.updated": ConversionEvent,
    "reward.created": RewardEvent,
    "reward.updated": RewardEvent,
    "click": ClickEvent,
}


SIGNATURE_HEADER_DOC = (
    "`t=<unix seconds>,v1=<hex HMAC-SHA256>`: the MAC of `\"<t>.<raw body>\"` keyed with "
    "the subscription's secret. Compare in constant time; refuse a `t` more than five "
    "minutes from your clock."
)


def document_payloads(spec: dict[str, Any]) -> None:
    """Describe each event type's POST under the OpenAPI 3.1 ``webhooks`` object."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    spec["webhooks"] = {}
    for event_type, model in PAYLOADS.items():
        document = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in document.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas.setdefault(model.__name__, document)
        spec["webhooks"][event_type] = {"post": {
            "summary": f"The `{event_type}` event",
            "parameters": [
                {"name": "Shortener-Signature", "in": "header", "required": True,
                 "description": SIGNATURE_HEADER_DOC, "schema": {"type": "string"}},
                {"name": "Shortener-Event", "in": "header", "required": True,
                 "description": "The event type.", "schema": {"type": "string"}},
                {"name": "Shortener-Delivery", "in": "header", "required": True,
                 "description": "The delivery's id, as in the deliveries list.",
                 "schema": {"type": "string"}},
            ],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}},
            "responses": {"2XX": {"description": "Received. Anything else, or no answer "
                                  "within 10 s, is retried."}},
        }}
