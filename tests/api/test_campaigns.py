"""/api/v1/campaigns, and how the API answers bad input: problem JSON naming the field."""

from __future__ import annotations

import pytest

from shortener.links.campaigns import get_campaign


def test_it_creates_a_campaign_with_utm_defaults_and_allowed_hosts(api, redis):
    response = api.post("/campaigns", json={
        "name": "Spring", "destination": "https://shop.example/spring",
        "utm": {"utm_source": "referral", "utm_campaign": "spring"},
        "allowed_hosts": ["shop.example"], "cost": 100, "value_per_click": 0.25,
        "channel_utm": True,
    })
    assert response.status_code == 201
    stored = get_campaign(redis, response.json["id"])
    assert stored.utm == {"utm_source": "referral", "utm_campaign": "spring"}
    assert stored.allowed_hosts == ["shop.example"]
    assert stored.channel_utm is True
    assert api.get(f"/campaigns/{stored.id}").json == response.json


def test_patch_changes_only_the_fields_sent_and_archives(api, redis, campaign):
    response = api.patch(f"/campaigns/{campaign['id']}", json={"status": "archived"})
    assert response.status_code == 200
    stored = get_campaign(redis, campaign["id"])
    assert stored.status == "archived"
    assert stored.name == campaign["name"]
    assert api.get("/campaigns?status=active").json["items"] == []


def test_the_list_pages_through_every_campaign_once(api):
    made = {api.post("/campaigns", json={"name": f"C{n}", "destination": "https://a.example"})
            .json["id"] for n in range(5)}
    seen, cursor = [], None
    while True:
        page = api.get("/campaigns?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "x", "destination": "javascript:alert(1)"}, "destination"),
    ({"name": "x", "destination": "ftp://shop.example/"}, "destination"),
    ({"name": "x", "destination": "https://evil.example/", "allowed_hosts": ["shop.example"]},
     "destination"),
    ({"name": "x", "destination": "https://a.example/\u0007"}, "destination"),
    ({"name": "x", "destination": "https://a.example", "utm": {"utm_source": "a\nb"}},
     "utm.utm_source"),
    ({"name": "x", "destination": "https://a.example", "cost": "12"}, "cost"),
    ({"name": "x", "destination": "https://a.example", "colour": "red"}, "colour"),
    ({"destination": "https://a.example"}, "name"),
])
def test_bad_campaigns_get_a_problem_naming_the_field(api, redis, body, field):
    response = api.post("/campaigns", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["field"] == field
    assert redis.keys("*campaign") == []


def test_malformed_json_gets_400(api):
    response = api.post("/campaigns", data="{nope",
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_gets_415(api):
    response = api.post("/campaigns", data="name=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


def test_an_oversized_body_gets_413(api):
    response = api.post("/campaigns", data="[" + "1," * 1_200_000 + "1]",
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_an_unknown_campaign_gets_404(api):
    response = api.get("/campaigns/999")
    assert response.status_code == 404
    assert response.json["code"] == "campaign-not-found"


def test_fraud_rules_sent_as_null_keep_the_defaults(api):
    response = api.post("/campaigns", json={"name": "Null rules", "destination":
                                            "https://shop.example/", "fraud_rules": None})
    assert response.status_code == 201, response.json
    assert all(response.json["fraud_rules"].values())
