"""Input bounded where it is parsed: nesting depth, times, numbers; 4xx problem JSON, never 5xx."""

from __future__ import annotations

import pytest


def test_deeply_nested_json_is_refused_before_it_is_parsed(api):
    body = "[" * 50_000 + "]" * 50_000
    response = api.post("/campaigns", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "nests deeper" in response.json["detail"]


def test_nesting_inside_strings_does_not_count(api):
    response = api.post("/campaigns", json={"name": "[" * 100 + "{" * 100,
                                            "destination": "https://shop.example/"})
    assert response.status_code == 201


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+00:00",
                                    "2100-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00"])
def test_times_out_of_range_are_refused_and_listings_keep_working(api, campaign, moment):
    response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                        "expires_at": moment})
    assert response.status_code == 422
    assert response.json["field"] == "expires_at"
    assert api.get(f"/links?campaign={campaign['id']}").status_code == 200


def test_a_time_far_ahead_but_in_range_is_kept(api, campaign):
    response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                        "expires_at": "2099-12-31T18:00:00-05:00"})
    assert response.status_code == 201
    assert response.json["expires_at"] == "2099-12-31T23:00:00Z"


@pytest.mark.parametrize(("field", "value"), [("max_clicks", 10**30), ("max_clicks", -1),
                                              ("max_clicks", 1e308), ("max_clicks", 5.5)])
def test_numbers_out_of_range_are_refused_naming_the_field(api, campaign, field, value):
    response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                        field: value})
    assert response.status_code == 422
    assert response.json["field"] == field


def test_an_integer_valued_float_counts_as_the_integer(api, campaign):
    response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                        "max_clicks": 5.0})
    assert response.status_code == 201
    assert response.json["max_clicks"] == 5
    changed = api.patch(f"/links/{response.json['code']}", json={"max_clicks": 7.0})
    assert changed.status_code == 200
    assert changed.json["max_clicks"] == 7


@pytest.mark.parametrize("day", ["0", "20260101", "1767225600"])
def test_a_day_in_a_query_is_only_yyyy_mm_dd(api, campaign, day):
    response = api.get(f"/clicks?campaign={campaign['id']}&since={day}")
    assert response.status_code == 422
    assert response.json["field"] == "since"
    stats = api.get(f"/campaigns/{campaign['id']}/stats?start={day}&end=2026-01-02")
    assert stats.status_code == 422
    assert stats.json["field"] == "start"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/campaigns/{campaign}", None),
    ("patch", "/campaigns/{campaign}", {"name": "Renamed"}),
    ("get", "/webhooks", None),
    ("post", "/links/bulk", {"campaign": "{campaign}", "items": [{"advocate": "ann"}]}),
    ("get", "/campaigns", None),  # an operation with query parameters of its own
])
def test_an_unknown_query_parameter_is_refused_naming_it(api, campaign, method, path, body):
    def filled(value):
        return value.replace("{campaign}", campaign["id"]) if isinstance(value, str) else value

    if body is not None:
        body = {name: filled(value) for name, value in body.items()}
    answer = getattr(api, method)(filled(path) + "?x=1", json=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == "x"
    assert getattr(api, method)(filled(path), json=body).status_code < 300
