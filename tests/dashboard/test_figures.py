"""The overview's ROI tile, comparison with the previous period, campaign filter, explanations."""

from __future__ import annotations

import re

from shortener.clicks.conversions import record_conversion
from shortener.links.codes import get_referral_code
from tests.conftest import BROWSER_UA


def tile(page: str, name: str) -> str:
    found = re.search(rf'data-kpi="{name}">(.*?)</div>', page, re.S)
    assert found, name
    return found.group(1)


def test_the_overview_shows_roi_changes_and_explanations(dashboard, client, redis, app_settings,
                                                         make_campaign, make_link):
    campaign = make_campaign(cost=100)
    link = make_link(campaign, "cust-1")
    client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                      order_id="A-1", value=150, campaign_id=campaign.id, advocate="cust-1")
    dashboard.login()
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "50.0 %" in tile(page, "roi")
    assert 'data-change="new"' in tile(page, "clicks")  # nothing in the previous period
    for name in ("dark_share", "k_factor", "earned_media_value", "cost_per_advocate"):
        assert "data-explain" in tile(page, name), name
    assert "Cost per advocate" in page and "ROI" in page


def test_the_overview_filters_by_campaign(dashboard, client, make_campaign, make_link):
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    for campaign, clicks in ((spring, 2), (autumn, 3)):
        link = make_link(campaign, f"cust-{campaign.id}")
        for _ in range(clicks):
            client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    dashboard.login()
    every = client.get("/dashboard/").get_data(as_text=True)
    assert '<p class="kpi-value">5</p>' in tile(every, "clicks")
    only = client.get(f"/dashboard/?campaign={autumn.id}").get_data(as_text=True)
    assert '<p class="kpi-value">3</p>' in tile(only, "clicks")
    assert f'<option value="{autumn.id}" selected>' in only


def test_the_overview_counts_conversions_waiting_for_review_per_campaign(
        dashboard, client, redis, app_settings, make_campaign, make_link):
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    make_link(spring, "ann")
    make_link(autumn, "ben")
    key = app_settings.secrets["click_id_key"].encode()
    # No human click behind them: each is held for review.
    for campaign, advocate, orders in ((spring, "ann", 2), (autumn, "ben", 1)):
        for number in range(orders):
            held = record_conversion(redis, click_id_key=key, campaign_id=campaign.id,
                                     advocate=advocate, order_id=f"{advocate}-{number}")
            assert held.conversion.status == "review"
    dashboard.login()
    page = client.get("/dashboard/").get_data(as_text=True)
    card = re.search(r'data-figure="waiting_review">(.*?)</section>', page, re.S)
    assert card and "3 conversions waiting for fraud review" in card.group(1)
    for campaign, waiting in ((spring, 2), (autumn, 1)):
        href = f'href="/dashboard/review?campaign={campaign.id}" data-review-campaign=' \
               f'"{campaign.id}">{campaign.name}</a>: {waiting}'
        assert href in card.group(1)
    only = client.get(f"/dashboard/?campaign={autumn.id}").get_data(as_text=True)
    assert "1 conversion waiting for fraud review" in only
    assert f'data-review-campaign="{spring.id}"' not in only


def test_the_overview_shows_no_review_card_when_nothing_waits(dashboard, client, make_campaign):
    make_campaign()
    dashboard.login()
    assert 'data-figure="waiting_review"' not in client.get("/dashboard/").get_data(
        as_text=True)


def test_the_overview_splits_conversions_by_click_and_by_code(
        dashboard, client, redis, app_settings, make_campaign, make_link):
    spring = make_campaign(name="Spring")
    link = make_link(spring, "ann")
    key = app_settings.secrets["click_id_key"].encode()
    location = client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).headers["Location"]
    record_conversion(redis, click_id_key=key, order_id="A-1",
                      click_id=location.rsplit("sclid=", 1)[1])
    for order in ("A-2", "A-3"):
        record_conversion(redis, click_id_key=key, order_id=order, campaign_id=spring.id,
                          referral_code=get_referral_code(redis, spring.id, "ann"))
    dashboard.login()
    for path in ("/dashboard/", f"/dashboard/?campaign={spring.id}"):
        page = client.get(path).get_data(as_text=True)
        found = tile(page, "conversions_by_code")
        assert '<p class="kpi-value">2</p>' in found and "1 by click" in found, path
