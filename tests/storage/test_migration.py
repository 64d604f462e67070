"""Data written in the schema 1 layout (per-day hashes and HyperLogLogs per link and
advocate, kept 400 days) is upgraded in place and gives the same figures as
the same clicks written by today's click writer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time

import pytest

from shortener import keys
from shortener.analytics.kpis import get_campaign_kpis
from shortener.analytics.queries import ADVOCATE, CAMPAIGN, LINK, get_stats
from shortener.clicks import counters
from shortener.clicks.batching import Batch, apply_batch
from shortener.clicks.conversions import record_conversion
from shortener.clicks.recording import counter_names, plan_records
from shortener.links.advocates import upsert_advocate
from shortener.links.campaigns import get_campaign
from shortener.links.codes import advocate_for_code, get_referral_code
from shortener.links.destination import new_click_id
from shortener.migrations import SCHEMA_VERSION, get_schema_version, upgrade

pytestmark = pytest.mark.cluster

NOW = time.time()
DAY = 86400
OLD_DAY_TTL = 400 * DAY


def event(code, campaign_id, advocate, *, ago_days, hour, kind="human", channel="whatsapp",
          device="mobile"):
    moment = dt.datetime.fromtimestamp(NOW - ago_days * DAY, dt.UTC).replace(
        hour=hour, minute=7, second=0)
    dark = {"whatsapp": "1", "email": "1", "facebook": "0"}.get(channel, "1")
    return {"ts": f"{moment.timestamp():.3f}", "click_id": f"{code}.{ago_days}{hour}",
            "code": code, "campaign": campaign_id, "advocate": advocate, "kind": kind,
            "channel": channel if kind != "crawler" else "",
            "dark": dark if kind == "human" else "", "signal": "channel_tag",
            "confidence": "0.90", "device": device, "os": "other", "browser": "other",
            "referrer_host": ""}


def write_schema_1(r, records):
    """What the click writer of schema 1 wrote for these records (clicks/recording.py
    before month hashes): per scope, totals and a day hash and a day HyperLogLog."""
    for record in records:
        e = record["e"]
        day = time.strftime("%Y%m%d", time.gmtime(float(e["ts"])))
        scopes = [
            (keys.link_totals(e["code"]), keys.link_day(e["code"], day),
             keys.link_visitors(e["code"], day)),
            (keys.campaign_totals(e["campaign"]), keys.campaign_day(e["campaign"], day),
             keys.campaign_visitors(e["campaign"], day)),
            (keys.advocate_totals(e["advocate"]), keys.advocate_day(e["advocate"], day),
             keys.advocate_visitors(e["advocate"], day)),
        ]
        for totals, day_key, visitors in scopes:
            for name in counter_names(e):
                if not name.startswith("hour:"):
                    r.hincrby(totals, name, 1)
                r.hincrby(day_key, name, 1)
            r.expire(day_key, OLD_DAY_TTL)
            if record["v"]:
                r.pfadd(visitors, record["v"])
                r.expire(visitors, OLD_DAY_TTL)
        r.xadd(keys.campaign_clicks(e["campaign"]), e)
        if e["kind"] == "human":
            r.zincrby(keys.campaign_leaderboard(e["campaign"]), 1, e["advocate"])


def write_schema_1_conversion(r, *, campaign_id, advocate, code, order_id, value, ago_days,
                              click_id=None):
    ts = NOW - ago_days * DAY
    day = time.strftime("%Y%m%d", time.gmtime(ts))
    r.hsetnx(keys.campaign_orders(campaign_id), order_id,
             json.dumps({"order_id": order_id, "campaign_id": campaign_id,
                         "advocate": advocate, "value": value, "currency": "EUR",
                         "click_id": click_id, "code": code, "ts": ts}))
    scopes = [(keys.campaign_totals(campaign_id), keys.campaign_day(campaign_id, day)),
              (keys.advocate_totals(advocate), keys.advocate_day(advocate, day))]
    if code:
        scopes.append((keys.link_totals(code), keys.link_day(code, day)))
    for totals, day_key in scopes:
        for key in (totals, day_key):
            r.hincrby(key, counters.CONVERSIONS, 1)
            r.hincrbyfloat(key, counters.CONVERSION_VALUE, value)
        r.expire(day_key, OLD_DAY_TTL)
    r.zincrby(keys.campaign_conversion_board(campaign_id), 1, advocate)


def catalogue(redis, make_campaign, make_link):
    campaign = make_campaign(currency="EUR")
    alice = make_link(campaign, "alice")
    bob = make_link(campaign, "bob")
    bob_mail = make_link(campaign, "bob", channel="email")
    upsert_advocate(redis, "bob", referred_by="alice")
    return campaign, alice, bob, bob_mail


def traffic(campaign, alice, bob, bob_mail):
    records = []
    plan = [(alice, "alice", 0, 9, "whatsapp"), (alice, "alice", 0, 9, "whatsapp"),
            (alice, "alice", 0, 23, "facebook"), (alice, "alice", 1, 0, "email"),
            (bob, "bob", 1, 13, "whatsapp"), (bob_mail, "bob", 1, 13, "email"),
            (bob, "bob", 40, 8, "whatsapp"), (bob, "bob", 70, 18, "facebook"),
            (alice, "alice", 70, 18, "whatsapp"), (alice, "alice", 89, 5, "email")]
    for index, (link, advocate, ago, hour, channel) in enumerate(plan):
        e = event(link.code, campaign.id, advocate, ago_days=ago, hour=hour, channel=channel)
        # Visitors repeat within a day (v0 twice on the first day).
        records.append({"k": "click", "e": e, "v": f"v{index // 2}-{ago}"})
    records.append({"k": "click", "v": "", "e": event(alice.code, campaign.id, "alice",
                                                      ago_days=1, hour=4, kind="preview_bot")})
    records.append({"k": "click", "v": "", "e": event(bob.code, campaign.id, "bob",
                                                      ago_days=40, hour=4, kind="crawler")})
    return records


CONVERSIONS = [("alice", "alice-link", "order-1", 30.5, 0), ("bob", None, "order-2", 12.0, 40)]


def figures(redis, campaign, links):
    zone = dt.timezone(dt.timedelta(hours=-5))
    today = dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=89)
    found = {}
    for scope, ident in [(CAMPAIGN, campaign.id), (ADVOCATE, "alice"), (ADVOCATE, "bob"),
                         *[(LINK, link.code) for link in links]]:
        found[(scope.monthly, ident, "all")] = get_stats(redis, scope, ident)
        found[(scope.monthly, ident, "90")] = get_stats(redis, scope, ident, start=start,
                                                         end=today, zone=zone)
        found[(scope.monthly, ident, "7")] = get_stats(
            redis, scope, ident, start=today - dt.timedelta(days=6), end=today)
    found["kpis"] = get_campaign_kpis(redis, get_campaign(redis, campaign.id))
    return found


def test_schema_1_data_gives_the_same_figures_after_the_upgrade(redis, make_campaign,
                                                               make_link, app_settings):
    campaign, alice, bob, bob_mail = catalogue(redis, make_campaign, make_link)
    links = [alice, bob, bob_mail]
    codes = {"alice-link": alice.code}
    key = app_settings.secrets["click_id_key"].encode()
    records = traffic(campaign, alice, bob, bob_mail)
    batch = Batch("test:0", 1)
    plan_records(batch, records, stream_maxlen=1000, preview_window_seconds=0,
                 retention_days=400)
    apply_batch(redis, batch)
    for advocate, code, order, value, ago in CONVERSIONS:
        record_conversion(redis, click_id_key=key, order_id=order, value=value,
                          campaign_id=campaign.id, advocate=advocate,
                          click_id=new_click_id(codes[code], key, convertible=True)
                          if code else None,
                          now=NOW - ago * DAY)
    written_today = figures(redis, campaign, links)
    assert written_today["kpis"].recruited_advocates == 1
    assert written_today[(True, "alice", "all")].unique_visitors == 5

    # The same catalogue and clicks in the schema 1 layout, as an earlier version left them.
    redis.flushall()
    campaign, alice, bob, bob_mail = catalogue(redis, make_campaign, make_link)
    for key in (keys.schema_version(), keys.campaign_recruited(campaign.id),
                keys.advocate_referrals("alice")):
        redis.delete(key)
    write_schema_1(redis, traffic(campaign, alice, bob, bob_mail))
    for advocate, code, order, value, ago in CONVERSIONS:
        # Without a click id, an order is booked on the advocate's untagged link.
        write_schema_1_conversion(redis, campaign_id=campaign.id, advocate=advocate,
                                  code=alice.code if code else bob.code, order_id=order,
                                  value=value, ago_days=ago,
                                  click_id=f"{alice.code}.signed" if code else None)
    assert get_schema_version(redis) == 1

    assert upgrade(redis) is True
    assert get_schema_version(redis) == SCHEMA_VERSION
    assert figures(redis, campaign, [alice, bob, bob_mail]) == written_today
    for kind in ("l", "a"):
        assert list(redis.scan_iter(match=keys.legacy_day_pattern(kind))) == []
    old_day = time.strftime("%Y%m%d", time.gmtime(NOW - 40 * DAY))
    assert not redis.exists(keys.link_visitors(bob.code, old_day))
    assert not redis.exists(keys.campaign_visitors(campaign.id, old_day))
    assert redis.hget(keys.campaign_day(campaign.id, old_day), counters.VISITORS) == "1"
    assert 0 < redis.ttl(keys.link_month(bob.code, old_day[:6])) <= counters.MONTH_TTL_SECONDS

    # A second run (another process starting) changes nothing.
    assert upgrade(redis) is False
    assert figures(redis, campaign, [alice, bob, bob_mail]) == written_today


def test_a_start_waits_for_the_process_that_holds_the_upgrade_lock(redis):
    redis.delete(keys.schema_version())
    redis.set(keys.migration_lock(), "another-process", ex=60)
    with pytest.raises(TimeoutError):
        upgrade(redis, wait_seconds=0.3)
    redis.delete(keys.migration_lock())
    assert upgrade(redis) is True


def test_schema_4_advocates_get_referral_codes_in_the_upgrade(redis, make_campaign, make_link):
    first, second = make_campaign(), make_campaign(code_prefix="SPRING")
    upsert_advocate(redis, "anna", name="Anna")
    for campaign in (first, second):
        make_link(campaign, "anna")
        make_link(campaign, "bob")
    make_link(first, "carol")
    kept = redis.hget(keys.campaign_referral_codes(first.id), "carol")
    record_conversion(redis, click_id_key=b"k" * 32, order_id="by-code", campaign_id=first.id,
                      referral_code=kept)
    for key in (keys.campaign_totals(first.id), keys.advocate_totals("carol")):
        redis.hdel(key, counters.CONVERSIONS_BY_CODE)
    # As an earlier version left them: links and advocates, no codes (carol's aside).
    for campaign in (first, second):
        for key in redis.scan_iter(match=keys.campaign_referral_code(campaign.id, "*")):
            if redis.get(key) != "carol":
                redis.delete(key)
        redis.hdel(keys.campaign_referral_codes(campaign.id), "anna", "bob")
    redis.set(keys.schema_version(), 4)

    assert upgrade(redis) is True
    assert get_schema_version(redis) == SCHEMA_VERSION
    codes = {(campaign.id, ident): get_referral_code(redis, campaign.id, ident)
             for campaign in (first, second) for ident in ("anna", "bob")}
    assert codes[(first.id, "anna")].startswith("ANNA-")
    assert codes[(second.id, "anna")].startswith("SPRING-")
    assert codes[(second.id, "bob")].startswith("SPRING-")
    for (campaign_id, ident), code in codes.items():
        assert advocate_for_code(redis, campaign_id, code) == ident
    assert get_referral_code(redis, first.id, "carol") == kept
    assert get_referral_code(redis, second.id, "carol") is None
    for scope, ident in ((CAMPAIGN, first.id), (ADVOCATE, "carol")):
        assert get_stats(redis, scope, ident).conversions_by_code == 1

    # A second run (another process starting) changes nothing.
    redis.set(keys.schema_version(), 4)
    assert upgrade(redis) is True
    assert {key: get_referral_code(redis, *key) for key in codes} == codes


def write_schema_3_months(r, records, conversions):
    """Month hashes as the click writer and record_conversion of schema 3 spelled them:
    every counter as "DD:<counter>", "kind:human" beside "human"."""
    visitors = {}
    for record in records:
        e = record["e"]
        day = time.strftime("%Y%m%d", time.gmtime(float(e["ts"])))
        for month in (keys.link_month(e["code"], day[:6]),
                      keys.advocate_month(e["advocate"], day[:6])):
            for name in counter_names(e):
                r.hincrby(month, f"{day[6:8]}:{name}", 1)
            if record["v"]:
                visitors.setdefault((month, day[6:8]), set()).add(record["v"])
            r.expire(month, counters.MONTH_TTL_SECONDS)
    for (month, dd), seen in visitors.items():
        r.hincrby(month, f"{dd}:visitors", len(seen))
    for advocate, code, value, ago in conversions:
        day = time.strftime("%Y%m%d", time.gmtime(NOW - ago * DAY))
        for month in (keys.link_month(code, day[:6]), keys.advocate_month(advocate, day[:6])):
            r.hincrby(month, f"{day[6:8]}:conversions", 1)
            r.hincrbyfloat(month, f"{day[6:8]}:conversion_value", value)
            r.expire(month, counters.MONTH_TTL_SECONDS)


def unattributed(found):
    """The figures without the conversions by click and by code."""
    return {key: dataclasses.replace(value, conversions_by_click=0, conversions_by_code=0)
            for key, value in found.items()}


def month_keys(r):
    return sorted(key for kind in ("l", "a") for key in r.scan_iter(match=keys.month_pattern(kind)))


def test_schema_3_month_hashes_are_spelled_short_with_the_same_figures(
        redis, make_campaign, make_link, app_settings):
    campaign, alice, bob, bob_mail = catalogue(redis, make_campaign, make_link)
    links = [alice, bob, bob_mail]
    key = app_settings.secrets["click_id_key"].encode()
    records = traffic(campaign, alice, bob, bob_mail)
    batch = Batch("test:0", 1)
    plan_records(batch, records, stream_maxlen=1000, preview_window_seconds=0,
                 retention_days=400)
    apply_batch(redis, batch)
    booked = []
    for advocate, code, order, value, ago in CONVERSIONS:
        recorded = record_conversion(
            redis, click_id_key=key, order_id=order, value=value, campaign_id=campaign.id,
            advocate=advocate, now=NOW - ago * DAY,
            click_id=new_click_id(alice.code, key, convertible=True) if code else None)
        booked.append((advocate, recorded.conversion.code, value, ago))
    written_today = figures(redis, campaign, links)
    assert written_today[(True, "alice", "90")].conversion_value == 30.5
    assert written_today[(True, "alice", "90")].conversions_by_click == 1
    assert written_today[(True, "bob", "90")].by_kind["human"] == 4
    today_sizes = {month: redis.memory_usage(month) for month in month_keys(redis)}

    # The same month hashes as schema 3 wrote them; everything else is as schema 3 left it.
    months = month_keys(redis)
    assert months
    redis.delete(*months)
    write_schema_3_months(redis, records, booked)
    redis.set(keys.schema_version(), 3)
    alice_month = keys.advocate_month("alice", time.strftime("%Y%m", time.gmtime(NOW)))
    assert redis.hget(alice_month, time.strftime("%d", time.gmtime(NOW)) + ":kind:human")
    # The reader takes both spellings. Schema 3 did not count conversions by click
    # (schema 5's step counts them from the orders), so those are left out here.
    assert unattributed(figures(redis, campaign, links)) == unattributed(written_today)
    old_sizes = {month: redis.memory_usage(month) for month in month_keys(redis)}

    assert upgrade(redis) is True
    assert get_schema_version(redis) == SCHEMA_VERSION == 6
    assert figures(redis, campaign, links) == written_today
    for month in month_keys(redis):
        fields = redis.hkeys(month)
        assert fields and not [field for field in fields if field[2] == ":"], fields
        assert not [field for field in fields if field[2:] == "Khuman"]
        assert 0 < redis.ttl(month) <= counters.MONTH_TTL_SECONDS
        assert redis.memory_usage(month) < old_sizes[month]
    # What today's writes cost: MEMORY USAGE counts the allocation, which the order of
    # a listpack's growth can round up or down by a size class (16 bytes and more).
    upgraded_sizes = {month: redis.memory_usage(month) for month in month_keys(redis)}
    assert upgraded_sizes.keys() == today_sizes.keys()
    for month, size in upgraded_sizes.items():
        assert abs(size - today_sizes[month]) <= 32, (month, size, today_sizes[month])

    # Again (another process, or a step cut short): nothing moves twice.
    redis.set(keys.schema_version(), 3)
    assert upgrade(redis) is True
    assert figures(redis, campaign, links) == written_today
