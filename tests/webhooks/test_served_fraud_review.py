"""A self-referral over HTTP against the real service: flagged, counted nowhere until
accepted, then counted once however many accepts arrive together."""

from __future__ import annotations

import concurrent.futures
import http.client
import time
from urllib.parse import urlsplit

import pytest

from shortener.api.apikeys import create_api_key
from shortener.webhooks.signing import verify
from tests.conftest import BROWSER_UA
from tests.serving import gunicorn, settle
from tests.webhooks.receiver import receiving
from tests.webhooks.test_served_webhooks import Http

pytestmark = pytest.mark.slow


def browse(port: int, path: str) -> tuple[int, str]:
    """GET as the advocate's own browser would: the status and the Location, if any."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": BROWSER_UA})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def test_a_self_referral_over_http_counts_toward_nothing_until_accepted(redis, redis_server,
                                                                        tmp_path):
    key = create_api_key(redis, name="shop")[1]
    secret = {"value": ""}
    with receiving() as receiver, gunicorn(redis_url=redis_server.url, data_dir=tmp_path,
                                           WEBHOOK_ALLOW_PRIVATE="true") as port:
        receiver.answer = lambda received: 200 if verify(
            secret["value"], received.headers["Shortener-Signature"], received.body,
            now=time.time()) else 400
        api = Http(port, key)
        _, webhook = api.call("POST", "/api/v1/webhooks", {
            "url": receiver.url, "events": ["conversion.created", "conversion.updated"]})
        secret["value"] = webhook["secret"]
        _, campaign = api.call("POST", "/api/v1/campaigns", {
            "name": "Friends", "destination": "https://shop.example/",
            "rewards": [{"name": "10 EUR voucher", "conversions": 1}]})
        _, link = api.call("POST", "/api/v1/links", {"campaign": campaign["id"],
                                                     "advocate": "ann"})
        _, ann = api.call("GET", "/api/v1/advocates/ann")

        # Ann opens her own share page, then follows her own link from the same browser.
        assert browse(port, urlsplit(ann["share_url"]).path)[0] == 200
        status, location = browse(port, f"/{link['code']}")
        assert status == 302
        click_id = location.rsplit("sclid=", 1)[1]
        stats = f"/api/v1/campaigns/{campaign['id']}/stats"
        settle(lambda: api.call("GET", stats)[1]["clicks"], 1)

        status, conversion = api.call("POST", "/api/v1/conversions",
                                      {"click_id": click_id, "order_id": "o-1", "value": 40})
        assert status == 201
        assert (conversion["status"], conversion["flags"]) == ("review", ["self_referral"])
        assert conversion["evidence"]["share_page_visit"]["at"].endswith("Z")
        assert api.call("GET", stats)[1]["conversions"] == 0
        assert api.call("GET", "/api/v1/advocates/ann/stats")[1]["conversions"] == 0
        assert api.call("GET", f"/api/v1/rewards?campaign={campaign['id']}")[1]["items"] == []
        _, queue = api.call("GET", f"/api/v1/conversions?campaign={campaign['id']}"
                                   "&status=review")
        assert [item["id"] for item in queue["items"]] == [conversion["id"]]

        def accept(_: int) -> int:
            return Http(port, key).call("PATCH", f"/api/v1/conversions/{conversion['id']}",
                                        {"status": "accepted"})[0]

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            assert list(pool.map(accept, range(6))) == [200] * 6
        after = api.call("GET", stats)[1]
        assert (after["conversions"], after["conversion_value"]) == (1, 40)
        assert api.call("GET", "/api/v1/advocates/ann/stats")[1]["conversions"] == 1
        _, rewards = api.call("GET", f"/api/v1/rewards?campaign={campaign['id']}")
        assert [item["reward"] for item in rewards["items"]] == ["10 EUR voucher"]
        status, problem = api.call("PATCH", f"/api/v1/conversions/{conversion['id']}",
                                   {"status": "rejected"})
        assert (status, problem["field"]) == (422, "status")
        settle(lambda: len(receiver.received), 2)
        settle(lambda: api.call("GET", f"/api/v1/webhooks/{webhook['id']}")[1]["pending"], 0)
    events = [(item.event["type"], item.event["data"]["status"]) for item in receiver.received]
    assert events == [("conversion.created", "review"), ("conversion.updated", "accepted")]
