"""GET /<code> over HTTP (Flask's test client) against a real Redis."""

from __future__ import annotations

import ipaddress
import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from shortener import keys
from shortener.analytics.queries import get_campaign_stats, get_link_stats
from tests.conftest import BROWSER_UA

pytestmark = pytest.mark.cluster

VISITOR_IP = "203.0.113.77"


def click(client, code, *, ua=BROWSER_UA, referrer=None, ip=VISITOR_IP, method="get",
          query=""):
    headers = {"User-Agent": ua}
    if referrer:
        headers["Referer"] = referrer
    return getattr(client, method)(f"/{code}{query}", headers=headers,
                                   environ_base={"REMOTE_ADDR": ip})


def test_it_redirects_with_302_and_no_store(client, make_link):
    link = make_link()
    response = click(client, link.code)
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    location = response.headers["Location"]
    assert location.startswith("https://shop.example/spring?")
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["utm_content"] == "alice"
    assert query["sclid"].startswith(link.code + ".")


def test_every_click_gets_its_own_click_id(client, make_link):
    link = make_link()
    ids = {dict(parse_qsl(urlsplit(click(client, link.code).headers["Location"]).query))["sclid"]
           for _ in range(5)}
    assert len(ids) == 5


def test_clicks_are_counted_for_link_campaign_and_advocate(client, redis, make_link):
    link = make_link()
    for _ in range(3):
        click(client, link.code, referrer="https://www.example.org/post")
    click(client, link.code)
    stats = get_link_stats(redis, link.code)
    assert stats.clicks == 4
    assert stats.by_channel == {"referral": 3, "direct": 1}
    assert stats.by_kind["human"] == 4
    assert stats.unique_visitors == 1
    assert get_campaign_stats(redis, link.campaign_id).clicks == 4
    campaign_day = get_campaign_stats(redis, link.campaign_id, start=None,
                                      end=None).by_channel
    assert campaign_day == {"referral": 3, "direct": 1}
    assert redis.xlen(keys.campaign_clicks(link.campaign_id)) == 4


def test_unique_visitors_count_distinct_visitors(client, redis, make_link):
    link = make_link()
    for number in range(10):
        click(client, link.code, ip=f"198.51.100.{number}")
        click(client, link.code, ip=f"198.51.100.{number}")
    assert get_link_stats(redis, link.code).unique_visitors == 10


def test_head_is_answered_but_not_counted(client, redis, make_link):
    link = make_link()
    response = click(client, link.code, method="head")
    assert response.status_code == 302
    assert get_link_stats(redis, link.code).by_kind == {
        "human": 0, "preview_bot": 0, "scanner": 0, "crawler": 0}


def test_an_unknown_code_gets_a_404_page(client):
    response = click(client, "nosuchcode")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"does not exist" in response.data


@pytest.mark.parametrize("path", ["/%00", "/a%0d%0ab", "/" + "x" * 300, "/..%2f..", "/%ff%fe",
                                  "/ünï", "/a.b"])
def test_malformed_codes_never_give_a_500(client, path):
    assert client.get(path).status_code == 404


def test_a_disabled_link_gets_a_410_page(client, redis, make_link):
    from shortener.links.minting import update_link

    link = make_link()
    update_link(redis, link.code, {"enabled": False})
    response = click(client, link.code)
    assert response.status_code == 410
    assert b"no longer active" in response.data


def test_an_expired_link_gets_a_410_page(client, redis, make_link):
    from shortener.links import store

    link = make_link(expires_at=time.time() + 60)
    raw = store.get_link(redis, link.code)
    redis.set(keys.link(link.code), raw.to_json().replace(str(raw.expires_at),
                                                          str(time.time() - 1)))
    assert click(client, link.code).status_code == 410


def test_max_clicks_counts_human_clicks_only(client, redis, make_link):
    link = make_link(max_clicks=2)
    click(client, link.code, ua="WhatsApp/2.23.20.0 A")
    assert click(client, link.code).status_code == 302
    assert click(client, link.code).status_code == 302
    assert click(client, link.code).status_code == 410
    assert get_link_stats(redis, link.code).clicks == 2


def test_the_json_error_for_api_clients(client):
    response = client.get("/nosuchcode", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "link-not-found"


def test_no_ip_address_is_stored_anywhere(client, redis_server, make_link):
    link = make_link()
    ips = ["203.0.113.77", "2001:db8::1", "198.51.100.23"]
    for ip in ips:
        click(client, link.code, ip=ip, referrer="https://news.example/article?id=9")
    # Bytes, not text: HyperLogLogs are binary strings.
    redis = redis_server.client(decode_responses=False)
    dump: list[bytes] = []
    for key in redis.scan_iter():
        dump.append(key)
        kind = redis.type(key)
        if kind == b"string":
            dump.append(redis.get(key) or b"")
        elif kind == b"hash":
            dump.extend(k + b"=" + v for k, v in redis.hgetall(key).items())
        elif kind == b"zset":
            dump.extend(redis.zrange(key, 0, -1))
        elif kind == b"stream":
            for _, fields in redis.xrange(key):
                dump.extend(k + b"=" + v for k, v in fields.items())
        else:
            raise AssertionError(f"unexpected key type {kind!r}")
    text = b"\n".join(dump).decode("latin-1")
    for ip in ips:
        assert ip not in text
    for candidate in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", text):
        with pytest.raises(ValueError):
            ipaddress.ip_address(candidate)


def test_behind_a_trusted_proxy_visitors_are_told_apart_by_forwarded_address(settings,
                                                                            redis):
    import dataclasses

    from shortener import create_app
    from shortener.links.campaigns import create_campaign
    from shortener.links.minting import mint_link

    app = create_app(dataclasses.replace(settings, trusted_proxies=1))
    try:
        campaign = create_campaign(redis, name="Proxy", destination="https://shop.example/")
        code = mint_link(redis, app.extensions["settings"], campaign_id=campaign.id,
                         advocate="alice").link.code
        client = app.test_client()
        for forwarded in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
            response = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA,
                                                       "X-Forwarded-For": forwarded},
                                  environ_base={"REMOTE_ADDR": "10.0.0.1"})
            assert response.status_code == 302
        assert get_link_stats(redis, code).unique_visitors == 2
    finally:
        app.extensions["click_writer"].close()


def test_a_reserved_word_is_answered_by_flask_with_the_same_page(client):
    response = client.get("/api", headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 404
    assert b"does not exist" in response.data


def test_human_clicks_are_counted_by_country_without_the_address(client, redis, make_link):
    link = make_link()
    click(client, link.code, ip="81.2.69.142")
    click(client, link.code, ip="81.2.69.143")
    click(client, link.code, ip="203.0.113.9")  # documentation range: no country
    stats = get_link_stats(redis, link.code)
    assert stats.clicks == 3
    assert stats.by_country == {"GB": 2}
    assert get_campaign_stats(redis, link.campaign_id).by_country == {"GB": 2}
    events = [fields for _, fields in redis.xrange(keys.campaign_clicks(link.campaign_id))]
    assert [(event["country"], event["network"]) for event in events] == [
        ("GB", "unknown"), ("GB", "unknown"), ("", "reserved")]


def test_a_browser_from_a_cloud_network_is_not_a_click(client, redis, make_link):
    link = make_link()
    response = click(client, link.code, ip="52.95.110.1",
                     referrer="https://safelinks.example/")
    assert response.status_code == 302
    stats = get_link_stats(redis, link.code)
    assert stats.clicks == 0
    assert stats.by_kind["crawler"] == 1
    assert stats.by_country == {}
    [(_, event)] = redis.xrange(keys.campaign_clicks(link.campaign_id))
    assert (event["signal"], event["network"]) == ("hosting_network", "hosting")


def test_a_trusted_network_counts_as_people(settings, redis):
    import dataclasses

    from shortener import create_app
    from shortener.links.campaigns import create_campaign
    from shortener.links.minting import mint_link

    app = create_app(dataclasses.replace(settings, trusted_networks=("52.95.0.0/16",)))
    try:
        campaign = create_campaign(redis, name="Office", destination="https://shop.example/")
        code = mint_link(redis, app.extensions["settings"], campaign_id=campaign.id,
                         advocate="alice").link.code
        assert click(app.test_client(), code, ip="52.95.110.1").status_code == 302
        assert get_link_stats(redis, code).clicks == 1
        [(_, event)] = redis.xrange(keys.campaign_clicks(campaign.id))
        assert event["network"] == "trusted"
    finally:
        app.extensions["click_writer"].close()


def test_a_library_client_is_not_a_click(client, redis, make_link):
    link = make_link()
    for agent in ("node", "Deno/2.1.4", "axios/1.7.9", "Werkzeug/3.1"):
        click(client, link.code, ua=agent)
    stats = get_link_stats(redis, link.code)
    assert (stats.clicks, stats.by_kind["crawler"]) == (0, 4)
