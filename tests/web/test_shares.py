"""POST /s/<token>/shares: a tap on a share button, counted per campaign, channel and day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shortener import keys
from shortener.analytics.shares import get_shares
from shortener.api.apikeys import create_api_key
from shortener.links.advocates import get_advocate
from tests.conftest import BROWSER_UA


@pytest.fixture
def shared(redis, make_campaign, make_link):
    """cust-1's link in a campaign, and the address of its share page's beacon."""
    campaign = make_campaign()
    link = make_link(campaign, advocate="cust-1")
    token = get_advocate(redis, "cust-1").share_token
    return campaign, link, f"/s/{token}/shares"


def tap(client, url, **form):
    return client.post(url, data=form, headers={"User-Agent": BROWSER_UA})


def test_a_tap_is_counted_for_its_channel_and_answers_204(client, redis, shared):
    campaign, link, url = shared
    for channel in ("whatsapp", "whatsapp", "email"):
        response = tap(client, url, channel=channel, link=link.code)
        assert response.status_code == 204
        assert response.get_data() == b""
        assert "Set-Cookie" not in response.headers
    assert get_shares(redis, campaign.id) == {"email": 1, "whatsapp": 2}
    today = dt.datetime.now(dt.UTC).date()
    assert get_shares(redis, campaign.id, start=today, end=today) == {"email": 1, "whatsapp": 2}


def test_nothing_about_the_person_tapping_is_kept(client, redis, shared):
    campaign, link, url = shared
    before = set(redis.scan_iter(match="*"))
    client.post(url, data={"channel": "telegram", "link": link.code},
                headers={"User-Agent": BROWSER_UA}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    written = set(redis.scan_iter(match="*")) - before
    # The rate limit's counter, named by a keyed hash of the address, lives a minute.
    limits = {key for key in written if "share-taps" in key}
    assert len(limits) == 1 and 0 < redis.ttl(limits.pop()) <= 60
    written = {key for key in written if "share-taps" not in key}
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    assert written == {keys.campaign_shares(campaign.id, day),
                       keys.campaign_share_totals(campaign.id)}
    for key in written:
        assert redis.hgetall(key) == {"telegram": "1"}
    assert not any("198.51.100.7" in key for key in redis.scan_iter(match="*"))


@pytest.mark.parametrize(("form", "field"), [
    ({"channel": "myspace"}, "channel"),
    ({"channel": ""}, "channel"),
    ({"channel": "code"}, "channel"),
    ({"channel": "WA"}, "channel"),
    ({}, "channel"),
    ({"channel": "whatsapp", "link": "nope"}, "link"),
    ({"channel": "whatsapp", "link": "../etc"}, "link"),
    ({"channel": "whatsapp"}, "link"),
])
def test_bad_input_is_refused_naming_the_field(client, redis, shared, form, field):
    campaign, link, url = shared
    form = {"link": link.code, **form} if field == "channel" else form
    response = client.post(url, data=form, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.json["field"] == field
    assert get_shares(redis, campaign.id) == {}


def test_another_advocates_link_is_refused(client, redis, shared, make_link):
    campaign, _, url = shared
    other = make_link(campaign, advocate="cust-2")
    response = tap(client, url, channel="whatsapp", link=other.code)
    assert response.status_code == 422
    assert get_shares(redis, campaign.id) == {}


@pytest.mark.parametrize("token", ["no-such-token", "x" * 65, "ünï"])
def test_an_unknown_share_page_is_not_found(client, shared, token):
    _, link, _ = shared
    assert tap(client, f"/s/{token}/shares", channel="whatsapp", link=link.code).status_code \
        == 404


def test_a_get_is_not_allowed(client, shared):
    assert client.get(shared[2]).status_code == 405


def test_taps_over_the_limit_get_429_and_are_not_counted(settings, redis, make_campaign,
                                                         make_link):
    from shortener import create_app

    app = create_app(dataclasses.replace(settings, share_rate_limit="3/minute"))
    try:
        client = app.test_client()
        campaign = make_campaign()
        link = make_link(campaign, advocate="cust-1")
        url = f"/s/{get_advocate(redis, 'cust-1').share_token}/shares"
        statuses = [tap(client, url, channel="whatsapp", link=link.code).status_code
                    for _ in range(5)]
    finally:
        app.extensions["click_writer"].close()
    assert statuses == [204, 204, 204, 429, 429]
    assert get_shares(redis, campaign.id) == {"whatsapp": 3}


def test_campaign_stats_give_shares_and_clicks_per_share(client, redis, shared):
    campaign, link, url = shared
    for channel in ("whatsapp", "whatsapp", "email"):
        tap(client, url, channel=channel, link=link.code)
    for channel in ("whatsapp",) * 5 + ("email",):
        client.get(f"/{link.code}?ch={channel}", headers={"User-Agent": BROWSER_UA})
    headers = {"Authorization": f"Bearer {create_api_key(redis, name='shop')[1]}"}
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for query in ("", f"?start={today}&end={today}"):
        stats = client.get(f"/api/v1/campaigns/{campaign.id}/stats{query}", headers=headers).json
        assert stats["shares"] == {"email": 1, "whatsapp": 2}
        assert stats["clicks_per_share"] == {"email": 1.0, "whatsapp": 2.5}
    last_year = client.get(f"/api/v1/campaigns/{campaign.id}/stats?start=2025-01-01"
                           "&end=2025-01-31", headers=headers).json
    assert last_year["shares"] == {} and last_year["clicks_per_share"] == {}
