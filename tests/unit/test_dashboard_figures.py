"""ROI, cost per advocate over priced campaigns, and changes against the previous period."""

from __future__ import annotations

import datetime as dt

from shortener.dashboard.figures import campaign_money, compare, money_figures, previous_period
from shortener.links.models import Campaign


def row(cost, value, advocates, currency="EUR"):
    return {"campaign": Campaign(id="1", name="x", destination="https://x.example/", cost=cost,
                                 currency=currency),
            "stats": {"conversion_value": value}, "advocates": advocates}


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    assert previous_period(dt.date(2026, 3, 8), dt.date(2026, 3, 14)) == (
        dt.date(2026, 3, 1), dt.date(2026, 3, 7))


def test_money_counts_only_campaigns_with_a_cost():
    figures = money_figures([row(1000.0, 1500.0, 10), row(None, 900.0, 90)])
    assert figures["cost_per_advocate"] == 100.0  # not 1000 / 100
    assert figures["roi"] == 0.5  # the unpriced campaign's orders do not count
    assert money_figures([row(None, 10.0, 1)])["roi"] is None
    assert money_figures([row(10.0, 1.0, 1), row(10.0, 1.0, 1, "USD")])["roi"] is None


def test_each_campaign_has_its_own_cost_per_advocate():
    assert campaign_money(row(300.0, 600.0, 3)) == {"roi": 1.0, "cost_per_advocate": 100.0}
    assert campaign_money(row(None, 600.0, 3)) == {"roi": None, "cost_per_advocate": None}


def test_changes_say_which_way_and_whether_that_is_good():
    changes = compare({"clicks": 150, "cost_per_advocate": 12.0, "conversions": 3,
                       "dark_share": 0.5, "roi": None},
                      {"clicks": 100, "cost_per_advocate": 10.0, "conversions": 0,
                       "dark_share": 0.5})
    assert (changes["clicks"].direction, changes["clicks"].ratio, changes["clicks"].good) == (
        "up", 0.5, True)
    assert changes["cost_per_advocate"].direction == "up"
    assert changes["cost_per_advocate"].good is False  # dearer advocates are bad news
    assert changes["conversions"].direction == "new"
    assert changes["dark_share"].direction == "same"
    assert "roi" not in changes
