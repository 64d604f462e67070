"""Sending the queues: one POST at a time per subscription, in order, retried with backoff.

Every gunicorn worker runs a DeliveryWorker thread. A subscription is sent
by whichever process holds its lease in Redis (taken with SET NX, renewed
before every POST, LEASE_SECONDS long): so its events leave in order and
are not sent twice by two processes, and when the holder dies another
takes over within LEASE_SECONDS. Workers rather than the gunicorn master:
the master runs no app code and forks the workers (a thread started before
a fork does not survive it), and a deployment with several machines has
several masters anyway, so the lease is needed either way.

An attempt that gets no 2xx within TIMEOUT_SECONDS is retried after
BASE_BACKOFF_SECONDS, doubling up to MAX_BACKOFF_SECONDS, for
GIVE_UP_SECONDS after the event was queued; then it is logged as failed
(``retry`` queues it again) and the next event goes. Delivery is at least
once: a process that dies after the receiver answered and before the
outcome is recorded leaves the event at the head, and it is sent again.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import logging
import random
import socket
import ssl
import threading
import time
import uuid
import weakref
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from redis.exceptions import RedisError

from shortener.config import Settings
from shortener.db import Client
from shortener.webhooks import store
from shortener.webhooks.events import configure
from shortener.webhooks.models import Delivery, Webhook
from shortener.webhooks.signing import HEADER, signature
from shortener.webhooks.targets import TargetRefused, resolve

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
BASE_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0
GIVE_UP_SECONDS = 3 * 86400
LEASE_SECONDS = 30
POLL_SECONDS = 0.5
MAX_SENDERS = 8
MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_LENGTH = 200
USER_AGENT = "shortener-webhooks/1"


def backoff_seconds(attempts: int) -> float:
    """Wait before the next attempt after ``attempts`` failed ones: 5 s, 10 s, 20 s ... 1 h.

    Up to a fifth more at random, so receivers that come back are not hit by
    every queue at the same second.
    """
    delay = min(BASE_BACKOFF_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    return delay * (1 + random.random() / 5)


def _open(address: str, port: int, timeout: float | None) -> socket.socket:
    sock = socket.create_connection((address, port), timeout)
    # Without it, a kept connection waits on delayed ACKs: ~40 ms per delivery.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _open(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = _open(self.address, self.port, self.timeout)
        # The certificate is checked against the name in the URL, as usual.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class Sender:
    """POSTs to one subscription's URL, keeping the connection open between deliveries.

    The name is resolved and every address checked each time a connection is
    opened, and the connection goes to the address that was checked; a kept
    connection stays on it. A kept connection the receiver has closed in the
    meantime is replaced once, without counting as a failed attempt.
    """

    def __init__(self, url: str, *, allow_private: bool) -> None:
        self.url = url
        self.allow_private = allow_private
        self._parts = urlsplit(url)
        self._connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        """POST once: (status code, None), or (None, why) when there was no answer in time."""
        for _ in range(2):
            reused = self._connection is not None
            if self._connection is None:
                try:
                    self._connection = self._connect()
                except TargetRefused as exc:
                    return None, str(exc)[:MAX_ERROR_LENGTH]
                except (OSError, UnicodeError):
                    return None, "the host does not resolve"
            try:
                return self._exchange(self._connection, body, headers), None
            except TimeoutError:
                self.close()
                return None, f"no answer within {TIMEOUT_SECONDS:.0f} s"
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if not reused:
                    return None, (f"{type(exc).__name__}: {exc}")[:MAX_ERROR_LENGTH]
        return None, "the connection was closed"

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        addresses = resolve(self.url, allow_private=self.allow_private)
        kind = _PinnedHTTPSConnection if self._parts.scheme.lower() == "https" \
            else _PinnedHTTPConnection
        return kind(self._parts.hostname or "", self._parts.port, address=addresses[0],
                    timeout=TIMEOUT_SECONDS)

    def _exchange(self, connection: http.client.HTTPConnection, body: bytes,
                  headers: dict[str, str]) -> int:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        path = (self._parts.path or "/") + (f"?{self._parts.query}" if self._parts.query
                                            else "")
        connection.request("POST", path, body=body, headers=headers)
        # The timeout applies to each socket operation; hold the whole exchange
        # to TIMEOUT_SECONDS too, so a receiver that trickles cannot stall the queue.
        if connection.sock is not None:
            connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        if response.will_close or not response.isclosed():
            # Closed by the receiver, or a body longer than we read: start afresh.
            self.close()
        elif connection.sock is not None:
            connection.sock.settimeout(TIMEOUT_SECONDS)
        return response.status


def deliver_next(r: Client, webhook: Webhook, token: str, *, allow_private: bool,
                 now: float | None = None, sender: Sender | None = None) -> str:
    """Attempt the delivery at the head of the subscription's queue, if it is due.

    Returns what happened: "empty", "waiting" (not due), "lost-lease",
    "delivered", "retrying" or "failed". ``sender`` keeps a connection for
    the next call; without it, one is opened and closed for this delivery.
    """
    head = store.get_head(r, webhook.id)
    if head is None:
        return "empty"
    delivery, state = head
    now = time.time() if now is None else now
    if state.get("next_attempt_at") and state["next_attempt_at"] > now:
        return "waiting"
    if not store.take_lease(r, webhook.id, token, milliseconds=LEASE_SECONDS * 1000):
        return "lost-lease"
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER: signature(webhook.secret, int(now), body),
        "Shortener-Event": delivery.type,
        "Shortener-Delivery": delivery.id,
    }
    if sender is None:
        once = Sender(webhook.url, allow_private=allow_private)
        try:
            status, error = once.post(body, headers)
        finally:
            once.close()
    else:
        status, error = sender.post(body, headers)
    attempts = int(state.get("attempts", 0)) + 1
    finished = time.time()
    if status is not None and 200 <= status < 300:
        outcome = "delivered"
    elif finished - delivery.created_at >= GIVE_UP_SECONDS:
        outcome = "failed"
    else:
        outcome = "retrying"
    if status is not None and outcome != "delivered":
        error = f"answered {status}"
    if outcome == "retrying":
        recorded = store.record_attempt(r, webhook.id, token, delivery.id, state={
            "delivery": delivery.id, "attempts": attempts, "last_response_code": status,
            "last_error": error, "next_attempt_at": finished + backoff_seconds(attempts),
        })
    else:
        done = Delivery(
            id=delivery.id, event=delivery.event, type=delivery.type, status=outcome,
            body=delivery.body, attempts=attempts, last_response_code=status,
            last_error=error, created_at=delivery.created_at, finished_at=finished,
            retry_of=delivery.retry_of,
        )
        recorded = store.record_attempt(r, webhook.id, token, delivery.id, done=done)
    return outcome if recorded else "lost-lease"


class DeliveryWorker:
    """One per process: finds subscriptions with due events and sends them (see above)."""

    def __init__(self, client: Client, *, allow_private: bool) -> None:
        self.client = client
        self.allow_private = allow_private
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._pool = concurrent.futures.ThreadPoolExecutor(MAX_SENDERS,
                                                           thread_name_prefix="webhook-sender")
        self._thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except RedisError as exc:
                log.warning("webhook queues not read", extra={"error": type(exc).__name__})
            except Exception:
                # The thread must outlive any surprise, or events pile up unsent.
                log.exception("webhook worker failed; retrying")
            self._stop.wait(POLL_SECONDS)

    def tick(self) -> None:
        """Hand each subscription with work, and no sender yet, to a sender thread."""
        assert self._pool is not None
        for webhook in store.list_webhooks(self.client):
            with self._lock:
                if webhook.id in self._busy:
                    continue
            head = store.get_head(self.client, webhook.id)
            if head is None:
                continue
            due_at = head[1].get("next_attempt_at") or 0
            if due_at > time.time():
                continue
            if not store.take_lease(self.client, webhook.id, self.token,
                                    milliseconds=LEASE_SECONDS * 1000):
                continue
            with self._lock:
                self._busy.add(webhook.id)
            self._pool.submit(self._drain, webhook)

    def _drain(self, webhook: Webhook) -> Any:
        """Send due events of one subscription until it must wait, then let the lease go."""
        outcome = "empty"
        sender = Sender(webhook.url, allow_private=self.allow_private)
        try:
            while not self._stop.is_set():
                outcome = deliver_next(self.client, webhook, self.token,
                                       allow_private=self.allow_private, sender=sender)
                if outcome not in {"delivered", "failed"}:
                    break
            if outcome != "lost-lease":
                store.release_lease(self.client, webhook.id, self.token)
        except Exception:
            log.exception("webhook delivery failed", extra={"webhook": webhook.id})
        finally:
            sender.close()
            with self._lock:
                self._busy.discard(webhook.id)


_workers: weakref.WeakSet[DeliveryWorker] = weakref.WeakSet()


def init_app(app: Flask, settings: Settings, client: Client) -> None:
    """Give the app its delivery worker; gunicorn starts it in each worker process."""
    configure(max_pending=settings.webhook_max_pending)
    worker = DeliveryWorker(client, allow_private=settings.webhook_allow_private)
    app.extensions["webhook_worker"] = worker
    _workers.add(worker)


def start_workers() -> None:
    for worker in list(_workers):
        worker.start()


def close_workers() -> None:
    for worker in list(_workers):
        worker.close()
