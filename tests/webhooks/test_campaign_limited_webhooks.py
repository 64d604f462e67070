"""Least privilege for webhooks, over HTTP against the real service with real receivers.

A key limited to campaigns subscribes: its subscription is limited to those
campaigns, receives only their events, and no other limited key sees it.
The operator's subscription next to it receives everything.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shortener.api.apikeys import create_api_key
from shortener.links.campaigns import create_campaign
from tests.serving import gunicorn, settle
from tests.webhooks.receiver import Receiver, receiving
from tests.webhooks.test_served_webhooks import Http

pytestmark = pytest.mark.slow

EVENTS = ["advocate.created", "link.created", "conversion.created", "click"]


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with receiving() as limited, receiving() as everything:
        yield limited, everything


def test_a_campaign_limited_key_subscribes_to_its_campaigns_only(
        redis, redis_server, tmp_path, receivers):
    limited_receiver, all_receiver = receivers
    spring = create_campaign(redis, name="Spring", destination="https://shop.example/spring")
    autumn = create_campaign(redis, name="Autumn", destination="https://shop.example/autumn")
    full_key = create_api_key(redis, name="operator")[1]
    spring_key = create_api_key(redis, name="spring agency", scopes=["webhooks:write"],
                                campaigns=[spring.id])[1]
    other_spring_key = create_api_key(redis, name="another agency", scopes=["webhooks:write"],
                                      campaigns=[spring.id])[1]
    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path,
                  WEBHOOK_ALLOW_PRIVATE="true") as port:
        operator, agency, other = (Http(port, full_key), Http(port, spring_key),
                                   Http(port, other_spring_key))
        status, limited = agency.call("POST", "/api/v1/webhooks",
                                      {"url": limited_receiver.url, "events": EVENTS})
        assert status == 201
        assert limited["campaigns"] == [spring.id]
        status, refused = agency.call("POST", "/api/v1/webhooks", {
            "url": limited_receiver.url, "events": EVENTS, "campaigns": [autumn.id]})
        assert (status, refused["field"]) == (404, "campaigns")
        _, everything = operator.call("POST", "/api/v1/webhooks",
                                      {"url": all_receiver.url, "events": EVENTS})
        assert everything["campaigns"] == []

        for campaign, advocate in ((spring, "ann"), (autumn, "ben")):
            _, link = operator.call("POST", "/api/v1/links",
                                    {"campaign": campaign.id, "advocate": advocate})
            status, location = operator.call("GET", f"/{link['code']}?ch=whatsapp")
            assert status == 302
            click_id = location.split("sclid=")[1]
            status, _ = operator.call("POST", "/api/v1/conversions", {
                "click_id": click_id, "order_id": f"o-{advocate}", "value": 30})
            assert status == 201
        all_received = all_receiver.wait_for(8)
        settle(lambda: operator.call("GET", f"/api/v1/webhooks/{limited['id']}")[1]["pending"],
               0)
        seen_by_agency = [operator.call("GET", path)[0] for path in (
            f"/api/v1/webhooks/{everything['id']}",
            f"/api/v1/webhooks/{everything['id']}/deliveries")]
        agency_list = agency.call("GET", "/api/v1/webhooks")[1]["items"]
        other_list = other.call("GET", "/api/v1/webhooks")[1]["items"]
        operator_list = operator.call("GET", "/api/v1/webhooks")[1]["items"]
        hidden = [agency.call(method, path, body)[0] for method, path, body in (
            ("GET", f"/api/v1/webhooks/{everything['id']}", None),
            ("GET", f"/api/v1/webhooks/{everything['id']}/deliveries", None),
            ("DELETE", f"/api/v1/webhooks/{everything['id']}", None),
            ("POST", f"/api/v1/webhooks/{everything['id']}/deliveries/1-0/retry", {}),
        )] + [other.call("DELETE", f"/api/v1/webhooks/{limited['id']}")[0]]
        own_deliveries = agency.call("GET", f"/api/v1/webhooks/{limited['id']}/deliveries")

    assert len(all_received) == 8
    assert {event.event["data"]["campaign"] for event in all_received} == \
        {spring.id, autumn.id}
    limited_events = limited_receiver.events()
    assert sorted(event["type"] for event in limited_events) == sorted(EVENTS)
    assert {event["data"]["campaign"] for event in limited_events} == {spring.id}
    assert {event["data"].get("advocate", event["data"].get("external_id"))
            for event in limited_events} == {"ann"}
    assert seen_by_agency == [200, 200]
    assert [item["id"] for item in agency_list] == [limited["id"]]
    assert other_list == []
    assert [item["id"] for item in operator_list] == [limited["id"], everything["id"]]
    assert hidden == [404, 404, 404, 404, 404]
    assert own_deliveries[0] == 200
    assert [item["status"] for item in own_deliveries[1]["items"]] == ["delivered"] * 4
