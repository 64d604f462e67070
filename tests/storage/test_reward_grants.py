"""Reward grants on a real server and a real cluster: each tier once, however the race goes."""

from __future__ import annotations

import concurrent.futures

import pytest

from shortener.clicks.conversions import record_conversion
from shortener.rewards.review import list_rewards, set_reward_status

# Orders are reported by advocate alone here, with no clicks: fraud review would
# hold them (no_human_click), so that rule is off.
BY_ADVOCATE = {"no_human_click": False}
TIERS = [{"name": "Voucher", "conversions": 1}, {"name": "Gift", "conversions": 2},
         {"name": "Free year", "conversions": 5}]


@pytest.mark.cluster
def test_concurrent_conversions_grant_each_tier_once(redis, redis_server, make_campaign,
                                                     make_link, app_settings):
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS)
    for advocate in ("ann", "bob"):
        make_link(campaign, advocate=advocate)
    key = app_settings.secrets["click_id_key"].encode()

    def report(number: int) -> None:
        client = redis_server.client()
        record_conversion(client, click_id_key=key, order_id=f"o-{number}",
                          campaign_id=campaign.id, advocate="ann" if number % 2 else "bob")

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        list(pool.map(report, range(30)))
    rewards, _ = list_rewards(redis, campaign_id=campaign.id)
    granted = sorted((reward.advocate, reward.conversions) for reward in rewards)
    assert granted == [("ann", 1), ("ann", 2), ("ann", 5), ("bob", 1), ("bob", 2), ("bob", 5)]


@pytest.mark.cluster
def test_two_reviewers_at_once_move_a_reward_once(redis, redis_server, make_campaign,
                                                  make_link, app_settings):
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS[:1])
    make_link(campaign, advocate="ann")
    record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                      order_id="o-1", campaign_id=campaign.id, advocate="ann")
    [reward], _ = list_rewards(redis)

    def approve(name: str) -> str:
        try:
            set_reward_status(redis_server.client(), reward.id, "approved", by=name)
        except Exception as exc:  # the loser's error is the point of the test
            return type(exc).__name__
        return "ok"

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(approve, [f"reviewer-{n}" for n in range(8)]))
    [approved], _ = list_rewards(redis)
    assert approved.status == "approved" and len(approved.history) == 1
    assert set(outcomes) <= {"ok", "Conflict"}
