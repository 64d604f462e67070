"""Events queued for webhooks, in the same pipeline as the write that caused them.

``enqueue`` is called by the domain's writers with their pipeline: the
event reaches every subscription that wants its type when (and only when)
the write does. Clicks take another road: the click writer's flusher calls
``plan_click_events`` while it plans a batch, so a click event costs the
redirect nothing and is written with the batch, once even if the batch is
replayed from the spool.

Each subscription's queue keeps at most WEBHOOK_MAX_PENDING events; past
that the oldest go, so a receiver that is down costs bounded memory.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError

from shortener import keys
from shortener.db import Client
from shortener.webhooks import store
from shortener.webhooks.models import API_VERSION, Webhook

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 100_000
# Set from WEBHOOK_MAX_PENDING when the app is made (see configure): the writers
# that call enqueue are domain functions without the app's settings at hand.
_limits = {"max_pending": DEFAULT_MAX_PENDING}


def configure(*, max_pending: int) -> None:
    _limits["max_pending"] = max_pending


def max_pending() -> int:
    """Events a subscription's queue keeps at most (WEBHOOK_MAX_PENDING)."""
    return _limits["max_pending"]


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def event_body(event_id: str, event_type: str, data: dict[str, Any], *, ts: float) -> str:
    """The JSON every delivery of the event POSTs; fields may be added, never removed."""
    return json.dumps({"id": event_id, "type": event_type, "created_at": iso(ts),
                       "api_version": API_VERSION, "data": data}, separators=(",", ":"))


def enqueue(r: Client, event_type: str, data: dict[str, Any], *, pipe: Any,
            now: float | None = None) -> str | None:
    """Queue the event onto ``pipe`` for each subscription that wants it; its id, or None.

    The event's campaign is ``data["campaign"]``: a subscription limited to
    campaigns gets only events of those.
    """
    campaign = data.get("campaign")
    wanting = [webhook for webhook in store.list_webhooks(r)
               if webhook.wants(event_type, campaign)]
    if not wanting:
        return None
    event_id = new_event_id()
    body = event_body(event_id, event_type, data, ts=now or time.time())
    for webhook in wanting:
        store.queue_event(r, webhook.id, event_id=event_id, event_type=event_type, body=body,
                          max_pending=_limits["max_pending"], pipe=pipe)
    return event_id


def enqueue_many(r: Client, event_type: str, items: Iterable[dict[str, Any]], *, pipe: Any,
                 now: float | None = None) -> int:
    """enqueue() for many events of one type (bulk minting), reading subscriptions once.

    ``items`` is read only when a subscription wants the events, so a
    generator spares building payloads nobody receives.
    """
    subscribed = [webhook for webhook in store.list_webhooks(r)
                  if event_type in webhook.events]
    if not subscribed:
        return 0
    count = 0
    for data in items:
        wanting = [webhook for webhook in subscribed
                   if webhook.wants(event_type, data.get("campaign"))]
        if not wanting:
            continue
        count += 1
        event_id = new_event_id()
        body = event_body(event_id, event_type, data, ts=now or time.time())
        for webhook in wanting:
            store.queue_event(r, webhook.id, event_id=event_id, event_type=event_type,
                              body=body, max_pending=_limits["max_pending"], pipe=pipe)
    return count


# Payloads ------------------------------------------------------------------------


def advocate_data(advocate: Any, *, campaign: str | None = None) -> dict[str, Any]:
    """No name or contact: a receiver that needs them asks the API.

    ``campaign``: the one whose link brought the advocate in, if any (None
    when the advocate was created on their own).
    """
    return {"external_id": advocate.external_id, "referred_by": advocate.referred_by,
            "created_at": iso(advocate.created_at), "campaign": campaign}


def link_data(link: Any, *, short_url: str) -> dict[str, Any]:
    data = link.to_dict()
    data["campaign"] = data.pop("campaign_id")
    data["short_url"] = short_url
    data["expires_at"] = iso(link.expires_at)
    data["created_at"] = iso(link.created_at)
    return data


def conversion_data(conversion: Any) -> dict[str, Any]:
    data = conversion.to_dict()
    data["campaign"] = data.pop("campaign_id")
    data["ts"] = iso(conversion.ts)
    data["id"] = conversion.id
    data["reviewed_at"] = iso(conversion.reviewed_at)
    data["evidence"] = {name: {**part, "at": iso(part["at"])}
                        if isinstance(part, dict) and "at" in part else part
                        for name, part in conversion.evidence.items()}
    # A referral code may start with the advocate's name: it stays out of the queue
    # and the delivery log, which erasure renames but does not rewrite.
    data.pop("referral_code", None)
    return data


def click_data(event: dict[str, str]) -> dict[str, Any]:
    """A click from its stored event (see clicks.recording.Click.to_event)."""
    return {
        "click_id": event["click_id"],
        "code": event["code"],
        "campaign": event["campaign"],
        "advocate": event["advocate"],
        "ts": iso(float(event["ts"])),
        "kind": event["kind"],
        "channel": event["channel"] or None,
        "dark": None if event["dark"] == "" else event["dark"] == "1",
        "signal": event["signal"],
        "confidence": float(event["confidence"]),
        "device": event["device"],
        "os": event["os"],
        "browser": event["browser"],
        "referrer_host": event.get("referrer_host") or None,
        "country": event.get("country") or None,
    }


# Clicks ------------------------------------------------------------------------------


class ClickSubscribers:
    """Which subscriptions want clicks, re-read only when a subscription changed.

    One GET per batch when nothing changed. A Redis error keeps the last
    answer: planning a batch must never fail, or its clicks would be planned
    twice.
    """

    def __init__(self) -> None:
        self._version: str | None = None
        self._wanting: list[Webhook] = []

    def get(self, r: Client) -> list[Webhook]:
        try:
            version = r.get(keys.webhook_version())
            if version != self._version:
                # Each click's campaign is checked when it is planned.
                self._wanting = [webhook for webhook in store.list_webhooks(r)
                                 if "click" in webhook.events]
                self._version = version
        except RedisError as exc:
            log.warning("webhook subscriptions not read", extra={"error": type(exc).__name__})
        return self._wanting


def plan_click_events(batch: Any, records: list[dict[str, Any]], wanting: list[Webhook]) -> None:
    """Add a ``click`` event per recorded click to the batch, for each subscriber.

    The event id comes from the click id, so a receiver can tell a repeat.
    """
    if not wanting:
        return
    cap = _limits["max_pending"]
    for record in records:
        if record.get("k") != "click":
            continue
        event = record["e"]
        event_id = "evt_" + event["click_id"].replace(".", "_")
        body = event_body(event_id, "click", click_data(event), ts=float(event["ts"]))
        fields = store.queue_fields(event_id, "click", body)
        for webhook in wanting:
            if not webhook.wants("click", event["campaign"]):
                continue
            batch.append_event(keys.webhook_batches(webhook.id), keys.webhook_queue(webhook.id),
                               fields, maxlen=cap)
