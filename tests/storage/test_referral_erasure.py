"""Erasure reaches rewards and webhook events: no trace of the external id is left there."""

from __future__ import annotations

import pytest

from shortener import keys
from shortener.clicks.conversions import record_conversion
from shortener.links.advocates import erase_personal_data
from shortener.rewards.review import list_rewards, set_reward_status
from shortener.webhooks import store as webhooks_store
from shortener.webhooks.subscriptions import create_webhook, list_deliveries

OLD = "ann@mail.example"

# Orders are reported by advocate alone here, with no clicks: fraud review would
# hold them (no_human_click), so that rule is off.
BY_ADVOCATE = {"no_human_click": False}


def _values(redis, key):
    """Every member, field and value a key holds, whatever its type."""
    kind = redis.type(key)
    if kind == "string":
        return [redis.get(key)]
    if kind == "hash":
        return [item for pair in redis.hgetall(key).items() for item in pair]
    if kind == "list":
        return redis.lrange(key, 0, -1)
    if kind == "stream":
        return [value for _, fields in redis.xrange(key) for value in fields.values()]
    if kind == "zset":
        return redis.zrange(key, 0, -1)
    return list(redis.smembers(key)) if kind == "set" else []


@pytest.mark.cluster
def test_rewards_and_webhook_events_take_the_erased_id(redis, make_campaign, make_link,
                                                        app_settings):
    logged = create_webhook(redis, url="http://127.0.0.1:9/x", events=["link.created"],
                            allow_private=True)
    waiting = create_webhook(redis, url="http://127.0.0.1:9/y",
                             events=["advocate.created", "link.created", "reward.created",
                                     "conversion.created"], allow_private=True)
    campaign = make_campaign(fraud_rules=BY_ADVOCATE,
                             rewards=[{"name": "Voucher", "conversions": 1}])
    make_link(campaign, advocate=OLD)
    make_link(campaign, advocate="ann")  # a shorter id inside the old one stays as it is
    record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                      order_id="o-1", campaign_id=campaign.id, advocate=OLD)
    [reward] = [item for item in list_rewards(redis)[0] if item.advocate == OLD]
    set_reward_status(redis, reward.id, "approved", by="alice@shop.example")
    # One subscription's events end in its log (the receiver is unreachable, given up on).
    redis.set(keys.webhook_lease(logged.id), "me")
    head = webhooks_store.get_head(redis, logged.id)
    assert head is not None
    webhooks_store.record_attempt(redis, logged.id, "me", head[0].id, done=head[0])

    erased = erase_personal_data(redis, OLD)

    assert [item.reward for item in list_rewards(redis, advocate=erased.external_id)[0]] == \
        ["Voucher"]
    assert list_rewards(redis, advocate=OLD)[0] == []
    for key in redis.scan_iter():
        assert OLD not in key
        assert not [value for value in _values(redis, key) if OLD in str(value)], key
    bodies = [item.body for item in list_deliveries(redis, waiting.id)]
    assert any(erased.external_id in body for body in bodies)
    assert any('"ann"' in body for body in bodies)


@pytest.mark.cluster
def test_an_erased_advocate_still_reaches_the_next_tier_once(redis, make_campaign, make_link,
                                                             app_settings):
    key = app_settings.secrets["click_id_key"].encode()
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=[{"name": "A", "conversions": 1},
                                      {"name": "B", "conversions": 2}])
    make_link(campaign, advocate=OLD)
    record_conversion(redis, click_id_key=key, order_id="o-1", campaign_id=campaign.id,
                      advocate=OLD)
    erased = erase_personal_data(redis, OLD)
    for order in ("o-2", "o-3"):
        record_conversion(redis, click_id_key=key, order_id=order, campaign_id=campaign.id,
                          advocate=erased.external_id)
    assert sorted(item.reward for item in list_rewards(redis)[0]) == ["A", "B"]


def test_an_erasure_without_subscriptions_or_rewards_leaves_no_keys_of_theirs(redis,
                                                                              make_link):
    make_link(advocate=OLD)
    erase_personal_data(redis, OLD)
    assert [key for key in redis.scan_iter() if "{w:" in key or "{rewards}" in key] == []
