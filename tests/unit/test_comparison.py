"""ROI, cost per advocate over priced campaigns, and changes against the previous period."""

from __future__ import annotations

import dataclasses
import datetime as dt

from shortener.analytics.comparison import compare, previous_period, priced_money
from shortener.analytics.overview import _kpis
from shortener.analytics.results import CampaignRow
from shortener.links.models import Campaign


def row(cost, value, advocates, currency="EUR"):
    from shortener.analytics import metrics

    campaign = Campaign(id="1", name="x", destination="https://x.example/", cost=cost,
                        currency=currency)
    return CampaignRow(campaign=campaign, clicks=10, unique_visitors=10, dark=5, conversions=1,
                       conversion_value=value, advocates=advocates, active_advocates=1,
                       recruited_advocates=0, links=1, dark_share=0.5, conversion_rate=0.1,
                       earned_media_value=None, roi=metrics.roi(value, cost),
                       cost_per_advocate=metrics.cost_per_advocate(cost, advocates))


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    assert previous_period(dt.date(2026, 3, 8), dt.date(2026, 3, 14)) == (
        dt.date(2026, 3, 1), dt.date(2026, 3, 7))


def test_money_counts_only_campaigns_with_a_cost():
    roi, cost_per_advocate, priced = priced_money([row(1000.0, 1500.0, 10),
                                                   row(None, 900.0, 90)])
    assert cost_per_advocate == 100.0  # not 1000 / 100
    assert roi == 0.5  # the unpriced campaign's orders do not count
    assert priced == 1
    assert priced_money([row(None, 10.0, 1)])[0] is None
    assert priced_money([row(10.0, 1.0, 1), row(10.0, 1.0, 1, "USD")])[0] is None


def test_each_campaign_has_its_own_cost_per_advocate():
    assert (row(300.0, 600.0, 3).roi, row(300.0, 600.0, 3).cost_per_advocate) == (1.0, 100.0)
    assert (row(None, 600.0, 3).roi, row(None, 600.0, 3).cost_per_advocate) == (None, None)


def test_changes_say_which_way_and_whether_that_is_good():
    base = _kpis([row(10.0, 1.0, 1)])
    now = dataclasses.replace(base, clicks=150, cost_per_advocate=12.0, conversions=3,
                              dark_share=0.5, roi=None)
    before = dataclasses.replace(base, clicks=100, cost_per_advocate=10.0, conversions=0,
                                 dark_share=0.5)
    changes = compare(now, before)
    assert (changes["clicks"].direction, changes["clicks"].ratio, changes["clicks"].good) == (
        "up", 0.5, True)
    assert changes["cost_per_advocate"].direction == "up"
    assert changes["cost_per_advocate"].good is False  # dearer advocates are bad news
    assert changes["conversions"].direction == "new"
    assert changes["dark_share"].direction == "same"
    assert "roi" not in changes
