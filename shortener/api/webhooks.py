"""/api/v1/webhooks: subscribe to events, list and delete subscriptions, see and retry deliveries.

The work is in shortener.webhooks; these views parse, call and format.
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from shortener.api import bp
from shortener.api import webhook_schemas as schemas
from shortener.api.openapi import responses, spec
from shortener.api.render import iso
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.webhooks.models import Delivery, Webhook
from shortener.webhooks.subscriptions import (
    Manager,
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    page_deliveries,
    retry_delivery,
    webhook_summary,
)

TAGS = ["webhooks"]


def _manager() -> Manager:
    """The calling key: one limited to campaigns manages only the subscriptions it made."""
    caller = g.api_caller
    return Manager(key_id=caller.key_id, campaigns=caller.campaigns)


def _webhook_json(webhook: Webhook) -> dict[str, Any]:
    data = webhook_summary(get_redis(), webhook)
    data["created_at"] = iso(webhook.created_at)
    return data


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    data = delivery.to_dict()
    for name in ("next_attempt_at", "created_at", "finished_at"):
        data[name] = iso(data[name])
    return data


@bp.post("/webhooks")
@spec.validate(json=schemas.WebhookCreate,
               resp=responses(201, schemas.WebhookCreated, 403, 404, 409, 422),
               tags=TAGS)
def webhook_create() -> tuple[dict[str, Any], int]:
    """Subscribe a URL to events.

    The answer carries the `secret` that signs the deliveries, once. Each
    delivery is a POST of an event (see the document's `webhooks`) with
    `Shortener-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw
    body>" keyed with the secret>`; check it and refuse old timestamps.
    Events are sent in order per subscription, at least once, retried with
    backoff for three days.

    A key limited to campaigns makes subscriptions limited to them: they
    receive only those campaigns' events, and only that key sees them.
    """
    body: schemas.WebhookCreate = request.context.json  # type: ignore[attr-defined]
    webhook = create_webhook(get_redis(), url=body.url, events=list(body.events),
                             campaigns=body.campaigns, manager=_manager(),
                             allow_private=get_settings().webhook_allow_private)
    return {**_webhook_json(webhook), "secret": webhook.secret}, 201


@bp.get("/webhooks")
@spec.validate(resp=responses(200, schemas.WebhookList), tags=TAGS)
def webhook_list() -> dict[str, Any]:
    """List subscriptions, oldest first (without their secrets).

    A key limited to campaigns lists only the subscriptions it made.
    """
    return {"items": [_webhook_json(webhook)
                      for webhook in list_webhooks(get_redis(), manager=_manager())]}


@bp.get("/webhooks/<webhook_id>")
@spec.validate(resp=responses(200, schemas.Webhook, 404), tags=TAGS)
def webhook_read(webhook_id: str) -> dict[str, Any]:
    """Read a subscription (without its secret)."""
    return _webhook_json(get_webhook(get_redis(), webhook_id, manager=_manager()))


@bp.delete("/webhooks/<webhook_id>")
@spec.validate(resp=responses(204, None, 403, 404), tags=TAGS)
def webhook_delete(webhook_id: str) -> tuple[str, int]:
    """Delete a subscription and drop the events still queued for it."""
    delete_webhook(get_redis(), webhook_id, manager=_manager())
    return "", 204


@bp.get("/webhooks/<webhook_id>/deliveries")
@spec.validate(query=schemas.DeliveryQuery,
               resp=responses(200, schemas.DeliveryList, 404, 422), tags=TAGS)
def webhook_deliveries(webhook_id: str) -> dict[str, Any]:
    """Deliveries: pending ones in the order they will go, then finished ones, newest first.

    Paged: pass `next_cursor` as `cursor` for the next page.
    """
    query: schemas.DeliveryQuery = request.context.query  # type: ignore[attr-defined]
    found, following = page_deliveries(get_redis(), webhook_id, status=query.status,
                                       limit=query.limit, cursor=query.cursor,
                                       manager=_manager())
    return {"items": [_delivery_json(delivery) for delivery in found],
            "next_cursor": following}


@bp.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/retry")
@spec.validate(json=schemas.RetryRequest,
               resp=responses(202, schemas.Delivery, 403, 404, 409, 422), tags=TAGS)
def webhook_retry(webhook_id: str, delivery_id: str) -> tuple[dict[str, Any], int]:
    """Send a delivery again now (the body is `{}`).

    The delivery at the head of the queue, waiting for its next attempt, is
    tried at once. A delivered or failed one is queued again at the end, as a
    new delivery with the same event (`retry_of` names the old one). A
    pending delivery behind others answers 409: it goes after them.
    """
    return _delivery_json(retry_delivery(get_redis(), webhook_id, delivery_id,
                                         manager=_manager())), 202
