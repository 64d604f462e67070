"""Delivering one subscription's queue on a real Redis to a real receiver on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from shortener.webhooks import events, store
from shortener.webhooks.delivery import GIVE_UP_SECONDS, deliver_next
from shortener.webhooks.signing import verify
from shortener.webhooks.subscriptions import create_webhook, list_deliveries, retry_delivery
from tests.webhooks.receiver import Receiver, receiving


@pytest.fixture
def receiver():
    with receiving() as running:
        yield running


def subscribe(redis, receiver, *types):
    return create_webhook(redis, url=receiver.url, events=list(types or ["link.created"]),
                          allow_private=True)


def queue(redis, webhook_type="link.created", **data):
    pipe = redis.pipeline(transaction=False)
    event_id = events.enqueue(redis, webhook_type, data, pipe=pipe)
    pipe.execute()
    return event_id


@pytest.mark.cluster
def test_a_failed_attempt_is_retried_within_30_seconds_and_then_delivered(redis, receiver):
    receiver.answer = lambda received: 500 if len(receiver.received) == 1 else 200
    webhook = subscribe(redis, receiver)
    event_id = queue(redis, code="abc")
    before = time.time()
    assert deliver_next(redis, webhook, "me", allow_private=True) == "retrying"
    [pending] = list_deliveries(redis, webhook.id)
    assert (pending.status, pending.attempts, pending.last_response_code) == ("pending", 1, 500)
    assert before < pending.next_attempt_at <= before + 30
    assert deliver_next(redis, webhook, "me", allow_private=True) == "waiting"
    assert deliver_next(redis, webhook, "me", allow_private=True,
                        now=pending.next_attempt_at) == "delivered"
    [done] = list_deliveries(redis, webhook.id)
    assert (done.status, done.attempts, done.last_response_code) == ("delivered", 2, 200)
    last = receiver.received[-1]
    assert last.event["id"] == event_id and last.event["data"] == {"code": "abc"}
    assert last.event["api_version"] == "1" and last.event["type"] == "link.created"
    assert verify(webhook.secret, last.headers["Shortener-Signature"], last.body,
                  now=time.time())
    assert not verify("whsec_other", last.headers["Shortener-Signature"], last.body,
                      now=time.time())


def test_a_failing_event_holds_back_the_ones_after_it(redis, receiver):
    receiver.answer = lambda received: 503 if received.event["data"]["n"] == 1 else 200
    webhook = subscribe(redis, receiver)
    for number in (1, 2):
        queue(redis, n=number)
    for _ in range(3):
        deliver_next(redis, webhook, "me", allow_private=True, now=time.time() + 10**5)
    assert [item.event["data"]["n"] for item in receiver.received] == [1, 1, 1]
    receiver.answer = lambda received: 200
    while deliver_next(redis, webhook, "me", allow_private=True,
                       now=time.time() + 10**5) == "delivered":
        pass
    assert [item.event["data"]["n"] for item in receiver.received] == [1, 1, 1, 1, 2]


def test_after_three_days_a_delivery_fails_and_retry_sends_it_again(redis, receiver,
                                                                    monkeypatch):
    receiver.answer = lambda received: 500
    webhook = subscribe(redis, receiver)
    queue(redis, n=1)
    queue(redis, n=2)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + GIVE_UP_SECONDS)
    assert deliver_next(redis, webhook, "me", allow_private=True) == "failed"
    monkeypatch.setattr(time, "time", real_time)
    failed = list_deliveries(redis, webhook.id, status="failed")
    assert [(item.status, item.attempts, item.last_error) for item in failed] == \
        [("failed", 1, "answered 500")]
    receiver.answer = lambda received: 200
    again = retry_delivery(redis, webhook.id, failed[0].id)
    assert again.retry_of == failed[0].id and again.event == failed[0].event
    while deliver_next(redis, webhook, "me", allow_private=True) == "delivered":
        pass
    numbers = [item.event["data"]["n"] for item in receiver.received]
    assert numbers == [1, 2, 1]


def test_retry_makes_a_waiting_head_due_at_once(redis, receiver):
    receiver.answer = lambda received: 500 if len(receiver.received) == 1 else 200
    webhook = subscribe(redis, receiver)
    queue(redis, n=1)
    deliver_next(redis, webhook, "me", allow_private=True)
    head = list_deliveries(redis, webhook.id)[0]
    assert deliver_next(redis, webhook, "me", allow_private=True) == "waiting"
    retry_delivery(redis, webhook.id, head.id)
    assert deliver_next(redis, webhook, "me", allow_private=True) == "delivered"


@pytest.mark.cluster
def test_only_the_lease_holder_sends(redis, receiver):
    webhook = subscribe(redis, receiver)
    queue(redis, n=1)
    assert store.take_lease(redis, webhook.id, "them", milliseconds=30_000)
    assert deliver_next(redis, webhook, "me", allow_private=True) == "lost-lease"
    assert receiver.received == []
    store.release_lease(redis, webhook.id, "them")
    assert deliver_next(redis, webhook, "me", allow_private=True) == "delivered"


def test_a_target_on_a_private_address_is_refused_at_delivery_time(redis, receiver):
    # Allowed when subscribed (as if the name pointed outside then); refused when sent.
    webhook = subscribe(redis, receiver)
    queue(redis, n=1)
    assert deliver_next(redis, webhook, "me", allow_private=False) == "retrying"
    [pending] = list_deliveries(redis, webhook.id)
    assert "private, loopback or link-local" in pending.last_error
    assert receiver.received == []


def test_a_receiver_that_never_answers_is_given_up_on_after_the_timeout(redis, monkeypatch):
    import socket

    from shortener.webhooks import delivery

    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        webhook = create_webhook(redis, url=f"http://127.0.0.1:{silent.getsockname()[1]}/x",
                                 events=["link.created"], allow_private=True)
        queue(redis, n=1)
        assert deliver_next(redis, webhook, "me", allow_private=True) == "retrying"
    [pending] = list_deliveries(redis, webhook.id)
    assert pending.last_response_code is None and "no answer" in pending.last_error


def test_a_receiver_that_is_down_costs_bounded_memory(redis):
    webhook = create_webhook(redis, url="http://127.0.0.1:9/x", events=["link.created"],
                             allow_private=True)
    events.configure(max_pending=200)
    try:
        pipe = redis.pipeline(transaction=False)
        for number in range(2000):
            events.enqueue(redis, "link.created", {"n": number}, pipe=pipe)
        pipe.execute()
    finally:
        events.configure(max_pending=events.DEFAULT_MAX_PENDING)
    pending = store.count_pending(redis, webhook.id)
    # Trimming is approximate: whole stream nodes of 100 entries go at once.
    assert 200 <= pending <= 300
    newest = list_deliveries(redis, webhook.id, limit=500)[-1]
    assert newest.body and '"n":1999' in newest.body


def test_a_receiver_that_is_never_reached_is_not_a_crash(redis):
    webhook = create_webhook(redis, url="http://127.0.0.1:9/x", events=["link.created"],
                             allow_private=True)
    queue(redis, n=1)
    assert deliver_next(redis, webhook, "me", allow_private=True) == "retrying"
    assert "ConnectionRefusedError" in list_deliveries(redis, webhook.id)[0].last_error



def test_a_sender_keeps_its_connection_between_deliveries(redis):
    from shortener.webhooks.delivery import Sender

    with receiving(Receiver(keep_alive=True)) as receiver:
        webhook = subscribe(redis, receiver)
        for number in range(3):
            queue(redis, n=number)
        sender = Sender(webhook.url, allow_private=True)
        try:
            while deliver_next(redis, webhook, "me", allow_private=True,
                               sender=sender) == "delivered":
                pass
        finally:
            sender.close()
    assert len(receiver.received) == 3
    assert len({item.client_port for item in receiver.received}) == 1


def test_a_kept_connection_the_receiver_closed_is_replaced_without_a_failed_attempt(redis):
    from shortener.webhooks.delivery import Sender

    with receiving(Receiver(keep_alive=True, drop_silently=True)) as receiver:
        webhook = subscribe(redis, receiver)
        for number in range(3):
            queue(redis, n=number)
        sender = Sender(webhook.url, allow_private=True)
        outcomes = []
        try:
            for _ in range(3):
                time.sleep(0.05)  # let the receiver's close arrive first
                outcomes.append(deliver_next(redis, webhook, "me", allow_private=True,
                                             sender=sender))
        finally:
            sender.close()
    assert outcomes == ["delivered"] * 3
    assert [item.attempts for item in list_deliveries(redis, webhook.id)] == [1, 1, 1]
    assert len({item.client_port for item in receiver.received}) == 3
