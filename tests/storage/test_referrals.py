"""Recruited advocates kept on write, and competition ranks on the leaderboard."""

from __future__ import annotations

import random

import pytest

from shortener import keys
from shortener.analytics.kpis import (
    get_advocate_rank,
    get_campaign_kpis,
    list_top_advocates,
    ranked_positions,
)
from shortener.analytics.overview import get_advocate_progress
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from shortener.links.campaigns import get_campaign

pytestmark = pytest.mark.cluster


def recruited_by_reading_everyone(redis, campaign_id):
    """The KPI as it was computed before it was kept: read every advocate of the campaign."""
    members = set(redis.zrange(keys.campaign_advocates(campaign_id), 0, -1))
    count = 0
    for external_id in members:
        count += store.get_advocate(redis, external_id).referred_by in members
    return count


def recruited(redis, campaign):
    return get_campaign_kpis(redis, get_campaign(redis, campaign.id)).recruited_advocates


def test_an_advocate_is_recruited_whichever_joins_the_campaign_first(redis, make_campaign,
                                                                     make_link):
    campaign = make_campaign()
    upsert_advocate(redis, "alice")
    upsert_advocate(redis, "bob", referred_by="alice")
    make_link(campaign, "bob")
    assert recruited(redis, campaign) == 0
    make_link(campaign, "alice")
    assert recruited(redis, campaign) == 1

    other = make_campaign(name="Autumn")
    make_link(other, "alice")
    make_link(other, "bob", channel="email")
    assert recruited(redis, other) == 1
    # A second link of the same advocate changes nothing.
    make_link(other, "bob", channel="whatsapp")
    assert recruited(redis, other) == 1


def test_a_changed_referrer_moves_the_advocate_in_and_out(redis, make_campaign, make_link):
    campaign = make_campaign()
    for name in ("alice", "bob", "carol"):
        make_link(campaign, name)
    upsert_advocate(redis, "outsider")
    upsert_advocate(redis, "carol", referred_by="bob")
    assert recruited(redis, campaign) == 1
    upsert_advocate(redis, "carol", referred_by="outsider")
    assert recruited(redis, campaign) == 0
    upsert_advocate(redis, "carol", referred_by="alice")
    assert recruited(redis, campaign) == 1
    upsert_advocate(redis, "carol", referred_by=None)
    assert recruited(redis, campaign) == 0
    assert redis.smembers(keys.advocate_referrals("alice")) == set()


def test_kept_figure_equals_reading_every_advocate(redis, make_campaign, make_link):
    chance = random.Random(15)
    campaigns = [make_campaign(name=f"c{number}") for number in range(3)]
    names = [f"adv-{number}" for number in range(30)]
    for name in names:
        upsert_advocate(redis, name)
    for _ in range(120):
        name = chance.choice(names)
        if chance.random() < 0.5:
            make_link(chance.choice(campaigns), name)
        else:
            referrer = chance.choice([None, *names])
            upsert_advocate(redis, name, referred_by=referrer if referrer != name else None)
    for campaign in campaigns:
        assert recruited(redis, campaign) == recruited_by_reading_everyone(redis, campaign.id)


def test_ties_share_a_rank_and_advocates_without_clicks_have_none(redis, make_campaign,
                                                                  make_link):
    campaign = make_campaign()
    board = keys.campaign_leaderboard(campaign.id)
    for name, clicks in (("dora", 9), ("bob", 5), ("carol", 5), ("alice", 5), ("eve", 1)):
        make_link(campaign, name)
        redis.zadd(board, {name: clicks})
    make_link(campaign, "frank")

    assert [(row.rank, row.advocate) for row in list_top_advocates(redis, campaign.id)] \
        == [(1, "dora"), (2, "alice"), (2, "bob"), (2, "carol"), (5, "eve")]
    assert get_advocate_rank(redis, campaign.id, "carol") == 2
    assert get_advocate_rank(redis, campaign.id, "frank") is None

    progress = get_advocate_progress(redis, campaign, "bob")
    assert (progress.rank, progress.tied, progress.ranked, progress.advocates) \
        == (2, True, 5, 6)
    unranked = get_advocate_progress(redis, campaign, "frank")
    assert (unranked.rank, unranked.ranked, unranked.advocates) == (None, 5, 6)


def test_competition_ranks():
    assert ranked_positions([9, 7, 7, 3, 3, 3, 1]) == [1, 2, 2, 4, 4, 4, 7]
    assert ranked_positions([]) == []
