"""The bulk paths against a real Redis (single server and cluster): the click
export's unparsed stream read, and bulk minting and import written with
one command per key per chunk, not per row and step."""

from __future__ import annotations

import csv
import gc
import threading

import pytest

from shortener import keys
from shortener.analytics import queries
from shortener.analytics.queries import (
    CLICK_FIELDS,
    entry_rows,
    iter_click_entries,
    iter_click_rows,
)
from shortener.errors import CampaignNotFound
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from shortener.links.importing import import_advocates
from shortener.links.minting import MintRequest, mint_link, mint_links

pytestmark = pytest.mark.cluster


def event(number: int) -> dict[str, str]:
    fields = {name: f"{name}-{number}" for name in CLICK_FIELDS}
    return fields | {"ts": f"{1764633600 + number}.250"}


def test_export_rows_keep_the_field_order_whatever_the_stored_shape(redis, make_campaign,
                                                                    monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    campaign = make_campaign()
    stream = keys.campaign_clicks(campaign.id)
    shapes = [
        event(0),
        dict(reversed(event(1).items())),  # another order
        {name: value for name, value in event(2).items() if name != "country"},  # older
        event(3) | {"extra": "ignored"},  # newer
        event(4),
    ]
    for fields in shapes:
        redis.xadd(stream, fields)
    rows = [row for chunk in iter_click_rows(redis, campaign.id) for row in chunk]
    expected = [[fields.get(name, "") for name in CLICK_FIELDS] for fields in shapes]
    assert rows == expected
    assert [row for chunk in iter_click_entries(redis, campaign.id)
            for row in entry_rows(chunk)] == [
        [value.encode() for value in row] for row in expected]


def test_export_reads_every_event_across_chunks(redis, make_campaign, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 3)
    campaign = make_campaign()
    for number in range(10):
        redis.xadd(keys.campaign_clicks(campaign.id), event(number))
    chunks = list(iter_click_rows(redis, campaign.id))
    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 1]
    assert [row[CLICK_FIELDS.index("code")] for chunk in chunks for row in chunk] == [
        f"code-{number}" for number in range(10)]


def test_bulk_minting_marks_an_advocate_new_to_the_campaign_once(redis, app_settings,
                                                                 make_campaign):
    campaign = make_campaign()
    upsert_advocate(redis, "alice")
    upsert_advocate(redis, "bob", referred_by="alice")
    mint_link(redis, app_settings, campaign_id=campaign.id, advocate="alice")
    results = mint_links(redis, app_settings, campaign_id=campaign.id, items=[
        MintRequest("bob"), MintRequest("bob", channel="whatsapp"),
        MintRequest("alice", channel="email")])
    assert all(result.created for result in results)
    assert redis.smembers(keys.campaign_recruited(campaign.id)) == {"bob"}
    assert set(store.list_campaign_advocates(redis, campaign.id)) == {"alice", "bob"}
    assert len(store.list_link_codes(redis, campaign_id=campaign.id)) == 4
    assert len(store.list_link_codes(redis, advocate="bob")) == 2


def test_import_of_advocates_new_and_known_keeps_every_record(redis, app_settings,
                                                              make_campaign, tmp_path):
    campaign = make_campaign()
    upsert_advocate(redis, "known", name="Before")
    rows = [{"external_id": "known", "name": "After", "referred_by": ""},
            {"external_id": "fresh-1", "name": "One", "referred_by": "known"},
            {"external_id": "fresh-2", "name": "Two", "referred_by": "fresh-1"}]
    summary = import_advocates(redis, app_settings, campaign.id, rows,
                               failed_path=tmp_path / "failed.csv")
    assert summary["imported"] == 3 and summary["links_created"] == 3
    assert store.get_advocate(redis, "known").name == "After"
    fresh = store.get_advocate(redis, "fresh-2")
    assert fresh.name == "Two" and fresh.referred_by == "fresh-1"
    assert store.get_advocate_by_share_token(redis, fresh.share_token) == fresh
    assert set(redis.zrange(keys.advocates(), 0, -1)) == {"known", "fresh-1", "fresh-2"}
    assert redis.smembers(keys.campaign_recruited(campaign.id)) == {"fresh-1", "fresh-2"}


def test_concurrent_bulk_minting_of_the_same_items_yields_one_link_each(redis, app_settings,
                                                                       make_campaign):
    campaign = make_campaign()
    items = [MintRequest(f"adv-{number}") for number in range(50)]
    barrier = threading.Barrier(6)
    answers: list[list] = []

    def mint_all() -> None:
        barrier.wait()
        answers.append(mint_links(redis, app_settings, campaign_id=campaign.id, items=items))

    threads = [threading.Thread(target=mint_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    codes = {tuple(result.link.code for result in answer) for answer in answers}
    assert len(codes) == 1
    assert sum(result.created for answer in answers for result in answer) == 50
    assert len(store.list_link_codes(redis, campaign_id=campaign.id)) == 50
    assert len(store.list_campaign_advocates(redis, campaign.id)) == 50
    assert redis.zcard(keys.advocates()) == 50


def test_per_key_steps_give_each_key_its_own_reply_in_order(redis, monkeypatch):
    # Keys of one slot ({x}), keys alone in theirs, and one key for every call:
    # on a cluster these travel as one script call per slot, a lone key as the
    # plain command; the replies must still line up with the calls.
    monkeypatch.setattr(store, "EACH_KEYS", 3)  # a slot's keys over several calls too
    shared = [f"t:{{x}}:{number}" for number in range(5)]
    alone = [f"t:{{y{number}}}" for number in range(4)]
    mixed = [key for pair in zip(shared, alone, strict=False) for key in pair] + shared[4:]
    redis.set(mixed[2], "taken")
    claimed = store._each(redis, "SET", [(key, (f"v-{key}",)) for key in mixed], after=("NX",))
    assert [bool(done) for done in claimed] == [key != mixed[2] for key in mixed]
    assert store._each(redis, "GET", [(key, ()) for key in mixed]) == [
        "taken" if key == mixed[2] else f"v-{key}" for key in mixed]

    store._each(redis, "SET", [(key, (f"w-{key}",)) for key in mixed])  # MSET per slot
    assert redis.get(mixed[2]) == f"w-{mixed[2]}"

    sets = [f"t:{{x}}:set{number}" for number in range(3)] + [f"t:{{z{number}}}" for number in
                                                                range(2)]
    assert store._each(redis, "SADD", [(key, ("a",)) for key in sets]) == [1] * 5
    assert [sorted(found) for found in store._each(redis, "SMEMBERS",
                                                   [(key, ()) for key in sets])] == [["a"]] * 5

    hash_key = "t:{x}:hash"
    redis.hset(hash_key, "f2", "old")
    given = store._each(redis, "HSETNX", [(hash_key, (f"f{number}", "new"))
                                          for number in range(5)])
    assert [bool(done) for done in given] == [True, True, False, True, True]
    assert redis.hget(hash_key, "f2") == "old"

    scored = store._each(redis, "ZADD", [(f"t:{{x}}:z{number % 2}", (number, "m"))
                                         for number in range(4)], before=("NX",))
    assert scored == [1, 1, 0, 0]
    assert redis.zscore("t:{x}:z0", "m") == 0

    store._each(redis, "DEL", [(key, ()) for key in mixed])
    assert not any(redis.exists(key) for key in mixed)


def test_bulk_minting_leaves_the_cycle_collector_as_it_found_it(redis, app_settings,
                                                               make_campaign):
    campaign = make_campaign()
    assert gc.isenabled()
    mint_links(redis, app_settings, campaign_id=campaign.id, items=[MintRequest("ann")])
    assert gc.isenabled()
    with pytest.raises(CampaignNotFound):
        mint_links(redis, app_settings, campaign_id="missing", items=[MintRequest("bob")])
    assert gc.isenabled()
    gc.disable()
    try:
        mint_links(redis, app_settings, campaign_id=campaign.id, items=[MintRequest("cy")])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_failed_rows_keep_columns_named_like_the_files_own(redis, app_settings,
                                                            make_campaign, tmp_path):
    campaign = make_campaign()
    rows = [{"external_id": "ok", "line": "L1", "reason": "friend of a friend"},
            {"external_id": "", "line": "L2", "reason": "met at the fair"}]
    failed = tmp_path / "failed.csv"
    summary = import_advocates(redis, app_settings, campaign.id, rows, failed_path=failed)
    assert summary["imported"] == 1
    with failed.open(newline="", encoding="utf-8") as source:
        written = list(csv.DictReader(source))
    assert len(written) == 1
    row = written[0]
    assert (row["line"], row["reason"]) == ("L2", "met at the fair")
    assert row["import_line"] == "3" and "external_id" in row["import_reason"]
