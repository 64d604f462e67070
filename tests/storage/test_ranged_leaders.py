"""Top advocates over a range: the same list as counting every click of the range."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from shortener.analytics import overview
from shortener.analytics.overview import list_leaders
from shortener.clicks.conversions import record_conversion
from shortener.links.advocates import upsert_advocate
from tests.conftest import BROWSER_UA
from tests.storage.test_programme import NOW, click, write

pytestmark = pytest.mark.cluster


def seeded(redis, make_campaign, make_link):
    """Three campaigns, 40 advocates with clicks spread over 90 days, one advocate in two
    campaigns; returns the campaigns and every (campaign id, advocate, days ago) click."""
    rng = random.Random(7)
    campaigns = [make_campaign(name=name) for name in ("Spring", "Summer", "Autumn")]
    links = [make_link(campaigns[number % 3], f"adv-{number:02d}") for number in range(40)]
    links.append(make_link(campaigns[1], "adv-00"))  # adv-00 is in Spring and Summer
    records, clicks = [], []
    for position, link in enumerate(links):
        for _ in range(rng.randint(0, 12)):
            ago = rng.randint(0, 89)
            records.append(click(link, ago_days=ago, hour=rng.randint(0, 23),
                                 visitor=f"v{len(records)}"))
            clicks.append((link.campaign_id, link.advocate, ago))
        if position % 5 == 0:  # machines do not count
            records.append(click(link, ago_days=1, hour=3, visitor="", kind="crawler"))
    for start in range(0, len(records), 200):
        write(redis, records[start:start + 200], start // 200 + 1)
    return campaigns, clicks


def expected(clicks, campaign_ids, first_ago, last_ago, limit=10):
    counted = Counter((campaign, advocate) for campaign, advocate, ago in clicks
                      if campaign in campaign_ids and last_ago <= ago <= first_ago)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    return [(advocate, campaign, count) for (campaign, advocate), count in ordered[:limit]]


@pytest.mark.parametrize(("first_ago", "last_ago"), [(6, 0), (29, 0), (59, 30), (89, 0)])
def test_leaders_of_a_range_match_counting_its_clicks(redis, make_campaign, make_link,
                                                      monkeypatch, first_ago, last_ago):
    campaigns, clicks = seeded(redis, make_campaign, make_link)
    monkeypatch.setattr(overview, "LEADER_CHUNK", 4)  # many rounds of the search
    today = dt.datetime.fromtimestamp(NOW, dt.UTC).date()
    start, end = today - dt.timedelta(days=first_ago), today - dt.timedelta(days=last_ago)
    for chosen in (campaigns, campaigns[:2], campaigns[1:2]):
        found = list_leaders(redis, chosen, start=start, end=end)
        wanted = expected(clicks, {campaign.id for campaign in chosen}, first_ago, last_ago)
        assert [(row.advocate, row.campaign.id, row.clicks) for row in found.rows] == wanted
        assert found.complete
        assert [row.rank for row in found.rows] == overview.ranked_positions(
            [row.clicks for row in found.rows])


def test_the_search_stops_early_and_says_when_it_gave_up(redis, make_campaign, make_link,
                                                         monkeypatch):
    campaigns, _ = seeded(redis, make_campaign, make_link)
    today = dt.datetime.fromtimestamp(NOW, dt.UTC).date()
    monkeypatch.setattr(overview, "LEADER_CHUNK", 4)
    whole = list_leaders(redis, campaigns, start=today - dt.timedelta(days=89), end=today)
    # Over every day, the range is all time: the first chunks settle it.
    assert whole.complete and whole.searched <= 16, whole.searched
    monkeypatch.setattr(overview, "LEADER_SEARCH", 4)
    cut = list_leaders(redis, campaigns, start=today - dt.timedelta(days=89), end=today)
    assert not cut.complete
    assert cut.searched < 41


def test_leaders_carry_the_range_conversions_and_names(redis, make_campaign, make_link,
                                                       app_settings, client):
    campaign = make_campaign()
    upsert_advocate(redis, "alice", name="Alice A.")
    link = make_link(campaign, "alice")
    client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                      order_id="L-1", value=10.0, campaign_id=campaign.id, advocate="alice")
    today = dt.datetime.now(dt.UTC).date()
    found = list_leaders(redis, [campaign], start=today, end=today)
    assert [(row.advocate, row.name, row.clicks, row.conversions, row.conversion_rate)
            for row in found.rows] == [("alice", "Alice A.", 1, 1, 1.0)]
    earlier = list_leaders(redis, [campaign], start=today - dt.timedelta(days=9),
                           end=today - dt.timedelta(days=1))
    assert earlier.rows == ()
