"""The click writer on a real Redis: idempotent batches, crash replay, retention."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from shortener import keys, scripts
from shortener.analytics.queries import get_link_stats
from shortener.clicks.batching import Batch, ClickWriter, apply_batch
from shortener.clicks.recording import plan_records, throttled_record

pytestmark = pytest.mark.cluster


def human(code: str, campaign_id: str, *, ts: float | None = None) -> dict:
    event = {"ts": f"{ts or time.time():.3f}", "click_id": f"{code}.x", "code": code,
             "campaign": campaign_id, "advocate": "alice", "kind": "human",
             "channel": "whatsapp", "dark": "1", "signal": "channel_tag", "confidence": "0.90",
             "device": "desktop", "os": "other", "browser": "other", "referrer_host": ""}
    return {"k": "click", "e": event, "v": "visitor-1"}


def plan(batch: Batch, records: list[dict]) -> list[tuple[int, str]]:
    return plan_records(batch, records, stream_maxlen=1000, preview_window_seconds=600,
                        retention_days=90)


def test_a_batch_applied_twice_counts_once(redis, make_link):
    link = make_link()
    batch = Batch("test:0", 1)
    plan(batch, [human(link.code, link.campaign_id) for _ in range(3)])
    apply_batch(redis, batch)
    apply_batch(redis, batch)
    stats = get_link_stats(redis, link.code)
    assert stats.clicks == 3
    assert stats.by_channel == {"whatsapp": 3}
    assert redis.xlen(keys.campaign_clicks(link.campaign_id)) == 3


def test_clicks_spooled_by_a_process_that_died_are_written_by_the_next(redis, settings,
                                                                       make_link):
    link = make_link()
    spool = settings.data_dir / "spool"
    # A process spools three clicks and dies before its flusher runs.
    script = f"""
import os
from pathlib import Path
from shortener.clicks.batching import ClickWriter
from tests.storage.test_click_writer import human, plan
writer = ClickWriter(None, spool_root=Path({str(spool)!r}), flush_seconds=3600, plan=plan)
for _ in range(3):
    writer.add(human({link.code!r}, {link.campaign_id!r}))
os._exit(0)
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=str(_root()))
    assert get_link_stats(redis, link.code).clicks == 0
    writer = ClickWriter(redis, spool_root=spool, flush_seconds=0, plan=plan)
    writer.start()
    assert writer.flush()
    writer.close()
    assert get_link_stats(redis, link.code).clicks == 3
    assert not list(spool.glob("slot-*/*.jsonl"))


def test_throttled_clicks_are_counted_apart(redis, make_link):
    link = make_link()
    batch = Batch("test:0", 1)
    plan(batch, [throttled_record(code=link.code, campaign_id=link.campaign_id,
                                  advocate="alice", ts=time.time())])
    apply_batch(redis, batch)
    assert redis.hget(keys.link_totals(link.code), "throttled") == "1"
    assert get_link_stats(redis, link.code).clicks == 0


def test_raw_events_older_than_the_retention_window_are_dropped(redis, make_link):
    link = make_link()
    stream = keys.campaign_clicks(link.campaign_id)
    old = int((time.time() - 100 * 86400) * 1000)
    for offset in range(3):
        redis.xadd(stream, {"code": link.code}, id=f"{old + offset}-0")
    batch = Batch("test:0", 1)
    plan(batch, [human(link.code, link.campaign_id)])
    apply_batch(redis, batch)
    assert redis.xlen(stream) == 1
    assert get_link_stats(redis, link.code).clicks == 1


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent.parent


def test_a_batch_of_mixed_clicks_counts_each_scope_and_visitor(redis, make_campaign, make_link):
    campaign = make_campaign()
    alice, bob = make_link(campaign, advocate="alice"), make_link(campaign, advocate="bob")
    records = [human(alice.code, campaign.id) for _ in range(4)]
    records += [{**human(bob.code, campaign.id), "v": f"visitor-{n}"} for n in range(3)]
    for record in records[-3:]:
        record["e"] = {**record["e"], "advocate": "bob", "channel": "email"}
    batch = Batch("test:0", 1)
    plan(batch, records)
    apply_batch(redis, batch)
    assert get_link_stats(redis, alice.code).by_channel == {"whatsapp": 4}
    assert get_link_stats(redis, alice.code).unique_visitors == 1
    assert get_link_stats(redis, bob.code).by_channel == {"email": 3}
    assert get_link_stats(redis, bob.code).unique_visitors == 3
    assert redis.zrevrange(keys.campaign_leaderboard(campaign.id), 0, -1, withscores=True) == \
        [("alice", 4.0), ("bob", 3.0)]
    assert redis.xlen(keys.campaign_clicks(campaign.id)) == 7


def test_a_batch_whose_first_call_was_applied_counts_each_link_once(redis, make_campaign,
                                                                    make_link):
    campaign = make_campaign()
    alice, bob = make_link(campaign, advocate="alice"), make_link(campaign, advocate="bob")
    batch = Batch("test:0", 1)
    plan(batch, [human(alice.code, campaign.id),
                 {**human(bob.code, campaign.id), "e": {**human(bob.code, campaign.id)["e"],
                                                        "advocate": "bob"}}])
    # A writer that died after its first script call (one hash tag: alice's link)...
    key_list, args = next(batch.calls(tags_per_call=1))
    assert key_list[0] == keys.link_batches(alice.code)
    assert redis.eval(scripts.APPLY_BATCH, len(key_list), *key_list, *args) == 1
    # ...has its batch replayed whole: every tag counts it once.
    apply_batch(redis, batch)
    assert get_link_stats(redis, alice.code).clicks == 1
    assert get_link_stats(redis, alice.code).unique_visitors == 1
    assert get_link_stats(redis, bob.code).clicks == 1
    assert dict(redis.zrange(keys.campaign_leaderboard(campaign.id), 0, -1, withscores=True)) \
        == {"alice": 1.0, "bob": 1.0}
