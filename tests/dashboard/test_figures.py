"""The overview's ROI tile, comparison with the previous period, campaign filter, explanations."""

from __future__ import annotations

import re

from shortener.clicks.conversions import record_conversion
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
