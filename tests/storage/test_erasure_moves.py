"""The moves erasure is made of, on one server and across a cluster's slots."""

from __future__ import annotations

import pytest

from shortener import keys, scripts
from shortener.links.store import move_key

pytestmark = pytest.mark.cluster


def test_a_key_moves_to_another_slot_with_its_value_and_ttl(redis):
    source, target = keys.advocate_day("ana", "20260101"), keys.advocate_day("erased-1", "20260101")
    redis.hset(source, mapping={"human": 3, "channel:whatsapp": 2})
    redis.expire(source, 1000)
    move_key(redis, source, target, scratch=keys.advocate_scratch("erased-1"))
    assert not redis.exists(source)
    assert redis.hgetall(target) == {"human": "3", "channel:whatsapp": "2"}
    assert 0 < redis.ttl(target) <= 1000


def test_a_late_key_adds_its_counts_to_the_moved_one(redis):
    """Clicks in flight while an erasure runs may write under the old id once more."""
    old, new = "ana", "erased-1"
    redis.hset(keys.advocate_totals(new), mapping={"human": 3, "conversion_value": "2.5"})
    redis.hset(keys.advocate_totals(old), mapping={"human": 2, "conversion_value": "1.25"})
    redis.pfadd(keys.advocate_visitors(new, "20260101"), "v1", "v2")
    redis.pfadd(keys.advocate_visitors(old, "20260101"), "v2", "v3")
    redis.hset(keys.advocate_batches(new), "writer", 10)
    redis.hset(keys.advocate_batches(old), "writer", 7)
    for name in (keys.advocate_totals, keys.advocate_batches):
        move_key(redis, name(old), name(new), scratch=keys.advocate_scratch(new),
                 discard=name is keys.advocate_batches)
    move_key(redis, keys.advocate_visitors(old, "20260101"),
             keys.advocate_visitors(new, "20260101"), scratch=keys.advocate_scratch(new))
    assert redis.hgetall(keys.advocate_totals(new)) == {"human": "5",
                                                        "conversion_value": "3.75"}
    assert redis.pfcount(keys.advocate_visitors(new, "20260101")) == 3
    assert redis.hgetall(keys.advocate_batches(new)) == {"writer": "10"}
    assert not redis.exists(keys.advocate_scratch(new))
    assert [key for key in redis.scan_iter() if "{a:ana}" in key] == []


def test_a_stream_rewrite_keeps_ids_and_entries_added_between_chunks(redis):
    stream, copy = keys.campaign_clicks("7"), keys.campaign_clicks_rewrite("7")
    ids = [redis.xadd(stream, {"advocate": who, "kind": "human"})
           for who in ("ana", "ben", "ana", "ana", "ben")]
    rewrite = redis.register_script(scripts.REWRITE_STREAM)
    after = rewrite(keys=[stream, copy], args=["0-0", 2, "advocate", "ana", "erased-1"])
    assert after == ids[1]
    late = redis.xadd(stream, {"advocate": "ana", "kind": "human"})
    while after != "done":
        after = rewrite(keys=[stream, copy], args=[after, 2, "advocate", "ana", "erased-1"])
    entries = redis.xrange(stream)
    assert [entry_id for entry_id, _ in entries] == [*ids, late]
    assert [fields["advocate"] for _, fields in entries] == \
        ["erased-1", "ben", "erased-1", "erased-1", "ben", "erased-1"]
    assert not redis.exists(copy)
    assert redis.xadd(stream, {"advocate": "ben"}) > late


def test_an_erasure_that_stopped_half_way_is_finished_by_the_next(redis, make_link):
    """The opaque id is noted before any move, so a second run ends what the first began."""
    from shortener.links import store
    from shortener.links.advocates import erase_personal_data

    link = make_link(advocate="ana@mail.example")
    assert store.begin_erasure(redis, "ana@mail.example", "erased-first") == "erased-first"
    store.rename_links(redis, "ana@mail.example", "erased-first")

    erased = erase_personal_data(redis, "ana@mail.example")

    assert erased.external_id == "erased-first"
    assert store.get_link(redis, link.code).advocate == "erased-first"
    assert store.list_link_codes(redis, advocate="erased-first") == [link.code]
    assert [key for key in redis.scan_iter() if "ana@mail.example" in key] == []
