"""Fraud review against a real Redis: each flag, the review that counts once, erasure."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json

import pytest

from shortener import keys
from shortener.analytics.queries import get_advocate_stats, get_campaign_stats, get_link_stats
from shortener.clicks import conversions
from shortener.errors import InvalidInput
from shortener.fraud import review
from shortener.fraud.rules import EVIDENCE_SECONDS
from shortener.links.advocates import erase_personal_data, get_advocate
from shortener.rewards.review import list_rewards
from shortener.rewards.store import get_accepted_conversions
from tests.conftest import BROWSER_UA

ALICE_IP = "192.0.2.1"
FRIEND_IP = "198.51.100.7"


@pytest.fixture
def record_conversion(app_settings):
    key = app_settings.secrets["click_id_key"].encode()

    def record(r, **fields):
        return conversions.record_conversion(r, click_id_key=key, **fields)

    return record


def click(client, code, ip=FRIEND_IP):
    response = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA},
                          environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("sclid=", 1)[1]


def open_share_page(client, redis, advocate="alice", ip=ALICE_IP):
    token = get_advocate(redis, advocate).share_token
    response = client.get(f"/s/{token}", headers={"User-Agent": BROWSER_UA},
                          environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 200


def counted(redis, link):
    """Conversions as every figure shows them: link, campaign, advocate, rewards board."""
    return (get_link_stats(redis, link.code).conversions,
            get_campaign_stats(redis, link.campaign_id).conversions,
            get_advocate_stats(redis, link.advocate).conversions,
            get_accepted_conversions(redis, link.campaign_id, link.advocate))


@pytest.mark.cluster
def test_a_self_referral_is_held_and_counts_nothing_until_accepted(redis, client, make_link,
                                                                   record_conversion):
    link = make_link()
    open_share_page(client, redis)
    click_id = click(client, link.code, ip=ALICE_IP)
    recorded = record_conversion(redis, click_id=click_id, order_id="A-1", value=20)
    conversion = recorded.conversion
    assert (conversion.status, conversion.flags) == ("review", ["self_referral"])
    assert set(conversion.evidence) == {"click", "share_page_visit"}
    assert conversion.evidence["click"]["kind"] == "human"
    assert counted(redis, link) == (0, 0, 0, 0)
    assert [item.order_id for item in review.list_review(redis, link.campaign_id).items] \
        == ["A-1"]

    accepted = review.set_conversion_status(redis, conversion.id, "accepted", by="ann")
    assert (accepted.status, accepted.reviewed_by) == ("accepted", "ann")
    assert counted(redis, link) == (1, 1, 1, 1)
    assert get_campaign_stats(redis, link.campaign_id).conversion_value == 20
    assert review.list_review(redis, link.campaign_id).items == []


def test_a_friend_who_did_not_open_the_share_page_converts_at_once(redis, client, make_link,
                                                                     record_conversion):
    link = make_link()
    open_share_page(client, redis, ip=ALICE_IP)
    click_id = click(client, link.code, ip=FRIEND_IP)
    conversion = record_conversion(redis, click_id=click_id, order_id="A-1").conversion
    assert (conversion.status, conversion.flags) == ("accepted", [])
    assert counted(redis, link) == (1, 1, 1, 1)


def test_one_visitor_behind_two_conversions_holds_the_second(redis, client, make_link,
                                                             record_conversion):
    link = make_link()
    first = record_conversion(redis, click_id=click(client, link.code), order_id="A-1")
    second = record_conversion(redis, click_id=click(client, link.code), order_id="A-2")
    assert first.conversion.status == "accepted"
    assert (second.conversion.status, second.conversion.flags) == ("review", ["repeat_visitor"])
    assert second.conversion.evidence["visitor_conversions"] == 2
    assert counted(redis, link) == (1, 1, 1, 1)


def test_a_repeated_report_does_not_make_its_visitor_a_repeat(redis, client, make_link,
                                                              record_conversion):
    link = make_link()
    click_id = click(client, link.code)
    record_conversion(redis, click_id=click_id, order_id="A-1")
    again = record_conversion(redis, click_id=click_id, order_id="A-1")
    assert not again.created and again.conversion.status == "accepted"
    other = record_conversion(redis, click_id=click(client, link.code, ip="203.0.113.5"),
                              order_id="A-2")
    assert other.conversion.status == "accepted"


def test_a_conversion_reported_by_advocate_without_any_human_click_is_held(
        redis, client, make_link, record_conversion):
    link = make_link()
    held = record_conversion(redis, campaign_id=link.campaign_id, advocate="alice",
                             order_id="A-1").conversion
    assert (held.status, held.flags) == ("review", ["no_human_click"])
    assert held.evidence == {"human_clicks": 0}
    click(client, link.code)
    fine = record_conversion(redis, campaign_id=link.campaign_id, advocate="alice",
                             order_id="A-2").conversion
    assert fine.status == "accepted"


def test_a_burst_of_clicks_by_one_visitor_holds_its_conversion(redis, client, make_link,
                                                               record_conversion):
    link = make_link()
    calm = [click(client, link.code) for _ in range(3)]
    assert record_conversion(redis, click_id=calm[-1], order_id="A-1",
                             burst_clicks=3).conversion.status == "accepted"
    other_link = make_link(advocate="bob")
    for _ in range(4):
        last = click(client, other_link.code, ip="203.0.113.9")
    held = record_conversion(redis, click_id=last, order_id="B-1", burst_clicks=3).conversion
    assert held.flags == ["burst"]
    assert held.evidence["burst"]["clicks"] == 4 and held.evidence["burst"]["limit"] == 3


def test_a_rule_turned_off_flags_nothing(redis, client, make_campaign, make_link,
                                         record_conversion):
    campaign = make_campaign(fraud_rules={"self_referral": False})
    assert campaign.fraud_rules == {"self_referral": False, "repeat_visitor": True,
                                    "no_human_click": True, "burst": True}
    link = make_link(campaign)
    open_share_page(client, redis)
    conversion = record_conversion(redis, click_id=click(client, link.code, ip=ALICE_IP),
                                   order_id="A-1").conversion
    assert conversion.status == "accepted"


def test_an_unknown_rule_is_refused_naming_it(make_campaign):
    with pytest.raises(InvalidInput) as refused:
        make_campaign(fraud_rules={"velocity": True})
    assert refused.value.field == "fraud_rules.velocity"


def test_rejecting_a_held_conversion_changes_no_figure(redis, client, make_link,
                                                       record_conversion):
    link = make_link()
    held = record_conversion(redis, campaign_id=link.campaign_id, advocate="alice",
                             order_id="A-1").conversion
    rejected = review.set_conversion_status(redis, held.id, "rejected", by="ann")
    assert rejected.status == "rejected"
    assert counted(redis, link) == (0, 0, 0, 0)
    assert review.list_review(redis, link.campaign_id).waiting == 0
    # A rejection undone counts it, once.
    review.set_conversion_status(redis, held.id, "accepted", by="ann")
    assert counted(redis, link) == (1, 1, 1, 1)


def test_an_accepted_conversion_cannot_be_rejected(redis, client, make_link, record_conversion):
    link = make_link()
    accepted = record_conversion(redis, click_id=click(client, link.code),
                                 order_id="A-1").conversion
    with pytest.raises(InvalidInput) as refused:
        review.set_conversion_status(redis, accepted.id, "rejected", by="ann")
    assert refused.value.field == "status"
    assert counted(redis, link) == (1, 1, 1, 1)


@pytest.mark.cluster
def test_concurrent_accepts_count_once_and_grant_the_tier_once(redis, redis_server,
                                                               make_campaign, make_link,
                                                               record_conversion):
    campaign = make_campaign(rewards=[{"name": "Voucher", "conversions": 1}])
    link = make_link(campaign)
    held = record_conversion(redis, campaign_id=campaign.id, advocate="alice",
                             order_id="A-1", value=10).conversion
    assert list_rewards(redis, campaign_id=campaign.id)[0] == []

    def accept(_: int) -> str:
        # A client each, as separate processes would have.
        return review.set_conversion_status(redis_server.client(), held.id, "accepted",
                                            by="ann").status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(accept, range(16))) == {"accepted"}
    assert counted(redis, link) == (1, 1, 1, 1)
    assert get_campaign_stats(redis, campaign.id).conversion_value == 10
    rewards, _ = list_rewards(redis, campaign_id=campaign.id)
    assert [reward.reward for reward in rewards] == ["Voucher"]
    updates = [json.loads(text) for text in redis.hvals(keys.campaign_orders(campaign.id))]
    assert [update["status"] for update in updates] == ["accepted"]


def test_evidence_expires_and_holds_no_address(redis, client, make_link, record_conversion):
    link = make_link()
    open_share_page(client, redis)
    click(client, link.code, ip=ALICE_IP)
    evidence = [key for key in redis.scan_iter("sh:*")
                if any(part in key for part in ("sharevisits", "clickvisitors", "visitorhours"))]
    assert len(evidence) == 3
    for key in evidence:
        assert 0 < redis.ttl(key) <= EVIDENCE_SECONDS
        dump = json.dumps(redis.hgetall(key))
        assert ALICE_IP not in dump and "192.0.2" not in dump


@pytest.mark.cluster
def test_erasure_erases_the_evidence(redis, client, make_link, record_conversion):
    link = make_link()
    open_share_page(client, redis)
    click(client, link.code, ip=ALICE_IP)
    click(client, link.code, ip=FRIEND_IP)
    erase_personal_data(redis, "alice")
    left = [key for key in redis.scan_iter("sh:*")
            if any(part in key for part in ("sharevisits", "clickvisitors", "visitorhours"))]
    assert left == []


def test_an_accept_read_before_an_erasure_does_not_bring_the_old_id_back(redis, client,
                                                                        make_link,
                                                                        record_conversion):
    link = make_link()
    stale = record_conversion(redis, campaign_id=link.campaign_id, advocate="alice",
                              order_id="A-1").conversion
    erased = erase_personal_data(redis, "alice")
    changed = dataclasses.replace(stale, status="accepted")
    assert review._save_status(redis, stale, changed) is False
    accepted = review.set_conversion_status(redis, stale.id, "accepted", by="ann")
    assert accepted.advocate == erased.external_id
    assert "alice" not in json.dumps(redis.hgetall(keys.campaign_orders(link.campaign_id)))
    assert redis.zscore(keys.campaign_conversion_board(link.campaign_id), "alice") is None
    assert redis.zscore(keys.campaign_conversion_board(link.campaign_id),
                        erased.external_id) == 1
