"""Top advocates over a date range: clicks outside the range do not count."""

from __future__ import annotations

import datetime as dt
import time

from shortener.analytics import leaders
from shortener.analytics.leaders import list_leaders_in_range
from shortener.classify import Classification
from shortener.clicks.recording import Click, record_click
from shortener.links.advocates import upsert_advocate

DAY = 86400


def click(writer, link, ts, n=1):
    for index in range(n):
        record_click(writer, Click(
            click_id=f"{link.code}.t{ts}{index}", code=link.code, campaign_id=link.campaign_id,
            advocate=link.advocate, ts=ts,
            classification=Classification("human", "whatsapp", True, "tag", 1.0),
            visitor_hash=f"v{index}"))
    writer.flush()


def test_it_ranks_by_the_clicks_of_the_range(app, redis, make_campaign, make_link, monkeypatch):
    writer = app.extensions["click_writer"]
    campaign = make_campaign()
    upsert_advocate(redis, "old-star", name="Olga")
    old, new = make_link(campaign, "old-star"), make_link(campaign, "newcomer")
    now = time.time()
    click(writer, old, now - 60 * DAY, n=5)  # all time, old-star leads
    click(writer, old, now, n=1)
    click(writer, new, now, n=2)
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    ranked = list_leaders_in_range(redis, [campaign], start=today - dt.timedelta(days=6),
                                   end=today)
    assert [(row["advocate"], row["clicks"]) for row in ranked] == [("newcomer", 2),
                                                                    ("old-star", 1)]
    assert ranked[1]["name"] == "Olga" and ranked[0]["rank"] == 1
    everything = list_leaders_in_range(redis, [campaign], start=today - dt.timedelta(days=90),
                                       end=today)
    assert everything[0]["advocate"] == "old-star" and everything[0]["clicks"] == 6

    monkeypatch.setattr(leaders, "MAX_LINK_DAYS", 10)
    assert list_leaders_in_range(redis, [campaign], start=today - dt.timedelta(days=6),
                                 end=today) is None
