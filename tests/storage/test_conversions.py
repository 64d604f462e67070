"""Conversions and KPIs against a real Redis."""

from __future__ import annotations

import pytest

from shortener.analytics.kpis import get_advocate_rank, get_campaign_kpis, list_top_advocates
from shortener.analytics.queries import get_advocate_stats, get_campaign_stats, get_link_stats
from shortener.clicks.conversions import record_conversion
from shortener.errors import InvalidInput, LinkNotFound
from shortener.links.advocates import upsert_advocate
from tests.conftest import BROWSER_UA


def click(client, code, ip="192.0.2.1"):
    response = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA},
                          environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("sclid=", 1)[1]


def test_a_conversion_by_click_id_counts_for_link_campaign_and_advocate(redis, client,
                                                                        make_link):
    link = make_link()
    click_id = click(client, link.code)
    recorded = record_conversion(redis, click_id=click_id, order_id="A-1", value=49.9)
    assert recorded.created and recorded.conversion.advocate == "alice"
    for stats in (get_link_stats(redis, link.code), get_campaign_stats(redis, link.campaign_id),
                  get_advocate_stats(redis, "alice")):
        assert stats["conversions"] == 1
        assert stats["conversion_value"] == pytest.approx(49.9)


def test_the_same_order_twice_counts_once(redis, client, make_link):
    link = make_link()
    click_id = click(client, link.code)
    first = record_conversion(redis, click_id=click_id, order_id="A-2", value=10)
    again = record_conversion(redis, click_id=click_id, order_id="A-2", value=10)
    assert first.created and not again.created
    assert again.conversion == first.conversion
    assert get_campaign_stats(redis, link.campaign_id)["conversions"] == 1


def test_a_conversion_by_campaign_and_advocate(redis, make_link):
    link = make_link(advocate="bob")
    record_conversion(redis, campaign_id=link.campaign_id, advocate="bob", order_id="B-1",
                      value=5)
    assert get_advocate_stats(redis, "bob")["conversions"] == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"click_id": "garbage"}, "click_id"),
        ({"click_id": "abc.def", "value": -1}, "value"),
        ({"click_id": "abc.def", "value": float("nan")}, "value"),
        ({"click_id": "abc.def", "order_id": ""}, "order_id"),
        ({}, "click_id"),
    ],
)
def test_bad_conversions_name_the_field(redis, fields, field):
    with pytest.raises(InvalidInput) as caught:
        record_conversion(redis, **{"order_id": "X", "value": 1, **fields})
    assert caught.value.field == field


def test_an_unknown_click_id_is_refused(redis):
    with pytest.raises(LinkNotFound):
        record_conversion(redis, click_id="nolink.abcdef", order_id="X", value=1)


def test_kpis_follow_their_formulas(redis, client, make_campaign, make_link):
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
    assert kpis["clicks"] == 4
    assert kpis["advocates"] == 3
    assert kpis["active_advocates"] == 2
    assert kpis["recruited_advocates"] == 1
    assert kpis["referral_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert kpis["conversion_rate"] == pytest.approx(1 / 4)
    assert kpis["k_factor"] == pytest.approx(1 / 3, abs=1e-4)
    assert kpis["cost_per_advocate"] == pytest.approx(100 / 3, abs=1e-4)
    assert kpis["earned_media_value"] == pytest.approx(2.0)
    assert kpis["roi"] == pytest.approx(0.5)
    assert list_top_advocates(redis, campaign.id) == [
        {"rank": 1, "advocate": "alice", "clicks": 3, "conversions": 0},
        {"rank": 2, "advocate": "bob", "clicks": 1, "conversions": 1},
    ]
    assert get_advocate_rank(redis, campaign.id, "bob") == 2
    assert get_advocate_rank(redis, campaign.id, "carol") is None
