"""Rewards over HTTP against the real service: concurrent conversions, one reward per tier,
each announced once by a signed webhook."""

from __future__ import annotations

import concurrent.futures
import time

import pytest

from shortener.api.apikeys import create_api_key
from shortener.webhooks.signing import verify
from tests.serving import gunicorn, settle
from tests.webhooks.receiver import receiving
from tests.webhooks.test_served_webhooks import Http

pytestmark = pytest.mark.slow

TIERS = [{"name": "10 EUR voucher", "conversions": 1}, {"name": "Free month", "conversions": 3}]


def test_concurrent_conversions_over_http_create_each_reward_once(redis, redis_server,
                                                                  tmp_path):
    key = create_api_key(redis, name="shop")[1]
    secret = {"value": ""}
    with receiving() as receiver, gunicorn(redis_url=redis_server.url, data_dir=tmp_path,
                                           WEBHOOK_ALLOW_PRIVATE="true") as port:
        receiver.answer = lambda received: 200 if verify(
            secret["value"], received.headers["Shortener-Signature"], received.body,
            now=time.time()) else 400
        api = Http(port, key)
        _, webhook = api.call("POST", "/api/v1/webhooks",
                              {"url": receiver.url, "events": ["reward.created"]})
        secret["value"] = webhook["secret"]
        _, campaign = api.call("POST", "/api/v1/campaigns", {
            "name": "Friends", "destination": "https://shop.example/", "rewards": TIERS,
            # Orders come by advocate alone, with no click: fraud review would hold them.
            "fraud_rules": {"no_human_click": False}})
        api.call("POST", "/api/v1/links", {"campaign": campaign["id"], "advocate": "ann"})

        def convert(number: int) -> int:
            return Http(port, key).call("POST", "/api/v1/conversions", {
                "campaign": campaign["id"], "advocate": "ann", "order_id": f"o-{number}"})[0]

        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(convert, range(20)))
        assert statuses == [201] * 20
        _, page = api.call("GET", f"/api/v1/rewards?campaign={campaign['id']}")
        settle(lambda: len(receiver.received), 2)
        settle(lambda: api.call("GET", f"/api/v1/webhooks/{webhook['id']}")[1]["pending"], 0)
    assert sorted((item["reward"], item["status"]) for item in page["items"]) == \
        [("10 EUR voucher", "pending"), ("Free month", "pending")]
    announced = sorted(item.event["data"]["reward"] for item in receiver.received)
    assert announced == ["10 EUR voucher", "Free month"]
