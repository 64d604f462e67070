"""Conversions and KPIs against a real Redis."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shortener import keys
from shortener.analytics.conversions import list_conversions
from shortener.analytics.kpis import get_advocate_rank, get_campaign_kpis, list_top_advocates
from shortener.analytics.queries import get_advocate_stats, get_campaign_stats, get_link_stats
from shortener.analytics.results import TopAdvocate
from shortener.clicks import conversions
from shortener.errors import (
    AdvocateNotInCampaign,
    ClickConverted,
    InvalidClickId,
    InvalidInput,
    LinkNotFound,
)
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from tests.conftest import BROWSER_UA


@pytest.fixture
def record_conversion(app_settings):
    """record_conversion with the running instance's click id key."""
    key = app_settings.secrets["click_id_key"].encode()

    def record(r, **fields):
        return conversions.record_conversion(r, click_id_key=key, **fields)

    return record


def click(client, code, ip="192.0.2.1"):
    response = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA},
                          environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("sclid=", 1)[1]


def test_a_conversion_by_click_id_counts_for_link_campaign_and_advocate(redis, client,
                                                                        make_link,
                                                                        record_conversion):
    link = make_link()
    click_id = click(client, link.code)
    recorded = record_conversion(redis, click_id=click_id, order_id="A-1", value=49.9)
    assert recorded.created and recorded.conversion.advocate == "alice"
    for stats in (get_link_stats(redis, link.code), get_campaign_stats(redis, link.campaign_id),
                  get_advocate_stats(redis, "alice")):
        assert stats.conversions == 1
        assert stats.conversion_value == pytest.approx(49.9)


def test_the_same_order_twice_counts_once(redis, client, make_link, record_conversion):
    link = make_link()
    click_id = click(client, link.code)
    first = record_conversion(redis, click_id=click_id, order_id="A-2", value=10)
    again = record_conversion(redis, click_id=click_id, order_id="A-2", value=10)
    assert first.created and not again.created
    assert again.conversion == first.conversion
    assert get_campaign_stats(redis, link.campaign_id).conversions == 1


@pytest.mark.cluster
def test_a_conversion_by_campaign_and_advocate_is_credited_to_the_advocates_link(
        redis, make_campaign, make_link, record_conversion):
    # Reported by advocate with no click: the rule that would hold it for review is off.
    link = make_link(make_campaign(fraud_rules={"no_human_click": False}), advocate="bob")
    recorded = record_conversion(redis, campaign_id=link.campaign_id, advocate="bob",
                                 order_id="B-1", value=5)
    assert recorded.conversion.code == link.code
    assert get_advocate_stats(redis, "bob").conversions == 1
    assert get_link_stats(redis, link.code).conversions == 1
    assert get_link_stats(redis, link.code).conversion_value == 5


def test_the_link_credited_is_the_one_without_a_channel(redis, make_campaign, make_link,
                                                        record_conversion):
    campaign = make_campaign()
    tagged = make_link(campaign, advocate="bob", channel="whatsapp")
    plain = make_link(campaign, advocate="bob")
    make_link(make_campaign(), advocate="bob")
    recorded = record_conversion(redis, campaign_id=campaign.id, advocate="bob",
                                 order_id="B-2")
    assert recorded.conversion.code == plain.code
    assert get_link_stats(redis, tagged.code).conversions == 0


def test_without_a_plain_link_the_oldest_in_the_campaign_is_credited(
        redis, make_campaign, make_link, record_conversion):
    elsewhere = make_link(advocate="bob")
    campaign = make_campaign()
    first = make_link(campaign, advocate="bob", channel="telegram")
    make_link(campaign, advocate="bob", channel="whatsapp")
    recorded = record_conversion(redis, campaign_id=campaign.id, advocate="bob",
                                 order_id="B-3")
    assert recorded.conversion.code == first.code != elsewhere.code


def test_an_advocate_outside_the_campaign_is_refused(redis, make_campaign, make_link,
                                                    record_conversion):
    campaign = make_campaign()
    make_link(campaign, advocate="alice")
    make_link(advocate="mallory")  # a link, but in another campaign
    upsert_advocate(redis, "trudy")  # an advocate, but without any link
    for stranger in ("mallory", "trudy", "nobody"):
        with pytest.raises(AdvocateNotInCampaign) as caught:
            record_conversion(redis, campaign_id=campaign.id, advocate=stranger,
                              order_id=f"S-{stranger}", value=1)
        assert caught.value.field == "advocate"
    assert get_campaign_stats(redis, campaign.id).conversions == 0
    assert redis.hlen(keys.campaign_orders(campaign.id)) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"click_id": "garbage"}, "click_id"),
        ({"click_id": "abc.def", "value": 1e13}, "value"),
        ({"click_id": "abc.def", "value": float("inf")}, "value"),
        ({"click_id": "abc.def", "value": True}, "value"),
        ({"click_id": "abc.def", "order_id": "x" * 129}, "order_id"),
        ({"click_id": "abc.def", "order_id": "a\nb"}, "order_id"),
        ({"campaign_id": "1"}, "advocate"),
        ({"click_id": "abc.def", "value": -1}, "value"),
        ({"click_id": "abc.def", "value": float("nan")}, "value"),
        ({"click_id": "abc.def", "order_id": ""}, "order_id"),
        ({}, "click_id"),
    ],
)
def test_bad_conversions_name_the_field(redis, fields, field, record_conversion):
    with pytest.raises(InvalidInput) as caught:
        record_conversion(redis, **{"order_id": "X", "value": 1, **fields})
    assert caught.value.field == field


def test_a_made_up_suffix_after_a_real_code_is_refused(redis, client, make_link,
                                                      record_conversion):
    link = make_link()
    real = click(client, link.code)
    for forged in (f"{link.code}.made-up", f"{link.code}.Ab3dEf9hIjKl",
                   f"{link.code}.{real.partition('.')[2][:-1]}A"):
        if forged == real:
            continue
        with pytest.raises(InvalidClickId) as caught:
            record_conversion(redis, click_id=forged, order_id=forged, value=1)
        assert caught.value.field == "click_id"
    assert get_link_stats(redis, link.code).conversions == 0


def test_a_click_id_of_a_crawler_or_a_head_request_is_refused(redis, client, make_link,
                                                              record_conversion):
    link = make_link()
    crawled = client.get(f"/{link.code}", headers={"User-Agent": "curl/8.5.0"})
    head = client.head(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    for response in (crawled, head):
        click_id = response.headers["Location"].rsplit("sclid=", 1)[1]
        with pytest.raises(InvalidClickId):
            record_conversion(redis, click_id=click_id, order_id=click_id, value=1)


@pytest.mark.cluster
def test_a_click_id_books_one_order(redis, client, make_link, record_conversion):
    link = make_link()
    click_id = click(client, link.code)
    record_conversion(redis, click_id=click_id, order_id="O-1", value=1)
    with pytest.raises(ClickConverted) as caught:
        record_conversion(redis, click_id=click_id, order_id="O-2", value=1)
    assert caught.value.field == "click_id"
    assert get_link_stats(redis, link.code).conversions == 1
    # The first order may still be repeated: it is answered, not counted.
    assert not record_conversion(redis, click_id=click_id, order_id="O-1", value=1).created


def test_a_click_id_with_another_campaign_is_refused(redis, client, make_campaign, make_link,
                                                     record_conversion):
    link = make_link()
    other = make_campaign()
    with pytest.raises(InvalidClickId) as caught:
        record_conversion(redis, click_id=click(client, link.code), campaign_id=other.id,
                          order_id="X", value=1)
    assert caught.value.field == "click_id"


def test_a_click_id_whose_link_is_gone_is_refused(redis, client, make_link,
                                                  record_conversion):
    link = make_link()
    click_id = click(client, link.code)
    store.delete_link(redis, link.code)
    with pytest.raises(LinkNotFound) as caught:
        record_conversion(redis, click_id=click_id, order_id="X", value=1)
    assert caught.value.field == "click_id"


@pytest.mark.cluster
def test_conversions_are_listed_in_order_with_filters_and_a_cursor(
        redis, make_campaign, make_link, record_conversion):
    campaign = make_campaign()
    make_link(campaign, advocate="alice")
    make_link(campaign, advocate="bob")
    day = 86400
    start = 1_767_225_600  # 2026-01-01T00:00:00Z
    reports = [("alice", "O-1", start), ("bob", "O-2", start + 60),
               ("alice", "O-4", start + 2 * day), ("bob", "O-5", start + 2 * day + 1),
               ("alice", "O-3", start + day)]  # reported late, listed by its time
    for advocate, order, ts in reports:
        record_conversion(redis, campaign_id=campaign.id, advocate=advocate, order_id=order,
                          value=1, now=ts)
    record_conversion(redis, campaign_id=campaign.id, advocate="alice", order_id="O-1", value=1)

    def orders(page):
        return [conversion.order_id for conversion in page.items]

    everything = list_conversions(redis, campaign.id)
    assert orders(everything) == ["O-1", "O-2", "O-3", "O-4", "O-5"]
    assert everything.next_position is None
    first = list_conversions(redis, campaign.id, limit=2)
    second = list_conversions(redis, campaign.id, limit=2, after=first.next_position)
    third = list_conversions(redis, campaign.id, limit=2, after=second.next_position)
    assert (orders(first), orders(second), orders(third)) == (
        ["O-1", "O-2"], ["O-3", "O-4"], ["O-5"])
    assert third.next_position is None
    alices = list_conversions(redis, campaign.id, advocate="alice", limit=2)
    assert orders(alices) == ["O-1", "O-3"]
    assert orders(list_conversions(redis, campaign.id, advocate="alice",
                                   after=alices.next_position)) == ["O-4"]
    assert orders(list_conversions(redis, campaign.id, since=dt.date(2026, 1, 2),
                                   until=dt.date(2026, 1, 2))) == ["O-3"]
    assert orders(list_conversions(redis, campaign.id, since=dt.date(2026, 1, 3))) == [
        "O-4", "O-5"]
    # A range that ends before it starts holds nothing (it is no error).
    backwards = list_conversions(redis, campaign.id, since=dt.date(2026, 1, 3),
                                 until=dt.date(2026, 1, 1))
    assert (backwards.items, backwards.next_position) == ([], None)


def test_orders_of_one_millisecond_page_by_order_id(redis, make_link, record_conversion):
    link = make_link()
    for order in ("c", "a", "d", "b"):
        record_conversion(redis, campaign_id=link.campaign_id, advocate="alice",
                          order_id=order, now=1_767_225_600.0)
    seen, position = [], None
    while True:
        page = list_conversions(redis, link.campaign_id, limit=1, after=position)
        seen += [conversion.order_id for conversion in page.items]
        if page.next_position is None:
            break
        position = page.next_position
    assert seen == ["a", "b", "c", "d"]


def test_an_advocate_filter_reads_a_bounded_number_of_entries_per_page(
        redis, make_campaign, make_link, record_conversion, monkeypatch):
    from shortener.analytics import conversions as listing

    monkeypatch.setattr(listing, "MAX_SCAN_ENTRIES", 10)
    monkeypatch.setattr(listing, "SCAN_CHUNK", 4)
    campaign = make_campaign()
    make_link(campaign, advocate="alice")
    make_link(campaign, advocate="bob")
    for number in range(25):
        record_conversion(redis, campaign_id=campaign.id, order_id=f"o-{number:02d}",
                          advocate="alice" if number in (3, 22) else "bob",
                          now=1_767_225_600 + number)
    seen, pages, position = [], 0, None
    while True:
        page = listing.list_conversions(redis, campaign.id, advocate="alice", after=position)
        pages += 1
        seen += [conversion.order_id for conversion in page.items]
        if page.next_position is None:
            break
        position = page.next_position
    assert seen == ["o-03", "o-22"]
    assert pages == 3


def test_conversions_from_before_the_list_are_indexed_once(redis, make_link,
                                                           record_conversion):
    link = make_link()
    record_conversion(redis, campaign_id=link.campaign_id, advocate="alice", order_id="new",
                      now=1_767_225_700.0)
    earlier = conversions.Conversion(order_id="old", campaign_id=link.campaign_id,
                                     advocate="alice", value=3.0, currency="EUR",
                                     click_id=None, code=None, ts=1_767_225_600.0)
    # Recorded as before the list existed: in the orders hash only.
    redis.hset(keys.campaign_orders(link.campaign_id), "old", json.dumps(earlier.to_dict()))
    assert conversions.index_earlier_conversions(redis, link.campaign_id) == 1
    assert conversions.index_earlier_conversions(redis, link.campaign_id) == 0
    page = list_conversions(redis, link.campaign_id)
    assert [conversion.order_id for conversion in page.items] == ["old", "new"]
    assert page.items[0] == earlier


def test_kpis_follow_their_formulas(redis, client, make_campaign, make_link,
                                   record_conversion):
    campaign = make_campaign(cost=100.0, value_per_click=0.5)
    alice = make_link(campaign, advocate="alice")
    upsert_advocate(redis, "bob", referred_by="alice")
    bob = make_link(campaign, advocate="bob")
    make_link(campaign, advocate="carol")
    for number in range(3):
        click(client, alice.code, ip=f"192.0.2.{number}")
    click_id = click(client, bob.code)
    record_conversion(redis, click_id=click_id, order_id="K-1", value=150.0)

    kpis = get_campaign_kpis(redis, campaign)
    assert kpis.clicks == 4
    assert kpis.advocates == 3
    assert kpis.active_advocates == 2
    assert kpis.recruited_advocates == 1
    assert kpis.converted_advocates == 1
    assert kpis.referral_rate == pytest.approx(2 / 3, abs=1e-4)
    assert kpis.conversion_rate == pytest.approx(1 / 4)
    assert kpis.k_factor == pytest.approx(1 / 3, abs=1e-4)
    assert kpis.cost_per_advocate == pytest.approx(100 / 3, abs=1e-4)
    assert kpis.earned_media_value == pytest.approx(2.0)
    assert kpis.roi == pytest.approx(0.5)
    assert list_top_advocates(redis, campaign.id) == [
        TopAdvocate(rank=1, advocate="alice", clicks=3, conversions=0),
        TopAdvocate(rank=2, advocate="bob", clicks=1, conversions=1),
    ]
    assert get_advocate_rank(redis, campaign.id, "bob") == 2
    assert get_advocate_rank(redis, campaign.id, "carol") is None
