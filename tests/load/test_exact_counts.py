"""Under load, every counter equals what was sent: the real service under gunicorn."""

from __future__ import annotations

import collections
import datetime as dt

import pytest

from shortener.analytics.queries import get_advocate_stats, get_campaign_stats, get_link_stats
from tests.serving import gunicorn, load, settle

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CLICKS = 20_000
CHANNELS = [None, "whatsapp", "telegram", "email"]


def test_every_counter_matches_the_clicks_sent(redis, redis_server, settings, make_campaign,
                                                make_link):
    campaign = make_campaign()
    links = [make_link(campaign, advocate=advocate)
             for advocate in ("alice", "alice", "bob", "charlie", "dave")]
    # Distinct links per advocate need distinct channels: minting is idempotent.
    links[1] = make_link(campaign, advocate="alice", channel="signal")

    def path(number: int) -> str:
        link = links[number % len(links)]
        tag = CHANNELS[(number // len(links)) % len(CHANNELS)]
        return f"/{link.code}" + (f"?ch={tag}" if tag else "")

    sent = collections.Counter(path(number) for number in range(CLICKS))
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port:
        answers = load(port, path, total=CLICKS)
        assert sum(answers.values()) == CLICKS
        assert {status for _, status in answers} == {302}
        totals = settle(lambda: get_campaign_stats(redis, campaign.id).clicks, CLICKS)
    assert totals == CLICKS

    expected_links: collections.Counter[str] = collections.Counter()
    expected_advocates: collections.Counter[str] = collections.Counter()
    expected_channels: collections.Counter[str] = collections.Counter()
    by_code = {link.code: link for link in links}
    for sent_path, count in sent.items():
        code, _, query = sent_path[1:].partition("?ch=")
        link = by_code[code]
        expected_links[code] += count
        expected_advocates[link.advocate] += count
        expected_channels[link.channel or query or "direct"] += count
    for code, count in expected_links.items():
        assert get_link_stats(redis, code).clicks == count
    for advocate, count in expected_advocates.items():
        assert get_advocate_stats(redis, advocate).clicks == count
    day = dt.datetime.now(dt.UTC).date()
    stats = get_campaign_stats(redis, campaign.id, start=day, end=day)
    assert stats.clicks == CLICKS
    assert stats.by_channel == dict(expected_channels)
    assert get_campaign_stats(redis, campaign.id).by_channel == dict(expected_channels)
    assert stats.by_kind["human"] == CLICKS


def test_max_clicks_holds_exactly_under_load(redis, redis_server, settings, make_link):
    link = make_link(max_clicks=300)
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir) as port:
        answers = load(port, lambda number: f"/{link.code}", total=1_000)
        assert answers == {(f"/{link.code}", 302): 300, (f"/{link.code}", 410): 700}
        clicks = settle(lambda: get_link_stats(redis, link.code).clicks, 300)
    assert clicks == 300
