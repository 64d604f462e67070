"""Referral codes in the API: returned with links and advocates, and orders reported by code."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.test_api_conversions import assert_problem, human_click


@pytest.fixture
def anna(api, campaign):
    api.put("/advocates/anna", json={"name": "Anna Berg"})
    return api.post("/links", json={"campaign": campaign["id"], "advocate": "anna"}).json


def test_a_minted_link_carries_the_advocates_code(api, campaign, anna):
    assert anna["referral_code"].startswith("ANNA-")
    assert api.get(f"/links/{anna['code']}").json["referral_code"] == anna["referral_code"]
    listed = api.get(f"/links?campaign={campaign['id']}").json["items"]
    assert [item["referral_code"] for item in listed] == [anna["referral_code"]]
    advocate = api.get("/advocates/anna").json
    assert advocate["referral_codes"] == {campaign["id"]: anna["referral_code"]}
    page = api.get(f"/advocates?campaign={campaign['id']}").json["items"]
    assert page[0]["referral_codes"] == {campaign["id"]: anna["referral_code"]}


def test_a_bulk_minted_link_gets_a_code_too(api, campaign):
    api.post("/links/bulk", json={"campaign": campaign["id"],
                                  "items": [{"advocate": "bulk-1"}, {"advocate": "bulk-2"}]})
    codes = api.get("/advocates/bulk-2").json["referral_codes"]
    assert set(codes) == {campaign["id"]}


def test_the_campaigns_prefix_starts_every_code(api):
    made = api.post("/campaigns", json={"name": "Summer", "destination":
                                        "https://shop.example/summer", "code_prefix": "sun26"})
    assert made.status_code == 201 and made.json["code_prefix"] == "SUN26"
    link = api.post("/links", json={"campaign": made.json["id"], "advocate": "zed"}).json
    assert link["referral_code"].startswith("SUN26-")


@pytest.mark.parametrize("prefix", ["too-long-prefix", "with space", "ümlaut"])
def test_a_bad_prefix_is_refused_naming_it(api, prefix):
    response = api.post("/campaigns", json={"name": "Summer", "destination":
                                            "https://shop.example/summer", "code_prefix": prefix})
    assert_problem(response, 422, "code_prefix")


def test_an_order_reported_by_code_goes_to_its_advocate(api, campaign, anna):
    typed = anna["referral_code"].lower().replace("-", " ")
    response = api.post("/conversions", json={"campaign": campaign["id"], "code": typed,
                                              "order_id": "o-1", "value": 40})
    assert response.status_code == 201, response.json
    assert response.json["advocate"] == "anna"
    assert response.json["channel"] == "code"
    assert response.json["referral_code"] == anna["referral_code"]
    assert response.json["code"] == anna["code"]
    again = api.post("/conversions", json={"campaign": campaign["id"], "code": typed,
                                           "order_id": "o-1", "value": 40})
    assert again.status_code == 200 and again.json["created"] is False
    stats = api.get(f"/campaigns/{campaign['id']}/stats").json
    assert (stats["conversions"], stats["conversions_by_code"],
            stats["conversions_by_click"], stats["conversion_value"]) == (1, 1, 0, 40.0)
    assert api.get("/advocates/anna/stats").json["conversions_by_code"] == 1
    assert api.get(f"/links/{anna['code']}/stats").json["conversions_by_code"] == 1
    kpis = api.get(f"/campaigns/{campaign['id']}/kpis").json
    assert (kpis["conversions"], kpis["conversions_by_code"], kpis["converted_advocates"]) \
        == (1, 1, 1)
    listed = api.get(f"/conversions?campaign={campaign['id']}").json["items"]
    assert [(item["order_id"], item["channel"]) for item in listed] == [("o-1", "code")]


def test_codes_and_clicks_are_counted_side_by_side(api, client, campaign, anna):
    click_id = human_click(client, anna["code"])
    api.post("/conversions", json={"click_id": click_id, "order_id": "by-click"})
    api.post("/conversions", json={"campaign": campaign["id"], "code": anna["referral_code"],
                                   "order_id": "by-code"})
    api.post("/conversions", json={"campaign": campaign["id"], "advocate": "anna",
                                   "order_id": "by-advocate"})
    week = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=6)).isoformat()
    today = api.get(f"/campaigns/{campaign['id']}/stats?start={week}").json
    for figures in (api.get(f"/campaigns/{campaign['id']}/stats").json, today):
        assert (figures["conversions"], figures["conversions_by_click"],
                figures["conversions_by_code"]) == (3, 1, 1)


@pytest.mark.parametrize("code", ["NOPE-2222", "", "ANNA!", "x" * 33])
def test_an_unknown_code_is_refused_naming_the_field(api, campaign, anna, code):
    response = api.post("/conversions", json={"campaign": campaign["id"], "code": code,
                                              "order_id": "o-9"})
    assert_problem(response, 422, "code")
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 0


def test_a_code_of_another_campaign_is_unknown_here(api, campaign, anna):
    other = api.post("/campaigns", json={"name": "Other", "destination":
                                         "https://shop.example/other"}).json
    response = api.post("/conversions", json={"campaign": other["id"],
                                              "code": anna["referral_code"], "order_id": "o-2"})
    assert_problem(response, 422, "code")


def test_a_code_must_belong_to_the_clicks_advocate(api, client, campaign, anna):
    bob = api.post("/links", json={"campaign": campaign["id"], "advocate": "bob"}).json
    click_id = human_click(client, anna["code"])
    response = api.post("/conversions", json={"click_id": click_id, "order_id": "o-3",
                                              "code": bob["referral_code"]})
    assert_problem(response, 422, "code")


def test_an_erased_advocates_code_stops_working(api, campaign, anna):
    api.post("/conversions", json={"campaign": campaign["id"], "code": anna["referral_code"],
                                   "order_id": "o-4"})
    erased = api.delete("/advocates/anna/personal-data").json
    assert erased["referral_codes"] == {}
    listed = api.get(f"/conversions?campaign={campaign['id']}").json["items"]
    assert listed[0]["referral_code"] is None and listed[0]["channel"] == "code"
    response = api.post("/conversions", json={"campaign": campaign["id"],
                                              "code": anna["referral_code"], "order_id": "o-5"})
    assert_problem(response, 422, "code")
