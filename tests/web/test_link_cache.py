"""The redirect's link cache: kept until a change is noted, changes seen within
LINK_CACHE_SECONDS, on a single server and on the cluster."""

from __future__ import annotations

import dataclasses
import re
import socket
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from redis import Redis
from redis.exceptions import RedisError

from shortener import create_app, keys
from shortener.analytics.queries import get_link_stats
from shortener.errors import LinkGone
from shortener.links import store
from shortener.links.campaigns import update_campaign
from shortener.links.minting import update_link
from shortener.links.resolving import LinkCache
from tests.conftest import BROWSER_UA
from tests.serving import get, gunicorn, metric, settle

pytestmark = pytest.mark.cluster

BOUND = 5
WHATSAPP_PREVIEW_UA = "WhatsApp/2.23.20.0 A"


class Clock:
    """The cache's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def processes(settings, clock) -> Iterator[list]:
    """Two apps on one Redis, as two worker processes are, each with its own cache."""
    apps = []
    for _ in range(2):
        app = create_app(dataclasses.replace(settings, link_cache_seconds=BOUND))
        app.extensions["link_cache"] = LinkCache(fresh_seconds=BOUND, clock=clock)
        apps.append(app)
    yield apps
    for app in apps:
        app.extensions["click_writer"].close()


def click(app, code, *, ua=BROWSER_UA, ip="203.0.113.77"):
    return app.test_client().get(f"/{code}", headers={"User-Agent": ua},
                                 environ_base={"REMOTE_ADDR": ip})


def test_a_link_nothing_changed_is_not_read_again(processes, clock, redis, make_link):
    app = processes[0]
    link = make_link()
    assert click(app, link.code).status_code == 302
    # Written behind the store's back, so no change is noted: the cached copy stands.
    redis.set(keys.link(link.code), dataclasses.replace(
        link, destination="https://shop.example/elsewhere").to_json())
    clock.now += 3600
    location = click(app, link.code).headers["Location"]
    assert location.startswith("https://shop.example/spring?")
    assert link.code in app.extensions["link_cache"].cached_codes()


def test_disabling_a_link_takes_effect_within_the_bound(processes, clock, redis, make_link):
    link = make_link()
    for app in processes:
        assert click(app, link.code).status_code == 302
    update_link(redis, link.code, {"enabled": False})
    clock.now += BOUND
    for app in processes:
        assert click(app, link.code).status_code == 410


def test_archiving_a_campaign_takes_effect_within_the_bound(processes, clock, redis,
                                                             make_link):
    link = make_link()
    assert click(processes[0], link.code).status_code == 302
    update_campaign(redis, link.campaign_id, {"status": "archived"})
    clock.now += BOUND
    assert click(processes[0], link.code).status_code == 410


def test_a_new_destination_is_followed_within_the_bound(processes, clock, redis, make_link):
    link = make_link()
    assert click(processes[1], link.code).status_code == 302
    update_link(redis, link.code, {"destination": "https://shop.example/autumn"})
    clock.now += BOUND
    assert click(processes[1], link.code).headers["Location"].startswith(
        "https://shop.example/autumn?")


def test_a_deleted_change_log_empties_the_cache(processes, clock, redis, make_link):
    link = make_link()
    assert click(processes[0], link.code).status_code == 302
    update_link(redis, link.code, {"enabled": False})
    # Lost before this process read it (evicted, flushed): the cache cannot know
    # what changed, so it keeps nothing.
    redis.delete(keys.catalogue_changes())
    clock.now += BOUND
    assert click(processes[0], link.code).status_code == 410


def test_a_trimmed_change_log_empties_the_cache(processes, clock, redis, make_link,
                                                monkeypatch):
    monkeypatch.setattr(store, "CATALOGUE_CHANGES_KEPT", 1)
    first, second = make_link(), make_link(advocate="bob")
    assert click(processes[0], first.code).status_code == 302
    update_link(redis, first.code, {"enabled": False})
    for number in range(300):  # enough for an approximate MAXLEN to trim
        store.note_changes(redis, codes=[f"other{number}"])
    clock.now += BOUND
    assert click(processes[0], second.code).status_code == 302
    assert click(processes[0], first.code).status_code == 410


def test_a_preview_seen_by_another_process_counts_within_the_bound(processes, clock, redis,
                                                                  make_link):
    link = make_link()
    seer, other = processes
    assert click(other, link.code).status_code == 302
    click(seer, link.code, ua=WHATSAPP_PREVIEW_UA)
    clock.now += BOUND
    click(other, link.code)
    assert get_link_stats(redis, link.code).by_channel.get("whatsapp") == 1


def unreachable_redis() -> Redis:
    """A client of a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    return Redis(host="127.0.0.1", port=closed_port, socket_connect_timeout=1)


def test_a_link_not_cached_is_read_as_soon_as_redis_answers_again(redis, clock, make_link):
    """Within the back-off after a failed lookup, only a cached copy may spare
    asking Redis; a link with none is read, not refused, once Redis is back."""
    code = make_link(advocate="alice").code
    cache = LinkCache(fresh_seconds=BOUND, clock=clock)
    unreachable = unreachable_redis()
    with pytest.raises(RedisError):
        cache.resolve(unreachable, code, now=time.time())
    clock.now += 0.1  # still within the back-off
    assert cache.resolve(redis, code, now=time.time()).link.code == code


def test_the_cache_holds_at_most_its_bound(settings, clock, make_link):
    app = create_app(dataclasses.replace(settings, link_cache_seconds=BOUND))
    app.extensions["link_cache"] = LinkCache(fresh_seconds=BOUND, max_entries=3, clock=clock,
                                             warm_up=False)
    try:
        codes = [make_link(advocate=f"advocate-{number}").code for number in range(5)]
        for code in codes:
            assert click(app, code).status_code == 302
        assert app.extensions["link_cache"].cached_codes() == codes[2:]
    finally:
        app.extensions["click_writer"].close()


def test_a_full_cache_reads_out_its_oldest_tenth(settings, clock, make_link):
    app = create_app(dataclasses.replace(settings, link_cache_seconds=BOUND))
    app.extensions["link_cache"] = LinkCache(fresh_seconds=BOUND, max_entries=20, clock=clock,
                                             warm_up=False)
    try:
        codes = [make_link(advocate=f"advocate-{number}").code for number in range(23)]
        for code in codes:
            assert click(app, code).status_code == 302
        # Full at the 21st and the 23rd: each time the two oldest go.
        assert app.extensions["link_cache"].cached_codes() == codes[4:]
    finally:
        app.extensions["click_writer"].close()


def test_the_network_cache_is_keyed_by_address_hashes_only(client, app, make_link):
    link = make_link()
    addresses = ["203.0.113.77", "2001:db8::1", "198.51.100.23", "52.95.110.1"]
    for address in addresses * 2:
        assert click(app, link.code, ip=address).status_code == 302
    cached = app.extensions["network_cache"].keys()
    assert len(cached) == len(addresses)
    for key in cached:
        assert re.fullmatch(r"[0-9a-f]{24}", key)
        assert not any(address in key for address in addresses)


def test_a_cached_network_gives_the_same_classification(client, app, redis, make_link):
    link = make_link()
    for _ in range(3):  # a cloud address: the first lookup and the cached ones agree
        location = click(app, link.code, ip="52.95.110.1").headers["Location"]
        assert "utm_content" in dict(parse_qsl(urlsplit(location).query))
    assert get_link_stats(redis, link.code).by_kind["human"] == 0


# Warming up ------------------------------------------------------------------


def test_a_warmed_up_cache_answers_a_first_click_from_memory(redis, clock, make_campaign,
                                                             make_link):
    campaign = make_campaign()
    codes = [make_link(campaign, advocate=f"advocate-{number}").code for number in range(3)]
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    assert cache.warm(redis) == 3
    for code in codes:  # gone behind the store's back: only a copy in memory answers
        redis.delete(keys.link(code))
        assert cache.resolve(redis, code, now=time.time()).link.code == code


def test_warming_up_keeps_the_newest_links_of_active_campaigns(redis, clock, make_campaign,
                                                                make_link):
    active, archived = make_campaign(), make_campaign(name="Old")
    older = [make_link(active, advocate=f"advocate-{number}").code for number in range(4)]
    make_link(archived, advocate="carol")
    update_campaign(redis, archived.id, {"status": "archived"})
    newest = [make_link(active, advocate=f"late-{number}").code for number in range(2)]
    cache = LinkCache(fresh_seconds=BOUND, max_entries=3, clock=clock, warm_up=False)
    assert cache.warm(redis) == 3
    assert set(cache.cached_codes()) == {*newest, older[-1]}


def test_warming_up_reads_out_nothing_and_stops_at_the_bound(redis, clock, make_campaign,
                                                              make_link):
    campaign = make_campaign()
    codes = [make_link(campaign, advocate=f"advocate-{number}").code for number in range(5)]
    cache = LinkCache(fresh_seconds=BOUND, max_entries=4, clock=clock, warm_up=False)
    cache.resolve(redis, codes[0], now=time.time())
    assert cache.warm(redis, chunk=2) == 3
    assert len(cache.cached_codes()) == 4 and codes[0] in cache.cached_codes()


def test_a_warmed_up_link_keeps_its_preview_signal(redis, clock, make_link):
    code = make_link().code
    redis.set(keys.link_preview(code), "whatsapp", ex=600)
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    cache.warm(redis)
    assert cache.resolve(redis, code, now=time.time()).preview == "whatsapp"
    clock.now += 601
    redis.delete(keys.link(code))  # the copy answers; its signal has run out
    assert cache.resolve(redis, code, now=time.time()).preview is None


def test_a_change_after_warming_up_takes_effect_within_the_bound(redis, clock, make_link):
    link = make_link()
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    cache.warm(redis)
    update_link(redis, link.code, {"enabled": False})
    clock.now += BOUND
    with pytest.raises(LinkGone):
        cache.resolve(redis, link.code, now=time.time())


def test_links_read_while_the_log_dropped_entries_are_not_kept(redis, clock, make_campaign,
                                                               make_link, monkeypatch):
    """A chunk read while another thread applied changes may hold copies older than
    them: it is left out, and its links are read when clicked."""
    campaign = make_campaign()
    link, other = make_link(campaign), make_link(campaign, advocate="bob")
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    read = store.get_links_with_previews

    def read_then_change(r, codes):
        found = read(r, codes)
        update_link(redis, link.code, {"enabled": False})
        clock.now += BOUND  # a click in another thread reads the log, dropping the link
        cache.resolve(redis, other.code, now=time.time())
        return found

    monkeypatch.setattr(store, "get_links_with_previews", read_then_change)
    assert cache.warm(redis) == 0
    assert link.code not in cache.cached_codes()
    with pytest.raises(LinkGone):
        cache.resolve(redis, link.code, now=time.time())


def test_a_worker_warms_up_from_its_first_click(processes, make_campaign, make_link):
    campaign = make_campaign()
    codes = [make_link(campaign, advocate=f"advocate-{number}").code for number in range(5)]
    app = processes[0]
    assert click(app, codes[0]).status_code == 302
    cache = app.extensions["link_cache"]
    deadline = time.monotonic() + 10
    while set(cache.cached_codes()) != set(codes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(cache.cached_codes()) == set(codes)


def test_a_warm_up_redis_refused_is_tried_again_later(redis, clock, make_campaign,
                                                       make_link):
    campaign = make_campaign()
    clicked, other = make_link(campaign).code, make_link(campaign, advocate="bob").code
    cache = LinkCache(fresh_seconds=BOUND, clock=clock)
    unreachable = unreachable_redis()
    with pytest.raises(RedisError):
        cache.resolve(unreachable, clicked, now=time.time())
    deadline = time.monotonic() + 10
    while other not in cache.cached_codes() and time.monotonic() < deadline:
        clock.now += 10  # the next click past the retry starts another warm-up
        cache.resolve(redis, clicked, now=time.time())
        time.sleep(0.05)
    assert other in cache.cached_codes()


@pytest.mark.slow
def test_served_workers_warm_up_and_still_follow_changes(redis, redis_server, settings,
                                                         make_campaign, make_link):
    """Under gunicorn, two workers read every link as they start; a link disabled
    afterwards answers 410 within the bound, and every click is counted."""
    campaign = make_campaign()
    links = [make_link(campaign, advocate=f"advocate-{number}") for number in range(120)]
    with gunicorn(redis_url=redis_server.url, data_dir=settings.data_dir,
                  WEB_CONCURRENCY="2", LINK_CACHE_SECONDS="1") as port:
        assert settle(lambda: metric(port, "shortener_link_cache_warmed_links"),
                      2.0 * len(links)) == 2.0 * len(links)
        update_link(redis, links[0].code, {"enabled": False})
        time.sleep(1.5)
        assert {get(port, f"/{links[0].code}") for _ in range(20)} == {410}
        assert {get(port, f"/{link.code}") for link in links[1:]} == {302}
        for link in links[1:]:
            assert settle(lambda code=link.code: get_link_stats(redis, code).clicks, 1) == 1


def test_the_newest_links_are_read_a_page_at_a_time_across_campaigns(redis, make_campaign,
                                                                      make_link, monkeypatch):
    monkeypatch.setattr(store, "NEWEST_LINKS_PAGE", 2)
    campaigns = [make_campaign(), make_campaign(name="Autumn")]
    minted = [make_link(campaigns[number % 2], advocate=f"advocate-{number}").code
              for number in range(9)]
    assert store.newest_link_codes(redis, 7) == minted[::-1][:7]
    assert store.newest_link_codes(redis, 50) == minted[::-1]


def test_a_record_that_does_not_read_leaves_the_others_warmed_up(redis, clock, make_campaign,
                                                                 make_link):
    campaign = make_campaign()
    codes = [make_link(campaign, advocate=f"advocate-{number}").code for number in range(3)]
    redis.set(keys.link(codes[1]), "{not json")
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    assert cache.warm(redis) == 2
    assert set(cache.cached_codes()) == {codes[0], codes[2]}


def test_a_link_warmed_up_and_never_clicked_answers_while_redis_is_down(redis, clock,
                                                                        make_link):
    code = make_link().code
    cache = LinkCache(fresh_seconds=BOUND, clock=clock, warm_up=False)
    cache.warm(redis)
    clock.now += BOUND  # the log is due: Redis cannot be asked, the copies answer
    assert cache.resolve(unreachable_redis(), code, now=time.time()).link.code == code
