"""/api/v1/links: minting one or many, idempotence, pages, disabling and limits."""

from __future__ import annotations

from shortener import keys
from shortener.links import store
from tests.conftest import BROWSER_UA


def test_minting_twice_returns_the_same_link(api, redis, campaign):
    body = {"campaign": campaign["id"], "advocate": "cust-1042", "channel": "whatsapp"}
    first = api.post("/links", json=body)
    again = api.post("/links", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["code"] == again.json["code"]
    assert first.json["short_url"] == f"https://go.example/{first.json['code']}"
    assert again.json["created"] is False
    assert store.list_link_codes(redis, campaign_id=campaign["id"]) == [first.json["code"]]


def test_a_bulk_mint_makes_each_link_exactly_once(api, redis, campaign):
    items = [{"advocate": f"cust-{n}"} for n in range(50)]
    first = api.post("/links/bulk", json={"campaign": campaign["id"], "items": items})
    again = api.post("/links/bulk", json={"campaign": campaign["id"], "items": items})
    assert first.status_code == again.status_code == 200
    assert first.json["created"] == 50 and again.json["existing"] == 50
    codes = [item["code"] for item in first.json["items"]]
    assert [item["code"] for item in again.json["items"]] == codes
    assert sorted(store.list_link_codes(redis, campaign_id=campaign["id"])) == sorted(codes)
    assert [link.advocate for link in store.get_links(redis, codes)] == \
        [item["advocate"] for item in items]


def test_a_failed_bulk_item_leaves_nothing_behind(api, redis, campaign):
    response = api.post("/links/bulk", json={"campaign": campaign["id"], "items": [
        {"advocate": "ann", "alias": "spring-ann"},
        {"advocate": "ben", "alias": "spring-ann"},
        {"advocate": "ann", "alias": "spring-ann-2"},
        {"advocate": "cat", "destination": "https://evil.example/"},
        {"advocate": "dan", "alias": "api"},
    ]})
    results = response.json["items"]
    assert results[0]["code"] == "spring-ann"
    assert results[1]["error"]["code"] == "alias-taken"
    assert results[1]["error"]["field"] == "items.1.alias"
    assert results[2]["error"]["code"] == "conflict"
    assert results[3]["error"]["field"] == "items.3.destination"
    assert results[4]["error"]["code"] == "invalid-alias"
    assert response.json["failed"] == 4
    assert store.list_link_codes(redis, campaign_id=campaign["id"]) == ["spring-ann"]
    assert not redis.exists(keys.link("spring-ann-2"), keys.link("api"))
    assert store.get_advocate(redis, "ben") is None


def test_a_bulk_request_over_the_limit_is_refused_whole(api, redis, campaign):
    items = [{"advocate": f"cust-{n}"} for n in range(1001)]
    response = api.post("/links/bulk", json={"campaign": campaign["id"], "items": items})
    assert response.status_code == 422
    assert response.json["field"] == "items"
    assert store.list_link_codes(redis, campaign_id=campaign["id"]) == []


def test_links_of_a_campaign_and_an_advocate_page_by_cursor(api, campaign):
    items = [{"advocate": "ann", "channel": channel}
             for channel in ("whatsapp", "email", "telegram")]
    items += [{"advocate": f"other-{n}"} for n in range(4)]
    api.post("/links/bulk", json={"campaign": campaign["id"], "items": items})
    codes, cursor = [], None
    while True:
        page = api.get(f"/links?campaign={campaign['id']}&limit=3"
                       + (f"&cursor={cursor}" if cursor else "")).json
        codes += [link["code"] for link in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(codes) == len(set(codes)) == 7
    by_advocate = api.get("/links?advocate=ann").json["items"]
    assert {link["channel"] for link in by_advocate} == {"whatsapp", "email", "telegram"}


def test_a_disabled_link_answers_410(api, client, campaign):
    code = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json["code"]
    assert api.patch(f"/links/{code}", json={"enabled": False}).json["enabled"] is False
    assert client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).status_code == 410


def test_max_clicks_and_expiry_are_kept_on_the_link(api, redis, campaign):
    response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                        "max_clicks": 1, "expires_at": "2099-01-01T00:00:00Z"})
    link = store.get_link(redis, response.json["code"])
    assert link.max_clicks == 1
    assert link.expires_at == 4070908800.0
    assert response.json["expires_at"] == "2099-01-01T00:00:00Z"


def test_a_capped_link_is_used_up_by_human_clicks(api, client, campaign):
    code = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                    "max_clicks": 1}).json["code"]
    assert client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).status_code == 302
    assert client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).status_code == 410


def test_an_expiry_in_the_past_or_without_offset_is_refused(api, campaign):
    for moment, field in (("2001-01-01T00:00:00Z", "expires_at"),
                          ("2099-01-01T00:00:00", "expires_at")):
        response = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann",
                                            "expires_at": moment})
        assert response.status_code == 422
        assert response.json["field"] == field


def test_a_well_formed_cursor_is_a_position_and_a_malformed_one_is_refused(api, campaign):
    for advocate in ("ann", "bob", "cy"):
        api.post("/links", json={"campaign": campaign["id"], "advocate": advocate})
    base = f"/links?campaign={campaign['id']}"
    past_everything = api.get(base + "&cursor=1e30~")
    assert past_everything.status_code == 200
    assert past_everything.json == {"items": [], "next_cursor": None}
    before_everything = api.get(base + "&cursor=-1~ff")
    assert [link["advocate"] for link in before_everything.json["items"]] == ["ann", "bob", "cy"]
    for malformed in ("bm9wZQ", "1~abc", "nan~", "inf~00"):
        response = api.get(base + f"&cursor={malformed}")
        assert response.status_code == 422
        assert response.json["field"] == "cursor"


def test_links_of_an_advocate_in_a_campaign_and_a_listing_needs_a_filter(api, client,
                                                                         campaign):
    other = api.post("/campaigns", json={"name": "Other",
                                         "destination": "https://shop.example/"}).json
    for campaign_id in (campaign["id"], other["id"]):
        api.post("/links", json={"campaign": campaign_id, "advocate": "ann"})
    api.post("/links", json={"campaign": campaign["id"], "advocate": "bob"})
    both = api.get(f"/links?campaign={campaign['id']}&advocate=ann")
    assert [(link["campaign"], link["advocate"]) for link in both.json["items"]] == [
        (campaign["id"], "ann")]
    neither = api.get("/links")
    assert neither.status_code == 422
    assert neither.json["field"] == "campaign"
    document = client.get("/api/v1/openapi.json").json
    parameters = document["paths"]["/api/v1/links"]["get"]["parameters"]
    assert [parameter["name"] for parameter in parameters] == ["filter", "cursor", "limit"]
    assert parameters[0]["required"] is True
    assert parameters[0]["schema"]["minProperties"] == 1
