"""/api/v1/conversions: only real clicks and the campaign's advocates convert; the audit list."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.conftest import BROWSER_UA


def click_id_of(response) -> str:
    assert response.status_code == 302
    return response.headers["Location"].rsplit("sclid=", 1)[1]


def human_click(client, code: str, number: int = 1) -> str:
    return click_id_of(client.get(f"/{code}", headers={"User-Agent": BROWSER_UA},
                                  environ_base={"REMOTE_ADDR": f"192.0.2.{number}"}))


@pytest.fixture
def ann(api, campaign):
    """ann's link in the campaign."""
    return api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json


def assert_problem(response, status: int, field: str | None) -> None:
    assert response.status_code == status, response.json
    if status < 400:
        return
    assert response.mimetype == "application/problem+json"
    assert response.json["field"] == field


def test_a_made_up_suffix_after_a_real_code_is_refused(api, client, ann, campaign):
    real = human_click(client, ann["code"])
    for forged in (f"{ann['code']}.made-up", f"{ann['code']}.Ab3dEf9hIjKl",
                   real[:-2] + ("xx" if real[-2:] != "xx" else "yy")):
        response = api.post("/conversions", json={"click_id": forged, "order_id": forged})
        assert_problem(response, 422, "click_id")
        assert response.json["code"] == "invalid-click-id"
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 0


def test_a_stranger_to_the_campaign_is_refused(api, ann, campaign):
    other = api.post("/campaigns", json={"name": "Other", "destination":
                                         "https://shop.example/other"}).json
    api.post("/links", json={"campaign": other["id"], "advocate": "mallory"})
    for stranger in ("mallory", "nobody"):
        response = api.post("/conversions", json={"campaign": campaign["id"],
                                                  "advocate": stranger, "order_id": stranger})
        assert_problem(response, 422, "advocate")
        assert response.json["code"] == "advocate-not-in-campaign"
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 0


def test_a_click_id_books_one_order(api, client, ann):
    click_id = human_click(client, ann["code"])
    assert api.post("/conversions", json={"click_id": click_id, "order_id": "o-1"}
                    ).status_code == 201
    response = api.post("/conversions", json={"click_id": click_id, "order_id": "o-2"})
    assert_problem(response, 409, "click_id")
    assert api.get(f"/links/{ann['code']}/stats").json["conversions"] == 1


def test_a_click_id_on_another_campaigns_link_is_refused(api, client, ann):
    other = api.post("/campaigns", json={"name": "Other", "destination":
                                         "https://shop.example/other"}).json
    response = api.post("/conversions", json={"click_id": human_click(client, ann["code"]),
                                              "campaign": other["id"], "order_id": "o-1"})
    assert_problem(response, 422, "click_id")


def test_a_conversion_without_a_click_id_shows_on_the_advocates_link(api, client, ann):
    human_click(client, ann["code"])  # without any, fraud review would hold it (no_human_click)
    response = api.post("/conversions", json={"campaign": ann["campaign"], "advocate": "ann",
                                              "order_id": "o-1", "value": 30})
    assert response.status_code == 201
    assert response.json["code"] == ann["code"]
    link = api.get(f"/links/{ann['code']}/stats").json
    advocate = api.get("/advocates/ann/stats").json
    assert (link["conversions"], link["conversion_value"]) == (1, 30.0)
    assert advocate["conversions"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"value": -1}, "value"),
    ({"value": 1e13}, "value"),
    ({"value": "12"}, "value"),
    ({"value": True}, "value"),
    ({"currency": "USD"}, "currency"),
    ({"currency": "EURO"}, "currency"),
    ({"order_id": "x" * 129}, "order_id"),
    ({"order_id": ""}, "order_id"),
    ({"order_id": "a\u0000b"}, "order_id"),
])
def test_bad_values_currencies_and_order_ids_are_refused(api, ann, body, field):
    response = api.post("/conversions", json={"campaign": ann["campaign"], "advocate": "ann",
                                              "order_id": "o-1", **body})
    assert_problem(response, 422, field)


def test_the_conversion_rate_never_exceeds_100_percent_through_forged_input(
        api, client, ann, campaign):
    clicks = [human_click(client, ann["code"], number) for number in range(1, 4)]
    crawled = click_id_of(client.get(f"/{ann['code']}", headers={"User-Agent": "curl/8.5.0"}))
    head = click_id_of(client.head(f"/{ann['code']}", headers={"User-Agent": BROWSER_UA}))
    attempts = [{"click_id": f"{ann['code']}.forged-{number}"} for number in range(20)]
    attempts += [{"click_id": click_id} for click_id in clicks for _ in range(3)]
    attempts += [{"click_id": crawled}, {"click_id": head}]
    attempts += [{"campaign": campaign["id"], "advocate": f"stranger-{number}"}
                 for number in range(10)]
    answers = [api.post("/conversions", json={**attempt, "order_id": f"o-{number}", "value": 1})
               for number, attempt in enumerate(attempts)]
    assert all(answer.status_code < 500 for answer in answers)
    assert sum(answer.status_code == 201 for answer in answers) == 3
    kpis = api.get(f"/campaigns/{campaign['id']}/kpis").json
    assert (kpis["clicks"], kpis["conversions"]) == (3, 3)
    assert kpis["conversion_rate"] == 1.0


# The audit list ------------------------------------------------------------------


@pytest.fixture
def reported(api, client, campaign, ann):
    """Three orders of ann's (one by click id), one of ben's, in that order."""
    api.post("/links", json={"campaign": campaign["id"], "advocate": "ben"})
    bodies = [{"click_id": human_click(client, ann["code"])},
              {"campaign": campaign["id"], "advocate": "ben"},
              {"campaign": campaign["id"], "advocate": "ann"},
              {"campaign": campaign["id"], "advocate": "ann", "value": 12.5}]
    for number, body in enumerate(bodies, start=1):
        assert api.post("/conversions", json={**body, "order_id": f"o-{number}"}
                        ).status_code == 201
    return campaign


def orders(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["order_id"] for item in response.json["items"]]


def test_conversions_are_listed_in_the_order_recorded(api, reported, ann):
    response = api.get(f"/conversions?campaign={reported['id']}")
    assert orders(response) == ["o-1", "o-2", "o-3", "o-4"]
    first = response.json["items"][0]
    assert first["click_id"].startswith(ann["code"] + ".")
    assert (first["advocate"], first["code"], first["campaign"]) == (
        "ann", ann["code"], reported["id"])
    assert response.json["items"][3]["value"] == 12.5
    assert response.json["next_cursor"] is None


def test_the_list_pages_by_cursor_and_filters_by_advocate(api, reported):
    first = api.get(f"/conversions?campaign={reported['id']}&advocate=ann&limit=2")
    assert orders(first) == ["o-1", "o-3"]
    rest = api.get(f"/conversions?campaign={reported['id']}&advocate=ann&limit=2"
                   f"&cursor={first.json['next_cursor']}")
    assert orders(rest) == ["o-4"]
    assert rest.json["next_cursor"] is None


def test_the_list_filters_by_day(api, reported):
    today = api.get(f"/conversions?campaign={reported['id']}").json["items"][0]["ts"][:10]
    assert len(orders(api.get(f"/conversions?campaign={reported['id']}"
                              f"&since={today}&until={today}"))) == 4
    assert orders(api.get(f"/conversions?campaign={reported['id']}&until=2020-01-01")) == []


def test_a_read_only_key_may_list(client, bob_key, reported):
    assert len(orders(Api(client, bob_key).get(f"/conversions?campaign={reported['id']}"))) == 4


@pytest.mark.parametrize(("query", "status", "field"), [
    ("campaign=999", 404, "campaign"),
    ("", 422, "campaign"),
    ("campaign={id}&cursor=bm9wZQ", 422, "cursor"),
    ("campaign={id}&advocate=not%20an%20id", 422, "advocate"),
    ("campaign={id}&limit=0", 422, "limit"),
    ("campaign={id}&since=0001-01-01&until=9999-12-31", 200, None),
])
def test_bad_listings_are_refused_naming_the_field(api, campaign, query, status, field):
    response = api.get("/conversions?" + query.format(id=campaign["id"]))
    assert_problem(response, status, field)


def test_the_document_describes_the_list(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/conversions"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "campaign", "advocate", "since", "until", "cursor", "limit", "status"}
    assert "application/problem+json" in operation["responses"]["422"]["content"]
