"""The overview's channel and device filter, and top advocates over the page's range.

Clicks go through the real click writer (the records the redirect spools), at
chosen days, into a real Redis; the pages are read over the Flask app.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.storage.test_programme import click, write


def tile_value(page: str, name: str) -> str:
    found = re.search(rf'data-kpi="{name}">.*?<p class="kpi-value">(.*?)</p>', page, re.S)
    assert found, name
    return found.group(1)


def scopes(page: str) -> dict[str, str]:
    """Each tile's filter scope: "filtered" or "all" (every channel or device)."""
    tiles = re.findall(r'(<div class="kpi[^"]*" data-kpi="\w+">.*?</div>)', page, re.S)
    found = {}
    for tile in tiles:
        name = re.search(r'data-kpi="(\w+)"', tile).group(1)
        scope = re.search(r'data-scope="(\w+)"', tile)
        found[name] = scope.group(1) if scope else None
    return found


@pytest.fixture
def traffic(redis, make_campaign, make_link):
    """Two campaigns; WhatsApp on phones, Facebook on desktops and phones, e-mail on a
    tablet; and an advocate whose clicks are all older than 30 days."""
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    alice, bob = make_link(spring, "alice"), make_link(spring, "bob")
    carol, old = make_link(autumn, "carol"), make_link(autumn, "olga")
    records = [
        click(alice, ago_days=0, hour=9, visitor="v1"),
        click(alice, ago_days=1, hour=9, visitor="v2"),
        click(alice, ago_days=2, hour=9, visitor="v3", device="desktop"),
        click(bob, ago_days=0, hour=10, visitor="v4", channel="facebook", device="desktop"),
        click(bob, ago_days=3, hour=10, visitor="v5", channel="facebook"),
        click(carol, ago_days=1, hour=11, visitor="v6", channel="email", device="tablet"),
        # Olga leads all time, but not within the last 30 days.
        *[click(old, ago_days=45, hour=hour, visitor=f"o{hour}", channel="telegram")
          for hour in range(8)],
        # The previous 30 days: one WhatsApp click on a phone.
        click(alice, ago_days=35, hour=9, visitor="v7"),
    ]
    write(redis, records, 1)
    return spring, autumn


def test_the_channel_filter_narrows_clicks_dark_share_and_the_charts(dashboard, client,
                                                                    traffic):
    dashboard.login()
    every = client.get("/dashboard/").get_data(as_text=True)
    assert tile_value(every, "clicks") == "6"
    assert "data-filter-note" not in every
    assert '<option value="whatsapp"' in every and '<option value="tablet"' in every

    response = client.get("/dashboard/?channel=facebook")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert tile_value(page, "clicks") == "2"
    assert tile_value(page, "dark_share") == "0.0 %"  # Facebook is a public channel
    assert 'value="facebook" selected' in page
    found = scopes(page)
    assert found["clicks"] == "filtered" and found["dark_share"] == "filtered"
    # Not kept per channel: said so, not narrowed.
    assert found["unique_visitors"] == "all" and found["conversions"] == "all"
    assert tile_value(page, "unique_visitors") == "6"
    assert "data-filter-note" in page and "every channel" in page
    chart = re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1)
    assert '"channel_mix": [["facebook", 2]]' in chart
    assert '"clicks": 2' in chart and '"dark": 0' in chart


def test_the_device_filter_narrows_clicks_and_says_the_rest_is_every_device(dashboard, client,
                                                                           traffic):
    dashboard.login()
    page = client.get("/dashboard/?device=desktop").get_data(as_text=True)
    assert tile_value(page, "clicks") == "2"
    found = scopes(page)
    assert found["clicks"] == "filtered"
    assert found["dark_share"] == "all"  # dark clicks are not kept per device
    assert tile_value(page, "dark_share") == "66.7 %"  # 4 of all 6 clicks
    chart = re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1)
    # The doughnut divides every device's clicks, as the tile says.
    assert '"clicks": 6' in chart and '"dark": 4' in chart
    assert '"all channels"' in chart
    assert 'value="desktop" selected' in page


def test_channel_and_device_together_filter_by_the_channel_and_say_why(dashboard, client,
                                                                      traffic):
    dashboard.login()
    page = client.get("/dashboard/?channel=whatsapp&device=desktop").get_data(as_text=True)
    assert tile_value(page, "clicks") == "3"  # WhatsApp on every device
    assert "not counted together" in page


def test_the_filter_combines_with_the_campaign_and_keeps_through_range_changes(
        dashboard, client, traffic):
    _, autumn = traffic
    dashboard.login()
    page = client.get(f"/dashboard/?campaign={autumn.id}&channel=email").get_data(
        as_text=True)
    assert tile_value(page, "clicks") == "1"
    # The presets and the range form keep the filter.
    assert "channel=email" in re.search(r'class="presets">(.*?)</div>', page, re.S).group(1)
    assert '<input type="hidden" name="channel" value="email">' in page


def test_the_filter_is_compared_with_the_previous_period(dashboard, client, traffic):
    dashboard.login()
    page = client.get("/dashboard/?channel=whatsapp").get_data(as_text=True)
    tile = re.search(r'data-kpi="clicks">(.*?)</div>', page, re.S).group(1)
    assert 'data-change="up"' in tile and "200.0 %" in tile  # 3 against 1


@pytest.mark.parametrize("query", ["channel=carrier-pigeon", "device=toaster"])
def test_an_unknown_filter_is_a_friendly_page(dashboard, client, traffic, query):
    dashboard.login()
    response = client.get(f"/dashboard/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is no" in page
    assert tile_value(page, "clicks") == "6"


def test_top_advocates_follow_the_range(dashboard, client, traffic):
    dashboard.login()
    page = client.get("/dashboard/").get_data(as_text=True)
    table = re.search(r'data-table="advocates">(.*?)</table>', page, re.S).group(1)
    assert "olga" not in table  # 8 clicks of all time, none in the last 30 days
    ranked = re.findall(r'/dashboard/advocates/(\w+)"', table)
    assert ranked == ["alice", "bob", "carol"]
    assert "Top advocates, " in page and "(all time)" not in page
    start = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=59)).isoformat()
    longer = client.get(f"/dashboard/?start={start}").get_data(as_text=True)
    assert "olga" in re.search(r'data-table="advocates">(.*?)</table>', longer, re.S).group(1)
