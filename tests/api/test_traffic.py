"""Stats, click export, conversions and KPIs, after real clicks through the redirect."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.conftest import BROWSER_UA


@pytest.fixture
def clicked(api, client, campaign):
    """ann's link clicked three times from WhatsApp and once with no referrer."""
    link = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json
    for _ in range(3):
        client.get(f"/{link['code']}?ch=whatsapp", headers={"User-Agent": BROWSER_UA})
    client.get(f"/{link['code']}", headers={"User-Agent": BROWSER_UA})
    return link


def test_link_stats_show_clicks_channels_and_kinds(api, clicked):
    stats = api.get(f"/links/{clicked['code']}/stats").json
    assert stats["clicks"] == 4
    assert stats["unique_visitors"] == 1
    assert stats["by_channel"] == {"whatsapp": 3, "direct": 1}
    assert stats["by_kind"]["human"] == 4
    assert stats["dark_share"] == 1.0
    assert stats["by_country"] == {}  # the test client's 127.0.0.1 has no country


def test_stats_over_a_range_have_days_and_hours_in_the_time_zone(api, clicked, campaign):
    today = dt.datetime.now(dt.UTC)
    local = today.astimezone(dt.timezone(dt.timedelta(hours=14)))
    day = local.date().isoformat()
    stats = api.get(f"/campaigns/{campaign['id']}/stats?start={day}&end={day}"
                    "&tz=Pacific/Kiritimati").json
    assert stats["by_day"] == [{"day": day, "clicks": 4}]
    assert {row["hour"]: row["clicks"] for row in stats["by_hour"]}[local.hour] == 4


@pytest.mark.parametrize(("query", "field"), [
    ("start=2026-02-01&end=2026-01-01", "end"),
    ("start=2026-01-01&end=2027-02-01", "end"),
    ("start=2026-01-01&end=2026-01-02&tz=Mars/Olympus", "tz"),
    ("start=yesterday&end=2026-01-02", "start"),
])
def test_bad_ranges_are_refused_naming_the_field(api, campaign, query, field):
    response = api.get(f"/campaigns/{campaign['id']}/stats?{query}")
    assert response.status_code == 422
    assert response.json["field"] == field


def test_click_export_pages_by_cursor(api, clicked, campaign):
    first = api.get(f"/clicks?campaign={campaign['id']}&limit=3").json
    rest = api.get(f"/clicks?campaign={campaign['id']}&limit=3"
                   f"&cursor={first['next_cursor']}").json
    assert len(first["items"]) == 3 and len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert {item["channel"] for item in first["items"] + rest["items"]} == {"whatsapp", "direct"}
    assert {item["network"] for item in first["items"] + rest["items"]} == {"reserved"}


def test_click_export_streams_csv(api, clicked, campaign):
    response = api.get(f"/clicks?campaign={campaign['id']}", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    assert {(row["signal"], row["network"], row["country"]) for row in rows} == {
        ("channel_tag", "reserved", ""), ("no_referrer", "reserved", "")}
    assert rows[0]["code"] == clicked["code"] and rows[0]["advocate"] == "ann"


def test_a_conversion_by_click_id_counts_once(api, client, campaign):
    code = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json["code"]
    location = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).headers["Location"]
    click_id = location.split("sclid=")[1]
    body = {"click_id": click_id, "order_id": "order-1", "value": 40}
    first = api.post("/conversions", json=body)
    again = api.post("/conversions", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["advocate"] == "ann"
    stats = api.get(f"/campaigns/{campaign['id']}/stats").json
    assert stats["conversions"] == 1 and stats["conversion_value"] == 40.0


def test_kpis_follow_their_formulas(api, client, campaign):
    api.put("/advocates/ann", json={"name": "Ann"})
    api.put("/advocates/ben", json={"referred_by": "ann"})
    links = api.post("/links/bulk", json={"campaign": campaign["id"], "items": [
        {"advocate": "ann"}, {"advocate": "ben"}]}).json["items"]
    for _ in range(4):
        client.get(f"/{links[0]['code']}", headers={"User-Agent": BROWSER_UA})
    api.post("/conversions", json={"campaign": campaign["id"], "advocate": "ann",
                                   "order_id": "o-1", "value": 1000})
    kpis = api.get(f"/campaigns/{campaign['id']}/kpis").json
    assert kpis["referral_rate"] == 0.5        # 1 active of 2 advocates
    assert kpis["k_factor"] == 0.5             # ben recruited by ann, of 2
    assert kpis["conversion_rate"] == 0.25     # 1 conversion per 4 clicks
    assert kpis["cost_per_advocate"] == 250.0  # 500 / 2
    assert kpis["earned_media_value"] == 2.0   # 4 clicks x 0.5
    assert kpis["roi"] == 1.0                  # (1000 - 500) / 500


def test_erasing_an_advocate_keeps_the_counts(api, clicked):
    api.put("/advocates/ann", json={"name": "Ann", "contact": "ann@example.org"})
    erased = api.delete("/advocates/ann/personal-data").json
    assert erased["name"] is None and erased["contact"] is None
    assert erased["erased_at"] is not None
    assert api.get(f"/advocates/{erased['external_id']}/stats").json["clicks"] == 4
    assert api.get("/advocates/ann/stats").status_code == 404


def test_upserting_an_advocate_answers_201_then_200(api):
    assert api.put("/advocates/cust-1", json={"name": "C"}).status_code == 201
    again = api.put("/advocates/cust-1", json={"contact": "c@example.org"})
    assert again.status_code == 200
    assert again.json["name"] == "C" and again.json["contact"] == "c@example.org"
    assert api.put("/advocates/cust-2", json={"referred_by": "nobody"}).json["field"] == \
        "referred_by"


@pytest.mark.parametrize("route", ["stats", "kpis"])
def test_a_range_with_one_end_defaults_the_other(api, clicked, campaign, route):
    today = dt.datetime.now(dt.UTC).date()
    only_end = api.get(f"/campaigns/{campaign['id']}/{route}?end={today}")
    assert only_end.status_code == 200
    only_start = api.get(f"/campaigns/{campaign['id']}/{route}?start={today}")
    assert only_start.status_code == 200
    assert only_end.json["clicks"] == only_start.json["clicks"] == 4
    if route == "stats":
        assert only_end.json["start"] == (today - dt.timedelta(days=29)).isoformat()
        assert only_start.json["end"] == today.isoformat()
        later = (today + dt.timedelta(days=5)).isoformat()
        assert api.get(f"/campaigns/{campaign['id']}/stats?start={later}").json["end"] == later
        first = api.get(f"/campaigns/{campaign['id']}/stats?end=2000-01-05").json
        assert (first["start"], first["end"]) == ("2000-01-01", "2000-01-05")


@pytest.mark.parametrize("query", ["since=2026-02-01&until=2026-01-01",
                                   "cursor=99999999999999999999-0"])
def test_a_click_export_with_nothing_to_list_is_empty(api, clicked, campaign, query):
    listing = api.get(f"/clicks?campaign={campaign['id']}&{query}")
    assert (listing.status_code, listing.json) == (200, {"items": [], "next_cursor": None})
    export = api.get(f"/clicks?campaign={campaign['id']}&{query}",
                     headers={"Accept": "text/csv"})
    assert export.status_code == 200
    assert export.get_data(as_text=True).count("\n") == 1
