"""Create, read and delete subscriptions, list and retry their deliveries; the API calls these."""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from typing import Any

from shortener.db import Client
from shortener.errors import CampaignNotFound, Conflict, InvalidInput, NotFound
from shortener.links import store as catalogue
from shortener.webhooks import store
from shortener.webhooks.events import max_pending
from shortener.webhooks.models import EVENT_TYPES, Delivery, Webhook
from shortener.webhooks.targets import check_target

MAX_WEBHOOKS = 100
DELIVERY_STATUSES = ("pending", "delivered", "failed")
DELIVERY_CURSOR = re.compile(r"[pf][0-9]{1,20}-[0-9]{1,20}")


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


@dataclasses.dataclass(frozen=True)
class Manager:
    """Who manages subscriptions: an API key (its id and the campaigns it is limited
    to, empty for all), or an operator (CLI, dashboard admin) with ``key_id`` None."""

    key_id: str | None = None
    campaigns: frozenset[str] = frozenset()

    def manages(self, webhook: Webhook) -> bool:
        return self.key_id is None or webhook.is_managed_by(self.key_id, self.campaigns)


OPERATOR = Manager()


def _campaigns(r: Client, value: object, manager: Manager) -> list[str]:
    """The campaigns a new subscription is limited to.

    A key limited to campaigns limits its subscriptions to them (or to some of
    them); others may name campaigns or none (every campaign).
    """
    if value is None:
        value = sorted(manager.campaigns)
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise InvalidInput("campaigns must be a list of campaign ids", field="campaigns")
    chosen = sorted(set(value))
    for campaign_id in chosen:
        if (manager.campaigns and campaign_id not in manager.campaigns) \
                or catalogue.get_campaign(r, campaign_id) is None:
            raise CampaignNotFound(f"campaign {campaign_id!r} does not exist",
                                   field="campaigns")
    if manager.campaigns and not chosen:
        raise InvalidInput("campaigns must name at least one of this key's campaigns",
                           field="campaigns")
    return chosen


def create_webhook(r: Client, *, url: object, events: object, allow_private: bool,
                   campaigns: object = None, manager: Manager = OPERATOR,
                   now: float | None = None) -> Webhook:
    """Subscribe ``url`` to ``events``; the returned record holds the secret, shown once.

    ``campaigns`` limits it to those campaigns' events (None: every campaign,
    or all of a campaign-limited key's). Raises InvalidInput naming ``url``
    (shape, private address, unknown host), ``events`` or ``campaigns``, and
    CampaignNotFound for a campaign that does not exist or that the key does
    not see.
    """
    checked = check_target(url, allow_private=allow_private)  # type: ignore[arg-type]
    chosen = _events(events)
    limited_to = _campaigns(r, campaigns, manager)
    if len(store.list_webhooks(r)) >= MAX_WEBHOOKS:
        raise Conflict(f"at most {MAX_WEBHOOKS} webhooks; delete one first")
    webhook = Webhook(id="wh_" + secrets.token_hex(8), url=checked, events=chosen,
                      secret="whsec_" + secrets.token_urlsafe(32),
                      created_at=now or time.time(), campaigns=limited_to,
                      api_key=manager.key_id)
    store.save_webhook(r, webhook)
    return webhook


def get_webhook(r: Client, webhook_id: str, *, manager: Manager = OPERATOR) -> Webhook:
    """The subscription; WebhookNotFound also when ``manager`` may not see it."""
    webhook = store.get_webhook(r, webhook_id)
    if webhook is None or not manager.manages(webhook):
        raise WebhookNotFound(f"webhook {webhook_id!r} does not exist", field="webhook_id")
    return webhook


def list_webhooks(r: Client, *, manager: Manager = OPERATOR) -> list[Webhook]:
    """The subscriptions ``manager`` sees, oldest first."""
    return [webhook for webhook in store.list_webhooks(r) if manager.manages(webhook)]


def delete_webhook(r: Client, webhook_id: str, *, manager: Manager = OPERATOR) -> None:
    get_webhook(r, webhook_id, manager=manager)
    if not store.delete_webhook(r, webhook_id):
        raise WebhookNotFound(f"webhook {webhook_id!r} does not exist", field="webhook_id")


def webhook_summary(r: Client, webhook: Webhook) -> dict[str, Any]:
    """The subscription as the API shows it, with how many events wait for delivery."""
    return {**webhook.to_dict(), "pending": store.count_pending(r, webhook.id)}


def _order(delivery_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = delivery_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def _after(cursor: str | None) -> tuple[str | None, str | None]:
    """(phase, delivery id) from a cursor: ``p<id>`` continues the pending ones after
    that id, ``f<id>`` the finished ones older than it."""
    if cursor is None:
        return None, None
    phase, position = cursor[:1], cursor[1:]
    if phase not in {"p", "f"} or not DELIVERY_CURSOR.fullmatch(cursor):
        raise InvalidInput("cursor is not one this API handed out", field="cursor")
    return phase, position


def list_deliveries(r: Client, webhook_id: str, *, status: str | None = None,
                    limit: int = 100) -> list[Delivery]:
    """The first ``limit`` deliveries (see page_deliveries)."""
    return page_deliveries(r, webhook_id, status=status, limit=limit)[0]


def page_deliveries(r: Client, webhook_id: str, *, status: str | None = None,
                    limit: int = 100, cursor: str | None = None,
                    manager: Manager = OPERATOR) -> tuple[list[Delivery], str | None]:
    """A page of deliveries and the cursor of the next page (None on the last).

    Pending deliveries come first, in the order they will go, then finished
    ones (the last few hundred), newest first.
    """
    get_webhook(r, webhook_id, manager=manager)
    phase, position = _after(cursor)
    found: list[Delivery] = []
    if status in (None, "pending") and phase in (None, "p"):
        pending = store.list_pending(r, webhook_id, after=position, limit=limit + 1)
        if pending:
            state = store.get_head_state(r, webhook_id)
            if state.get("delivery") == pending[0].id:
                pending[0] = dataclasses.replace(
                    pending[0], attempts=state["attempts"],
                    last_response_code=state["last_response_code"],
                    last_error=state["last_error"], next_attempt_at=state["next_attempt_at"])
        found = pending[:limit]
        if len(pending) > limit:
            return found, "p" + found[-1].id
        position = None
    if status == "pending":
        return found, None
    finished = [delivery for delivery in store.list_finished(r, webhook_id)
                if (status is None or delivery.status == status)
                and (position is None or _order(delivery.id) < _order(position))]
    finished.sort(key=lambda delivery: _order(delivery.id), reverse=True)
    room = limit - len(found)
    if room == 0:
        return found, ("p" + found[-1].id) if finished else None
    found += finished[:room]
    return found, ("f" + found[-1].id) if len(finished) > room else None


def retry_delivery(r: Client, webhook_id: str, delivery_id: str, *,
                   manager: Manager = OPERATOR) -> Delivery:
    """Send a delivery again now.

    The head of the queue, waiting for its next attempt, is made due at once.
    A delivered or failed one is queued again, as a new delivery at the end
    of the queue carrying the same event. Raises Conflict for a pending
    delivery behind the head (it goes when the ones before it have), and
    DeliveryNotFound.
    """
    webhook = get_webhook(r, webhook_id, manager=manager)
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
