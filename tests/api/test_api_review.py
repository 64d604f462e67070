"""Fraud review over the API: the campaign's rule toggles, the queue, PATCH, scopes."""

from __future__ import annotations

import pytest

from shortener.api.apikeys import create_api_key
from tests.api.conftest import Api
from tests.api.test_api_conversions import human_click


@pytest.fixture
def ann(api, campaign):
    return api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json


def report_without_click(api, campaign, order_id="o-1", value=25):
    """ann has no human click yet: the conversion is held as no_human_click."""
    response = api.post("/conversions", json={"campaign": campaign["id"], "advocate": "ann",
                                              "order_id": order_id, "value": value})
    assert response.status_code == 201, response.json
    return response.json


def test_every_rule_is_on_for_a_new_campaign(campaign):
    assert campaign["fraud_rules"] == {"self_referral": True, "repeat_visitor": True,
                                       "no_human_click": True, "burst": True}


def test_a_rule_is_turned_off_by_patch_and_the_others_stay(api, campaign):
    response = api.patch(f"/campaigns/{campaign['id']}",
                         json={"fraud_rules": {"no_human_click": False}})
    assert response.status_code == 200
    assert response.json["fraud_rules"] == {"self_referral": True, "repeat_visitor": True,
                                            "no_human_click": False, "burst": True}
    assert api.get(f"/campaigns/{campaign['id']}").json["fraud_rules"]["no_human_click"] \
        is False


@pytest.mark.parametrize("rules,field", [
    ({"velocity": True}, "fraud_rules.velocity"),
    ({"burst": "off"}, "fraud_rules.burst"),
])
def test_a_bad_rule_toggle_is_a_422_naming_it(api, campaign, rules, field):
    response = api.patch(f"/campaigns/{campaign['id']}", json={"fraud_rules": rules})
    assert response.status_code == 422
    assert response.json["field"] == field


def test_a_held_conversion_is_listed_and_counted_only_once_accepted(api, campaign, ann):
    held = report_without_click(api, campaign)
    assert (held["status"], held["flags"]) == ("review", ["no_human_click"])
    assert held["evidence"] == {"human_clicks": 0}
    stats = f"/campaigns/{campaign['id']}/stats"
    assert api.get(stats).json["conversions"] == 0
    assert api.get(f"/campaigns/{campaign['id']}/kpis").json["conversions"] == 0
    queue = api.get(f"/conversions?campaign={campaign['id']}&status=review").json
    assert [item["id"] for item in queue["items"]] == [held["id"]]
    assert api.get(f"/conversions?campaign={campaign['id']}&status=accepted").json["items"] \
        == []

    accepted = api.patch(f"/conversions/{held['id']}", json={"status": "accepted"})
    assert accepted.status_code == 200
    assert accepted.json["status"] == "accepted"
    assert accepted.json["reviewed_by"].startswith("key:")
    assert api.get(stats).json["conversions"] == 1
    assert api.get(f"/campaigns/{campaign['id']}/kpis").json["conversions"] == 1
    assert api.get(f"/conversions?campaign={campaign['id']}&status=review").json["items"] == []
    again = api.patch(f"/conversions/{held['id']}", json={"status": "accepted"})
    assert again.status_code == 200
    assert api.get(stats).json["conversions"] == 1


def test_a_click_first_converts_at_once(api, client, campaign, ann):
    click_id = human_click(client, ann["code"])
    response = api.post("/conversions", json={"click_id": click_id, "order_id": "o-1"})
    assert (response.json["status"], response.json["flags"]) == ("accepted", [])
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 1


def test_rejecting_changes_no_figure_and_accepted_is_final(api, client, campaign, ann):
    held = report_without_click(api, campaign)
    rejected = api.patch(f"/conversions/{held['id']}", json={"status": "rejected"})
    assert rejected.json["status"] == "rejected"
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 0
    accepted = api.post("/conversions", json={"click_id": human_click(client, ann["code"]),
                                              "order_id": "o-2"}).json
    refused = api.patch(f"/conversions/{accepted['id']}", json={"status": "rejected"})
    assert refused.status_code == 422
    assert refused.json["field"] == "status"


@pytest.mark.parametrize("conversion_id,status", [
    ("1.bm8tc3VjaA", 404),
    ("999.bzE", 404),
])
def test_an_unknown_conversion_is_a_404(api, campaign, conversion_id, status):
    response = api.patch(f"/conversions/{conversion_id}", json={"status": "accepted"})
    assert response.status_code == status
    assert response.json["field"] in {"conversion_id", "campaign"}


def test_status_review_is_not_a_move_to_ask_for(api, campaign, ann):
    held = report_without_click(api, campaign)
    response = api.patch(f"/conversions/{held['id']}", json={"status": "review"})
    assert response.status_code == 422
    assert response.json["field"] == "status"


def test_accepting_needs_conversions_write_and_a_campaign_in_scope(api, client, redis, campaign,
                                                                   ann):
    held = report_without_click(api, campaign)
    reader = Api(client, create_api_key(redis, name="r", scopes=["stats:read", "links:write"])[1])
    refused = reader.patch(f"/conversions/{held['id']}", json={"status": "accepted"})
    assert refused.status_code == 403
    assert "conversions:write" in refused.json["detail"]
    other = api.post("/campaigns", json={"name": "Other",
                                         "destination": "https://shop.example/"}).json
    limited = Api(client, create_api_key(redis, name="l", scopes=["conversions:write"],
                                         campaigns=[other["id"]])[1])
    assert limited.patch(f"/conversions/{held['id']}",
                         json={"status": "accepted"}).status_code == 404
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 0
