"""Keys that one script touches together share a slot: a webhook's queue, a reward grant."""

from __future__ import annotations

from redis.crc import key_slot

from shortener import keys


def test_the_keys_of_one_webhook_share_a_slot():
    group = [keys.webhook_queue, keys.webhook_head, keys.webhook_log, keys.webhook_lease,
             keys.webhook_batches, keys.webhook_queue_rewrite]
    assert len({key_slot(function("wh_1").encode()) for function in group}) == 1


def test_the_keys_of_a_reward_grant_share_a_slot():
    found = {key_slot(key.encode()) for key in (
        keys.reward_claims(), keys.reward_records(), keys.reward_index(),
        keys.reward_campaign_index("7"))}
    assert len(found) == 1
