"""Load and save subscriptions, queues, attempt state and logs: the only Redis caller here.

Writers take an optional pipeline and queue onto it; the caller executes.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from redis.commands.core import Script

from shortener import keys, scripts
from shortener.db import Client
from shortener.webhooks.models import Delivery, Webhook, created_at_of

LOG_LENGTH = 500


class _Scripts:
    def __init__(self, r: Client) -> None:
        self.take_lease: Script = r.register_script(scripts.TAKE_LEASE)
        self.release_lease: Script = r.register_script(scripts.RELEASE_LEASE)
        self.record_attempt: Script = r.register_script(scripts.RECORD_ATTEMPT)


_registered: weakref.WeakKeyDictionary[Any, _Scripts] = weakref.WeakKeyDictionary()


def _scripts(r: Client) -> _Scripts:
    found = _registered.get(r)
    if found is None:
        found = _registered[r] = _Scripts(r)
    return found


# Subscriptions -------------------------------------------------------------------


def save_webhook(r: Client, webhook: Webhook) -> None:
    pipe = r.pipeline(transaction=False)
    pipe.hset(keys.webhooks(), webhook.id, webhook.to_json())
    pipe.incr(keys.webhook_version())
    pipe.execute()


def get_webhook(r: Client, webhook_id: str) -> Webhook | None:
    text = r.hget(keys.webhooks(), webhook_id)
    return Webhook.from_json(text) if text else None


def list_webhooks(r: Client) -> list[Webhook]:
    """Every subscription, oldest first."""
    found = [Webhook.from_json(text) for text in r.hgetall(keys.webhooks()).values()]
    return sorted(found, key=lambda webhook: (webhook.created_at, webhook.id))


def delete_webhook(r: Client, webhook_id: str) -> bool:
    """Drop the subscription and everything queued for it; True if it existed."""
    pipe = r.pipeline(transaction=False)
    pipe.hdel(keys.webhooks(), webhook_id)
    pipe.incr(keys.webhook_version())
    for key in (keys.webhook_queue(webhook_id), keys.webhook_head(webhook_id),
                keys.webhook_log(webhook_id), keys.webhook_lease(webhook_id),
                keys.webhook_batches(webhook_id)):
        pipe.delete(key)
    return bool(pipe.execute()[0])


# Queue -----------------------------------------------------------------------------


def queue_event(r: Client, webhook_id: str, *, event_id: str, event_type: str, body: str,
                max_pending: int, retry_of: str | None = None,
                pipe: Any | None = None) -> Any:
    """XADD the event to the subscription's queue; past ``max_pending`` the oldest go."""
    fields = {"event": event_id, "type": event_type, "body": body}
    if retry_of:
        fields["retry_of"] = retry_of
    target = r if pipe is None else pipe
    return target.xadd(keys.webhook_queue(webhook_id), fields, maxlen=max_pending,
                       approximate=True)


def queue_fields(event_id: str, event_type: str, body: str) -> dict[str, str]:
    """The fields of a queue entry, for writers that XADD through the click batch."""
    return {"event": event_id, "type": event_type, "body": body}


def _delivery(entry_id: str, fields: dict[str, str]) -> Delivery:
    return Delivery(id=entry_id, event=fields["event"], type=fields["type"], status="pending",
                    body=fields["body"], created_at=created_at_of(entry_id),
                    retry_of=fields.get("retry_of"))


def get_head(r: Client, webhook_id: str) -> tuple[Delivery, dict[str, Any]] | None:
    """The oldest queued delivery and its attempt state ({} before its first attempt)."""
    pipe = r.pipeline(transaction=False)
    pipe.xrange(keys.webhook_queue(webhook_id), count=1)
    pipe.get(keys.webhook_head(webhook_id))
    entries, state_text = pipe.execute()
    if not entries:
        return None
    entry_id, fields = entries[0]
    state = json.loads(state_text) if state_text else {}
    if state.get("delivery") != entry_id:
        state = {}
    return _delivery(entry_id, fields), state


def list_pending(r: Client, webhook_id: str, *, limit: int,
                 after: str | None = None) -> list[Delivery]:
    """Queued deliveries in the order they go, from the first after the ``after`` id."""
    if after is None:
        entries = r.xrange(keys.webhook_queue(webhook_id), count=limit)
    else:
        entries = r.xrange(keys.webhook_queue(webhook_id), min=after, count=limit + 1)
        entries = [entry for entry in entries if entry[0] != after][:limit]
    return [_delivery(entry_id, fields) for entry_id, fields in entries]


def get_pending(r: Client, webhook_id: str, delivery_id: str) -> Delivery | None:
    entries = r.xrange(keys.webhook_queue(webhook_id), min=delivery_id, max=delivery_id)
    return _delivery(*entries[0]) if entries else None


def count_pending(r: Client, webhook_id: str) -> int:
    return int(r.xlen(keys.webhook_queue(webhook_id)))


def get_head_state(r: Client, webhook_id: str) -> dict[str, Any]:
    text = r.get(keys.webhook_head(webhook_id))
    return json.loads(text) if text else {}


def save_head_state(r: Client, webhook_id: str, state: dict[str, Any]) -> None:
    r.set(keys.webhook_head(webhook_id), json.dumps(state, separators=(",", ":")))


def list_finished(r: Client, webhook_id: str) -> list[Delivery]:
    """Delivered and failed deliveries, newest first (the last LOG_LENGTH)."""
    return [Delivery.from_json(text) for text in r.lrange(keys.webhook_log(webhook_id), 0, -1)]


# Delivering --------------------------------------------------------------------------


def take_lease(r: Client, webhook_id: str, token: str, *, milliseconds: int) -> bool:
    return bool(_scripts(r).take_lease(keys=[keys.webhook_lease(webhook_id)],
                                       args=[token, milliseconds]))


def release_lease(r: Client, webhook_id: str, token: str) -> None:
    _scripts(r).release_lease(keys=[keys.webhook_lease(webhook_id)], args=[token])


def record_attempt(r: Client, webhook_id: str, token: str, delivery_id: str, *,
                   done: Delivery | None = None, state: dict[str, Any] | None = None) -> bool:
    """Log a finished delivery (``done``) or keep it queued with its ``state``.

    Writes only while ``token`` holds the lease; False when it did not.
    """
    payload = done.to_json() if done is not None else json.dumps(state, separators=(",", ":"))
    return bool(_scripts(r).record_attempt(
        keys=[keys.webhook_lease(webhook_id), keys.webhook_queue(webhook_id),
              keys.webhook_head(webhook_id), keys.webhook_log(webhook_id)],
        args=[token, delivery_id, "done" if done is not None else "retry", payload,
              LOG_LENGTH],
    ))


# Erasure ------------------------------------------------------------------------------

REWRITE_CHUNK = 500


def rename_advocate(r: Client, old: str, new: str) -> None:
    """Give the erased advocate's new id to every event waiting or logged; can run again.

    Matches the id as a whole JSON string, so "ann" leaves "anna" alone.
    """
    rewrite_queue = r.register_script(scripts.REWRITE_QUEUE)
    rewrite_log = r.register_script(scripts.REWRITE_LOG)
    quoted_old, quoted_new = json.dumps(old), json.dumps(new)
    for webhook in list_webhooks(r):
        copy = keys.webhook_queue_rewrite(webhook.id)
        r.delete(copy)  # left by an erasure that stopped half-way
        after = "0-0"
        while (after := rewrite_queue(keys=[keys.webhook_queue(webhook.id), copy],
                                      args=[after, REWRITE_CHUNK, quoted_old,
                                            quoted_new])) != "done":
            pass
        # A logged delivery holds its body as a string inside its own JSON, where
        # the id's quotes are escaped; its other fields hold none.
        rewrite_log(keys=[keys.webhook_log(webhook.id)],
                    args=[json.dumps(quoted_old)[1:-1], json.dumps(quoted_new)[1:-1]])
