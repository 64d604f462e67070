"""The click CSV as the API and CLI write it, from a real stream (single server and
cluster): byte for byte what the csv module writes for the same events, whatever
their values, times and stored shapes, and a read stopped early leaves the
connection it held fit for the next command, and one that breaks mid-read
(Redis's idle timeout, a killed client) does not cut the export short."""

from __future__ import annotations

import time

import pytest
import redis as redis_py
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shortener import keys
from shortener.analytics import queries
from shortener.analytics.queries import CLICK_FIELDS, iter_click_entries
from shortener.api.clicks import csv_chunks, csv_entries
from shortener.db import connect

pytestmark = pytest.mark.cluster

CAMPAIGN = "7"
STREAM = keys.campaign_clicks(CAMPAIGN)

plain = st.sampled_from(["", "human", "whatsapp", "0.90", "mobile", "DE", "mail.example",
                         "cust-00042", "x7Kp2"])
hostile = st.one_of(
    st.text(alphabet=st.sampled_from(list(',"\r\n=+-@ \'a\t\x00é日')), max_size=6),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)
value = st.one_of(plain, plain, plain, hostile)
times = st.one_of(
    # As the click writer stores them, where the fast path reads them...
    st.floats(min_value=1e9, max_value=7.2e9).map(lambda ts: f"{ts:.3f}"),
    st.integers(min_value=1_000_000_000, max_value=7_999_999_999).map(lambda s: f"{s}.000"),
    # ... and as older writers or other hands may have.
    st.floats(min_value=0, max_value=7.2e9).map(lambda ts: f"{ts:.3f}"),
    st.floats(min_value=0, max_value=7.2e9).map(lambda ts: f"{ts:.7f}"),
    st.floats(min_value=0, max_value=7.2e9).map(repr),
    st.integers(min_value=0, max_value=7_200_000_000).map(lambda s: f"{s}.0"),
    st.integers(min_value=0, max_value=7_200_000_000).map(str),
    st.just(""),
)


@st.composite
def events(draw: st.DrawFn) -> dict[str, str]:
    event = {name: draw(value) for name in CLICK_FIELDS} | {"ts": draw(times)}
    shape = draw(st.sampled_from(["written", "written", "written", "older", "reordered",
                                  "newer"]))
    if shape == "older":  # a field or more missing
        dropped = draw(st.sets(st.sampled_from(CLICK_FIELDS[1:]), min_size=1))
        event = {name: text for name, text in event.items() if name not in dropped}
    elif shape == "reordered":
        event = dict(draw(st.permutations(list(event.items()))))
    elif shape == "newer":
        event |= {"extra": draw(value)}
    return event


def reference(stored: list[dict[str, str]]) -> bytes:
    """The csv module's CSV of the events, each put in CLICK_FIELDS order."""
    rows = [[event.get(name, "") for name in CLICK_FIELDS] for event in stored]
    return "".join(csv_chunks([rows])).encode()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(stored=st.lists(events(), max_size=14), chunk=st.integers(min_value=1, max_value=5))
def test_the_export_writes_what_the_csv_module_writes(redis, monkeypatch, stored, chunk):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", chunk)
    redis.delete(STREAM)
    for event in stored:
        redis.xadd(STREAM, event)
    assert b"".join(csv_entries(iter_click_entries(redis, CAMPAIGN))) == reference(stored)


def test_chunks_in_the_writers_shape_match_too(redis, monkeypatch):
    # Most chunks of a real stream take the joined path: many of them, and
    # the milliseconds where a float is least precise (the latest times).
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 200)
    stored = []
    for number in range(3000):
        seconds = [1_000_000_000, 1_764_633_599, 4_294_967_295, 7_999_999_999][number % 4]
        stored.append({name: f"{name}-{number % 7}" for name in CLICK_FIELDS}
                      | {"ts": f"{seconds + number // 4 * 3601}.{number % 1000:03d}",
                         "dark": "", "channel": "é日" if number % 5 else ""})
    for event in stored:
        redis.xadd(STREAM, event)
    assert b"".join(csv_entries(iter_click_entries(redis, CAMPAIGN))) == reference(stored)


def test_a_read_stopped_early_leaves_the_connection_usable(redis, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    for number in range(7):
        redis.xadd(STREAM, {"ts": f"{1_764_633_600 + number}.000", "code": f"c{number}"})
    entries = iter_click_entries(redis, CAMPAIGN)
    next(entries)  # the second chunk is asked for, its reply not read
    entries.close()
    # A key on the same server (same hash tag), through the same connections.
    beside = keys.campaign_clicks_rewrite(CAMPAIGN)
    redis.set(beside, "fresh")
    assert redis.get(beside) == "fresh"
    assert sum(len(chunk) for chunk in iter_click_entries(redis, CAMPAIGN)) == 7


def test_events_are_told_apart_even_when_their_names_run_on_in_order(redis, monkeypatch):
    # One event lacks the last field and the next starts with it (and repeats
    # it, as XADD allows): the chunk's names read as two written events.
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    written = {name: f"{name}-1" for name in CLICK_FIELDS} | {"ts": "1764633600.250"}
    shorter = [item for name, text in written.items() if name != "network"
               for item in (name, text)]
    longer = ["network", "first", *[item for pair in written.items() for item in pair]]
    for fields in (shorter, longer):
        redis.execute_command("XADD", STREAM, "*", *fields)
    as_read = [dict(zip(fields[0::2], fields[1::2], strict=True))
               for fields in (shorter, longer)]
    assert b"".join(csv_entries(iter_click_entries(redis, CAMPAIGN))) == reference(as_read)


@pytest.mark.cluster_only  # a single server moves no slot
def test_a_moved_slot_is_read_through_the_cluster_client(redis, monkeypatch):
    assert isinstance(redis, redis_py.RedisCluster)
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    stored = [{name: f"{name}-{number}" for name in CLICK_FIELDS}
              | {"ts": f"{1_764_633_600 + number}.500"} for number in range(5)]
    for event in stored:
        redis.xadd(STREAM, event)
    # The read starts where the slot is not (as after a resharding): Redis answers MOVED.
    owner = redis.get_node_from_key(STREAM)
    elsewhere = next(node for node in redis.get_primaries() if node.name != owner.name)
    monkeypatch.setattr(queries, "server_of",
                        lambda client, key: client.get_redis_connection(elsewhere))
    assert b"".join(csv_entries(iter_click_entries(redis, CAMPAIGN))) == reference(stored)


def _stored(redis, count):
    stored = [{name: f"{name}-{number}" for name in CLICK_FIELDS}
              | {"ts": f"{1_764_633_600 + number}.500"} for number in range(count)]
    for event in stored:
        redis.xadd(STREAM, event)
    return stored


def _nodes(redis):
    """The Redis servers behind the client: itself, or each master of the cluster."""
    if isinstance(redis, redis_py.RedisCluster):
        return [redis.get_redis_connection(node) for node in redis.get_primaries()]
    return [redis]


def test_an_export_outlives_redis_closing_its_idle_connection(redis, settings, monkeypatch):
    # A slow download leaves the export's connection idle past Redis's `timeout`:
    # the rest is read afresh, nothing repeated or left out.
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    stored = _stored(redis, 7)
    client = connect(settings)
    for node in _nodes(redis):
        node.config_set("timeout", 1)
    try:
        chunks = []
        for chunk in iter_click_entries(client, CAMPAIGN):
            chunks.append(chunk)
            time.sleep(2.2)
    finally:
        for node in _nodes(redis):
            node.config_set("timeout", 0)
    assert b"".join(csv_entries(iter(chunks))) == reference(stored)


def test_an_export_outlives_its_connection_being_killed(redis, settings, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)
    stored = _stored(redis, 9)
    client = connect(settings)
    entries = iter_click_entries(client, CAMPAIGN)
    chunks = [next(entries)]
    killed = 0
    for node in _nodes(redis):
        for connected in node.client_list():
            if connected.get("cmd", "").startswith("xrange"):
                node.client_kill_filter(_id=connected["id"])
                killed += 1
    assert killed == 1
    chunks += list(entries)
    assert b"".join(csv_entries(iter(chunks))) == reference(stored)
