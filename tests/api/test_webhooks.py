"""/api/v1/webhooks through the test client: subscribe, list, delete, refuse bad targets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from shortener.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private=True)


def subscribe(api, url="http://127.0.0.1:9/hooks", events=("link.created",)):
    return api.post("/webhooks", json={"url": url, "events": list(events)})


def test_a_subscription_shows_its_secret_once(api):
    created = subscribe(api, events=["link.created", "click"])
    assert created.status_code == 201
    assert created.json["secret"].startswith("whsec_")
    assert created.json["events"] == ["link.created", "click"]
    listed = api.get("/webhooks").json["items"]
    assert [item["id"] for item in listed] == [created.json["id"]]
    one = api.get(f"/webhooks/{created.json['id']}").json
    assert "secret" not in one and "secret" not in listed[0]
    assert one["pending"] == 0


def test_a_deleted_subscription_is_gone_with_its_queue(api, redis, campaign):
    webhook = subscribe(api).json
    api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"})
    assert api.get(f"/webhooks/{webhook['id']}").json["pending"] == 1
    assert api.delete(f"/webhooks/{webhook['id']}").status_code == 204
    assert api.get(f"/webhooks/{webhook['id']}").status_code == 404
    assert [key for key in redis.scan_iter() if webhook["id"] in key] == []


def test_events_are_queued_only_for_subscriptions_that_want_them(api, campaign):
    links = subscribe(api, events=["link.created"]).json
    conversions = subscribe(api, events=["conversion.created"]).json
    api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"})
    api.post("/conversions", json={"campaign": campaign["id"], "advocate": "ann",
                                   "order_id": "o-1", "value": 10})
    queued = {
        name: [item["type"] for item in
               api.get(f"/webhooks/{webhook['id']}/deliveries").json["items"]]
        for name, webhook in (("links", links), ("conversions", conversions))
    }
    assert queued == {"links": ["link.created"], "conversions": ["conversion.created"]}


def test_bulk_minting_queues_an_event_per_new_link_and_advocate(api, campaign):
    webhook = subscribe(api, events=["link.created", "advocate.created"]).json
    body = {"campaign": campaign["id"], "items": [{"advocate": "ann"}, {"advocate": "ben"}]}
    api.post("/links/bulk", json=body)
    api.post("/links/bulk", json=body)  # a repeat mints nothing, so announces nothing
    queued = api.get(f"/webhooks/{webhook['id']}/deliveries").json["items"]
    assert sorted(item["type"] for item in queued) == \
        ["advocate.created", "advocate.created", "link.created", "link.created"]


def test_a_repeated_conversion_queues_no_second_event(api, campaign):
    webhook = subscribe(api, events=["conversion.created"]).json
    api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"})
    body = {"campaign": campaign["id"], "advocate": "ann", "order_id": "o-1", "value": 10}
    api.post("/conversions", json=body)
    api.post("/conversions", json=body)
    assert api.get(f"/webhooks/{webhook['id']}").json["pending"] == 1


@pytest.mark.parametrize("body", [
    {"url": "ftp://hooks.example/x", "events": ["click"]},
    {"url": "http://user:pw@127.0.0.1/x", "events": ["click"]},
    {"url": "http://127.0.0.1/x", "events": ["order.paid"]},
    {"url": "http://127.0.0.1/x", "events": []},
    {"url": "http://[::1/x", "events": ["click"]},
    {"url": "http://127.0.0.1:99999/x", "events": ["click"]},
])
def test_bad_subscriptions_are_refused_naming_the_field(api, body):
    response = api.post("/webhooks", json=body)
    assert response.status_code == 422
    assert response.json["field"] in {"url", "events", "events.0"}


def test_a_read_only_key_cannot_subscribe(client, bob_key):
    response = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/x",
                                                     "events": ["click"]},
                           headers={"Authorization": f"Bearer {bob_key}"})
    assert response.status_code == 403


def test_unknown_deliveries_and_webhooks_are_404(api):
    webhook = subscribe(api).json
    assert api.get("/webhooks/wh_0000000000000000/deliveries").status_code == 404
    retry = api.post(f"/webhooks/{webhook['id']}/deliveries/1-0/retry", json={})
    assert retry.status_code == 404
    assert retry.json["code"] == "delivery-not-found"


class TestPrivateTargets:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, webhook_allow_private=False)

    @pytest.mark.parametrize("url", [
        "http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks", "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks", "http://[fe80::1]/hooks", "http://[::ffff:127.0.0.1]/hooks",
        "http://100.64.0.1/hooks", "http://0.0.0.0/hooks",
    ])
    def test_private_loopback_and_link_local_targets_are_refused(self, api, url):
        response = subscribe(api, url=url)
        assert response.status_code == 422
        assert response.json["field"] == "url"
        assert api.get("/webhooks").json["items"] == []

    def test_a_public_address_is_accepted(self, api):
        assert subscribe(api, url="http://93.184.215.14/hooks").status_code == 201


def queued_events(redis, webhook_id):
    from shortener.webhooks.subscriptions import list_deliveries

    return [json.loads(item.body) for item in list_deliveries(redis, webhook_id, limit=500)]


def test_events_of_other_campaigns_skip_a_limited_subscription(api, redis, make_campaign):
    from shortener.webhooks.subscriptions import create_webhook

    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    types = ["advocate.created", "link.created", "conversion.created"]
    limited = create_webhook(redis, url="http://127.0.0.1:9/x", events=types,
                             campaigns=[spring.id], allow_private=True)
    everything = create_webhook(redis, url="http://127.0.0.1:9/y", events=types,
                                allow_private=True)
    for campaign, advocate in ((spring, "ann"), (autumn, "ben")):
        api.post("/links", json={"campaign": campaign.id, "advocate": advocate})
        api.post("/conversions", json={"campaign": campaign.id, "advocate": advocate,
                                       "order_id": f"o-{advocate}", "value": 10})
    api.put("/advocates/cid", json={"name": "Cid"})  # on their own: no campaign

    seen = [(event["type"], event["data"]["campaign"])
            for event in queued_events(redis, limited.id)]
    assert seen == [(kind, spring.id) for kind in types]
    every = [(event["type"], event["data"]["campaign"])
             for event in queued_events(redis, everything.id)]
    assert len(every) == 7 and ("advocate.created", None) in every


def test_the_import_names_its_campaign_in_advocate_events(runner, redis, make_campaign,
                                                         tmp_path):
    from shortener.cli import main
    from shortener.webhooks.subscriptions import create_webhook

    spring = make_campaign(name="Spring")
    limited = create_webhook(redis, url="http://127.0.0.1:9/x", events=["advocate.created"],
                             campaigns=[spring.id], allow_private=True)
    source = tmp_path / "advocates.csv"
    # ann twice: the repeat goes through the one-by-one path.
    source.write_text("external_id,name\nann,Ann\nben,Ben\nann,Ann B\ncid,Cid\n")
    result = runner.invoke(main, ["advocate", "import", str(source), "--campaign", spring.id])
    assert result.exit_code == 0, result.output
    events = queued_events(redis, limited.id)
    assert sorted(event["data"]["external_id"] for event in events) == ["ann", "ben", "cid"]
    assert {event["data"]["campaign"] for event in events} == {spring.id}


def test_deliveries_are_paged_by_cursor_pending_first_then_finished(api, redis, campaign):
    from shortener.webhooks import store
    from shortener.webhooks.delivery import deliver_next
    from tests.webhooks.receiver import receiving

    with receiving() as receiver:
        webhook = subscribe(api, url=receiver.url).json
        for number in range(7):
            api.post("/links", json={"campaign": campaign["id"], "advocate": f"a-{number}"})
        record = store.get_webhook(redis, webhook["id"])
        for _ in range(3):
            assert deliver_next(redis, record, "test", allow_private=True) == "delivered"
    path = f"/webhooks/{webhook['id']}/deliveries"
    every = api.get(path, query_string={"limit": 500}).json
    assert every["next_cursor"] is None
    assert [item["status"] for item in every["items"]] == ["pending"] * 4 + ["delivered"] * 3
    for size in (1, 2, 3, 4, 7):
        pages, cursor = [], None
        while True:
            query = {"limit": size, **({"cursor": cursor} if cursor else {})}
            page = api.get(path, query_string=query).json
            pages += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == every["items"], size
    pending = api.get(path, query_string={"status": "pending", "limit": 3}).json
    rest = api.get(path, query_string={"status": "pending",
                                       "cursor": pending["next_cursor"]}).json
    assert [item["id"] for item in pending["items"] + rest["items"]] == \
        [item["id"] for item in every["items"][:4]]
    assert api.get(path, query_string={"cursor": "x1-0"}).status_code == 422
