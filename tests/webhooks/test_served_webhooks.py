"""Webhooks over HTTP against the real service under gunicorn, with a receiver on 127.0.0.1.

The receiver fails the first attempt and then checks every signature; the
service is restarted (and Redis with it) while an event waits, and the event
still arrives.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shortener.api.apikeys import create_api_key
from shortener.webhooks.signing import verify
from tests.conftest import BROWSER_UA, RedisServer
from tests.serving import gunicorn, settle
from tests.webhooks.receiver import Received, Receiver, receiving

pytestmark = pytest.mark.slow

EVENTS = ["advocate.created", "link.created", "conversion.created", "click"]


class Http:
    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.key}", "User-Agent": BROWSER_UA}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read()
            location = response.getheader("Location")
        finally:
            connection.close()
        if location:
            return response.status, location
        return response.status, json.loads(text) if text else None


class Checking:
    """500 for the very first POST; after that 200 when the signature holds, else 400."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.secret = ""
        self.answers: list[tuple[str, int]] = []

    def __call__(self, received: Received) -> int:
        if not self.answers:
            status = 500
        else:
            good = verify(self.secret, received.headers["Shortener-Signature"], received.body,
                          now=time.time())
            status = 200 if good else 400
        self.answers.append((received.event["id"], status))
        return status

    def delivered(self) -> list[str]:
        with self.receiver.lock:
            return [event_id for event_id, status in self.answers if status == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def test_events_arrive_signed_in_order_after_a_failed_first_attempt(
        redis, redis_server, tmp_path, receiver):
    key = create_api_key(redis, name="shop")[1]
    checking = Checking(receiver)
    receiver.answer = checking
    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path,
                  WEBHOOK_ALLOW_PRIVATE="true") as port:
        api = Http(port, key)
        status, webhook = api.call("POST", "/api/v1/webhooks",
                                   {"url": receiver.url, "events": EVENTS})
        assert status == 201
        checking.secret = webhook["secret"]
        _, campaign = api.call("POST", "/api/v1/campaigns", {
            "name": "Spring", "destination": "https://shop.example/spring"})
        _, link = api.call("POST", "/api/v1/links", {"campaign": campaign["id"],
                                                     "advocate": "ann"})
        status, location = api.call("GET", f"/{link['code']}?ch=whatsapp")
        assert status == 302
        # The click is queued by the batched writer; wait for it before converting,
        # so the order of the events is known.
        settle(lambda: api.call("GET", f"/api/v1/webhooks/{webhook['id']}")[1]["pending"]
               >= 3, True)
        click_id = location.split("sclid=")[1]
        status, _ = api.call("POST", "/api/v1/conversions", {"click_id": click_id,
                                                             "order_id": "o-1", "value": 30})
        assert status == 201
        settle(lambda: len(checking.delivered()), 4, seconds=60)
        _, deliveries = api.call("GET", f"/api/v1/webhooks/{webhook['id']}/deliveries")

    assert [status for _, status in checking.answers] == [500, 200, 200, 200, 200]
    events = {item.event["id"]: item.event for item in receiver.received}
    types = [events[event_id]["type"] for event_id in checking.delivered()]
    assert types == ["advocate.created", "link.created", "click", "conversion.created"]
    click = next(event for event in events.values() if event["type"] == "click")
    assert click["data"]["channel"] == "whatsapp" and click["data"]["dark"] is True
    assert click["data"]["kind"] == "human" and click["data"]["click_id"] == click_id
    assert {"signal", "device", "country"} <= set(click["data"])
    conversion = next(event for event in events.values()
                      if event["type"] == "conversion.created")
    assert conversion["data"]["order_id"] == "o-1" and conversion["data"]["advocate"] == "ann"
    assert [item["status"] for item in deliveries["items"]] == ["delivered"] * 4
    first = deliveries["items"][-1]
    assert (first["type"], first["attempts"], first["last_response_code"]) == \
        ("advocate.created", 2, 200)


def test_an_event_waiting_for_a_receiver_survives_a_restart(tmp_path: Path, receiver):
    durable = RedisServer(tmp_path / "redis", durable=True)
    durable.directory.mkdir()
    durable.start()
    try:
        redis = durable.client()
        key = create_api_key(redis, name="shop")[1]
        receiver.answer = lambda received: 503
        with gunicorn(redis_url=durable.url, data_dir=tmp_path / "serve",
                      WEBHOOK_ALLOW_PRIVATE="true") as port:
            api = Http(port, key)
            _, webhook = api.call("POST", "/api/v1/webhooks",
                                  {"url": receiver.url, "events": ["link.created"]})
            _, campaign = api.call("POST", "/api/v1/campaigns", {
                "name": "Spring", "destination": "https://shop.example/spring"})
            _, link = api.call("POST", "/api/v1/links", {"campaign": campaign["id"],
                                                         "advocate": "ann"})
            assert len(receiver.wait_for(1)) >= 1
        durable.stop()
        durable.start()
        secret = webhook["secret"]
        receiver.answer = lambda received: 200 if verify(
            secret, received.headers["Shortener-Signature"], received.body,
            now=time.time()) else 400
        with gunicorn(redis_url=durable.url, data_dir=tmp_path / "serve",
                      WEBHOOK_ALLOW_PRIVATE="true") as port:
            api = Http(port, key)
            path = f"/api/v1/webhooks/{webhook['id']}/deliveries"
            settle(lambda: api.call("GET", path)[1]["items"][0]["status"], "delivered",
                   seconds=60)
            delivered = api.call("GET", path)[1]["items"][0]
    finally:
        durable.stop()
    assert delivered["status"] == "delivered" and delivered["last_response_code"] == 200
    assert delivered["attempts"] >= 2  # one or more before the restart, the last after it
    last = receiver.received[-1].event
    assert last["type"] == "link.created" and last["data"]["code"] == link["code"]
