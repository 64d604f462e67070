"""The programme day hashes: the unfiltered overview reads one hash per day and gives
the same figures as the sum over the campaigns' day hashes, and the migration
builds them from data written before them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from shortener import keys
from shortener.analytics.overview import get_overview
from shortener.clicks import counters
from shortener.clicks.batching import Batch, apply_batch
from shortener.clicks.conversions import record_conversion
from shortener.clicks.recording import plan_records
from shortener.links.campaigns import get_campaign
from shortener.links.codes import get_referral_code
from shortener.links.destination import new_click_id
from shortener.links.minting import get_link
from shortener.migrations import (
    SCHEMA_VERSION,
    build_programme_days,
    count_programme_attribution,
    get_schema_version,
    upgrade,
)

pytestmark = pytest.mark.cluster

NOW = time.time()
DAY = 86400


def click(link, *, ago_days, hour, visitor, kind="human", channel="whatsapp",
          device="mobile", country="DE"):
    moment = dt.datetime.fromtimestamp(NOW - ago_days * DAY, dt.UTC).replace(
        hour=hour, minute=3, second=0)
    event = {"ts": f"{moment.timestamp():.3f}", "click_id": f"{link.code}.{ago_days}.{hour}",
             "code": link.code, "campaign": link.campaign_id, "advocate": link.advocate,
             "kind": kind, "channel": channel if kind != "crawler" else "",
             "dark": ("0" if channel == "facebook" else "1") if kind == "human" else "",
             "signal": "channel_tag", "confidence": "0.90", "device": device, "os": "other",
             "browser": "other", "referrer_host": "", "country": country}
    return {"k": "click", "e": event, "v": visitor}


def write(redis, records, sequence):
    batch = Batch("test:programme", sequence)
    plan_records(batch, records, stream_maxlen=1000, preview_window_seconds=60,
                 retention_days=400)
    apply_batch(redis, batch)


def programme(redis, make_campaign, make_link, app_settings):
    """Three campaigns (two in EUR, one in USD) with clicks on shared and separate days,
    visitors that repeat within and across campaigns, and conversions."""
    spring = make_campaign(name="Spring", currency="EUR")
    summer = make_campaign(name="Summer", currency="EUR")
    abroad = make_campaign(name="Abroad", currency="USD")
    alice = make_link(spring, "alice")
    bob = make_link(spring, "bob", channel="email")
    carol = make_link(summer, "carol")
    dave = make_link(abroad, "dave")
    records = [
        click(alice, ago_days=0, hour=9, visitor="v1"),
        click(alice, ago_days=0, hour=9, visitor="v1"),
        click(bob, ago_days=0, hour=10, visitor="v1", channel="email"),
        click(carol, ago_days=0, hour=11, visitor="v1", channel="facebook", device="desktop"),
        click(carol, ago_days=2, hour=23, visitor="v2", country="FR"),
        click(dave, ago_days=2, hour=1, visitor="v3", channel="sms"),
        click(alice, ago_days=2, hour=1, visitor="", kind="preview_bot"),
        click(bob, ago_days=20, hour=5, visitor="", kind="crawler"),
        click(dave, ago_days=60, hour=7, visitor="v4"),
    ]
    write(redis, records[:5], 1)
    write(redis, records[5:], 2)
    key = app_settings.secrets["click_id_key"].encode()
    for campaign, advocate, order, value, ago in [(spring, "alice", "o-1", 30.25, 0),
                                                  (summer, "carol", "o-2", 12.5, 2),
                                                  (abroad, "dave", "o-3", 99.0, 60),
                                                  (spring, "bob", "o-4", 0.1, 2)]:
        record_conversion(redis, click_id_key=key, order_id=order, value=value,
                          campaign_id=campaign.id, advocate=advocate, now=NOW - ago * DAY)
    # One order by click id and one by a referral code typed at checkout.
    record_conversion(redis, click_id_key=key, order_id="o-5", value=5, now=NOW - 2 * DAY,
                      click_id=new_click_id(carol.code, key, convertible=True))
    record_conversion(redis, click_id_key=key, order_id="o-6", value=7, now=NOW - 2 * DAY,
                      campaign_id=spring.id,
                      referral_code=get_referral_code(redis, spring.id, "alice"))
    return [get_campaign(redis, campaign.id) for campaign in (spring, summer, abroad)]


def overviews(redis, campaigns, days):
    today = dt.datetime.fromtimestamp(NOW, dt.UTC).date()
    start = today - dt.timedelta(days=days - 1)
    return (get_overview(redis, campaigns, start=start, end=today, programme=True),
            get_overview(redis, campaigns, start=start, end=today))


def comparable(overview):
    """The overview with each row's figures reduced to what the rows show."""
    rows = tuple(dataclasses.replace(row, conversion_value=round(row.conversion_value, 6))
                 for row in overview.campaigns)
    return dataclasses.replace(overview, campaigns=rows)


@pytest.mark.parametrize("days", [1, 7, 90])
def test_the_programme_overview_equals_the_sum_over_campaigns(redis, make_campaign, make_link,
                                                              app_settings, days):
    campaigns = programme(redis, make_campaign, make_link, app_settings)
    rolled, summed = overviews(redis, campaigns, days)
    assert comparable(rolled) == comparable(summed)
    assert rolled.kpis.clicks == {1: 4, 7: 6, 90: 7}[days]
    by_campaign = {row.campaign.name: (row.conversions_by_click, row.conversions_by_code)
                   for row in rolled.campaigns}
    assert by_campaign == ({"Spring": (0, 0), "Summer": (0, 0), "Abroad": (0, 0)} if days == 1
                           else {"Spring": (0, 1), "Summer": (1, 0), "Abroad": (0, 0)})
    assert (rolled.kpis.conversions_by_click, rolled.kpis.conversions_by_code) == \
        ((0, 0) if days == 1 else (1, 1))
    # A visitor of two campaigns on one day counts once in each, as per campaign.
    assert rolled.kpis.unique_visitors == {1: 2, 7: 4, 90: 5}[days]


def test_the_programme_overview_reads_one_hash_per_day(redis, make_campaign, make_link,
                                                        app_settings):
    campaigns = programme(redis, make_campaign, make_link, app_settings)
    day = time.strftime("%Y%m%d", time.gmtime(NOW))
    fields = redis.hgetall(keys.programme_day(day))
    assert fields[counters.HUMAN] == "4"
    assert fields[counters.campaign_field(campaigns[0].id, counters.HUMAN)] == "3"
    assert fields[counters.campaign_field(campaigns[1].id, counters.VISITORS)] == "1"
    assert float(fields[counters.CONVERSION_VALUE]) == 30.25
    assert 0 < redis.ttl(keys.programme_day(day)) <= counters.DAY_TTL_SECONDS


def test_the_migration_builds_the_programme_days_from_the_campaigns(redis, make_campaign,
                                                                     make_link, app_settings):
    campaigns = programme(redis, make_campaign, make_link, app_settings)
    before = {days: comparable(overviews(redis, campaigns, days)[0]) for days in (1, 90)}
    written = {key: redis.hgetall(key) for key in redis.scan_iter(
        match=keys.programme_day_pattern())}
    # Data of schema 2 has campaign day hashes but no programme ones.
    for key in [*written, *redis.scan_iter(match=keys.programme_visitors("*", "*"))]:
        redis.delete(key)
    redis.set(keys.schema_version(), 2)
    assert comparable(overviews(redis, campaigns, 1)[0]) != before[1]

    assert upgrade(redis) is True
    assert get_schema_version(redis) == SCHEMA_VERSION
    assert {days: comparable(overviews(redis, campaigns, days)[0])
            for days in (1, 90)} == before
    rebuilt = {key: redis.hgetall(key) for key in redis.scan_iter(
        match=keys.programme_day_pattern())}
    assert {key: {name: float(value) for name, value in fields.items()}
            for key, fields in rebuilt.items()} == \
        {key: {name: float(value) for name, value in fields.items()}
         for key, fields in written.items()}

    # Run again, it gives the same hashes; and a visitor already counted today is not
    # counted again by the next click (the live day's HyperLogLogs came along).
    build_programme_days(redis, now=NOW)
    assert {key: redis.hgetall(key) for key in rebuilt} == rebuilt
    spring_link = redis.zrange(keys.campaign_links(campaigns[0].id), 0, 0)[0]
    write(redis, [click(get_link(redis, spring_link), ago_days=0, hour=12, visitor="v1")], 3)
    rolled, summed = overviews(redis, campaigns, 1)
    assert comparable(rolled) == comparable(summed)
    assert rolled.kpis.unique_visitors == 2


def test_the_migration_adds_conversions_by_click_and_code_to_the_programme_days(
        redis, make_campaign, make_link, app_settings):
    campaigns = programme(redis, make_campaign, make_link, app_settings)
    before = comparable(overviews(redis, campaigns, 7)[0])
    assert (before.kpis.conversions_by_click, before.kpis.conversions_by_code) == (1, 1)
    # Schema 5 kept them in the campaigns' day hashes, not in the programme's.
    attribution = (counters.CONVERSIONS_BY_CLICK, counters.CONVERSIONS_BY_CODE)
    for key in redis.scan_iter(match=keys.programme_day_pattern()):
        for name in redis.hkeys(key):
            if name.endswith(attribution):
                redis.hdel(key, name)
    redis.set(keys.schema_version(), 5)
    assert overviews(redis, campaigns, 7)[0].kpis.conversions_by_code == 0

    assert upgrade(redis) is True
    assert get_schema_version(redis) == SCHEMA_VERSION == 6
    assert comparable(overviews(redis, campaigns, 7)[0]) == before
    # Again: set, not added.
    assert count_programme_attribution(redis, now=NOW) == 1
    assert comparable(overviews(redis, campaigns, 7)[0]) == before
