"""Create, read and delete subscriptions, list and retry their deliveries; the API calls these."""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Any

from shortener.db import Client
from shortener.errors import Conflict, InvalidInput, NotFound
from shortener.webhooks import store
from shortener.webhooks.events import max_pending
from shortener.webhooks.models import EVENT_TYPES, Delivery, Webhook
from shortener.webhooks.targets import check_target

MAX_WEBHOOKS = 100
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookNotFound(NotFound):
    code = "webhook-not-found"


class DeliveryNotFound(NotFound):
    code = "delivery-not-found"


def _events(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput("events must be a non-empty list of event types", field="events")
    unknown = [event for event in value if event not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(f"events has an unknown type {unknown[0]!r}; known: "
                           f"{', '.join(EVENT_TYPES)}", field="events")
    return [event for event in EVENT_TYPES if event in value]


def create_webhook(r: Client, *, url: object, events: object, allow_private: bool,
                   now: float | None = None) -> Webhook:
    """Subscribe ``url`` to ``events``; the returned record holds the secret, shown once.

    Raises InvalidInput naming ``url`` (shape, private address, unknown host)
    or ``events``.
    """
    checked = check_target(url, allow_private=allow_private)  # type: ignore[arg-type]
    chosen = _events(events)
    if len(store.list_webhooks(r)) >= MAX_WEBHOOKS:
        raise Conflict(f"at most {MAX_WEBHOOKS} webhooks; delete one first")
    webhook = Webhook(id="wh_" + secrets.token_hex(8), url=checked, events=chosen,
                      secret="whsec_" + secrets.token_urlsafe(32),
                      created_at=now or time.time())
    store.save_webhook(r, webhook)
    return webhook


def get_webhook(r: Client, webhook_id: str) -> Webhook:
    webhook = store.get_webhook(r, webhook_id)
    if webhook is None:
        raise WebhookNotFound(f"webhook {webhook_id!r} does not exist", field="webhook_id")
    return webhook


def list_webhooks(r: Client) -> list[Webhook]:
    return store.list_webhooks(r)


def delete_webhook(r: Client, webhook_id: str) -> None:
    if not store.delete_webhook(r, webhook_id):
        raise WebhookNotFound(f"webhook {webhook_id!r} does not exist", field="webhook_id")


def webhook_summary(r: Client, webhook: Webhook) -> dict[str, Any]:
    """The subscription as the API shows it, with how many events wait for delivery."""
    return {**webhook.to_dict(), "pending": store.count_pending(r, webhook.id)}


def list_deliveries(r: Client, webhook_id: str, *, status: str | None = None,
                    limit: int = 100) -> list[Delivery]:
    """Pending deliveries in the order they will go, then finished ones, newest first."""
    get_webhook(r, webhook_id)
    found: list[Delivery] = []
    if status in (None, "pending"):
        pending = store.list_pending(r, webhook_id, limit=limit)
        if pending:
            state = store.get_head_state(r, webhook_id)
            if state.get("delivery") == pending[0].id:
                pending[0] = dataclasses.replace(
                    pending[0], attempts=state["attempts"],
                    last_response_code=state["last_response_code"],
                    last_error=state["last_error"], next_attempt_at=state["next_attempt_at"])
        found += pending
    if status != "pending" and len(found) < limit:
        found += [delivery for delivery in store.list_finished(r, webhook_id)
                  if status is None or delivery.status == status][:limit - len(found)]
    return found


def retry_delivery(r: Client, webhook_id: str, delivery_id: str) -> Delivery:
    """Send a delivery again now.

    The head of the queue, waiting for its next attempt, is made due at once.
    A delivered or failed one is queued again, as a new delivery at the end
    of the queue carrying the same event. Raises Conflict for a pending
    delivery behind the head (it goes when the ones before it have), and
    DeliveryNotFound.
    """
    webhook = get_webhook(r, webhook_id)
    head = store.get_head(r, webhook.id)
    if head is not None and head[0].id == delivery_id:
        delivery, state = head
        if state:
            state["next_attempt_at"] = None
            store.save_head_state(r, webhook.id, state)
        return dataclasses.replace(delivery, attempts=int(state.get("attempts", 0)),
                                   last_response_code=state.get("last_response_code"),
                                   last_error=state.get("last_error"))
    if store.get_pending(r, webhook.id, delivery_id) is not None:
        raise Conflict("the delivery is queued behind earlier ones and goes after them",
                       field="delivery_id")
    for finished in store.list_finished(r, webhook.id):
        if finished.id == delivery_id:
            new_id = store.queue_event(r, webhook.id, event_id=finished.event,
                                       event_type=finished.type, body=finished.body,
                                       max_pending=max_pending(),
                                       retry_of=finished.id)
            found = store.get_pending(r, webhook.id, new_id)
            if found is None:
                raise Conflict("the queue is full; the delivery was dropped again")
            return found
    raise DeliveryNotFound(f"delivery {delivery_id!r} is not one of this webhook's",
                           field="delivery_id")
