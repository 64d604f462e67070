"""The redirect's own rate limit and the Prometheus metrics, over HTTP."""

from __future__ import annotations

import dataclasses
import re
import time

from shortener import create_app, keys
from shortener.analytics.queries import get_link_stats
from tests.conftest import BROWSER_UA


def _early_in_a_minute() -> None:
    """Wait for a fresh minute if this one is nearly over: the limits count in fixed minutes,
    and clicks that straddle two would be counted in two windows."""
    second = time.time() % 60
    if second > 40:
        time.sleep(60 - second + 0.1)


def test_a_visitor_over_the_limit_gets_a_429_page_and_is_counted_apart(settings, redis,
                                                                       make_campaign):
    from shortener.links.minting import mint_link

    app = create_app(dataclasses.replace(settings, redirect_rate_limit="3/minute"))
    try:
        campaign = make_campaign()
        code = mint_link(redis, app.extensions["settings"], campaign_id=campaign.id,
                         advocate="alice").link.code
        client = app.test_client()
        _early_in_a_minute()

        def click(ip: str):
            return client.get(f"/{code}", headers={"User-Agent": BROWSER_UA},
                              environ_base={"REMOTE_ADDR": ip})

        statuses = [click("203.0.113.5").status_code for _ in range(5)]
        assert statuses == [302, 302, 302, 429, 429]
        refused = click("203.0.113.5")
        assert refused.mimetype == "text/html"
        assert b"Slow down" in refused.data
        assert click("203.0.113.6").status_code == 302
        assert get_link_stats(redis, code).clicks == 4
        assert redis.hget(keys.link_totals(code), "throttled") == "3"
    finally:
        app.extensions["click_writer"].close()


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{name}{{{wanted}}} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_clicks_by_kind_and_time_the_redirect(client, make_link):
    link = make_link()
    before = client.get("/metrics").get_data(as_text=True)
    client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    client.get(f"/{link.code}", headers={"User-Agent": "WhatsApp/2.23.20.0 A"})
    response = client.get("/metrics")
    after = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    for kind in ("human", "preview_bot"):
        assert _sample(after, "shortener_clicks_total", kind=kind) == \
            _sample(before, "shortener_clicks_total", kind=kind) + 1
    assert _sample(after, "shortener_redirect_seconds_count", status="302") == \
        _sample(before, "shortener_redirect_seconds_count", status="302") + 2
    assert "shortener_spool_depth" in after


def test_a_client_rotating_its_user_agent_meets_the_address_ceiling(settings, redis,
                                                                    make_campaign):
    from shortener.links.minting import mint_link

    app = create_app(dataclasses.replace(settings, redirect_rate_limit="3/minute",
                                         redirect_address_rate_limit="10/minute"))
    try:
        campaign = make_campaign()
        code = mint_link(redis, app.extensions["settings"], campaign_id=campaign.id,
                         advocate="alice").link.code
        client = app.test_client()
        _early_in_a_minute()

        def click(ip: str, n: int):
            return client.get(f"/{code}", headers={"User-Agent": f"{BROWSER_UA} rotate/{n}"},
                              environ_base={"REMOTE_ADDR": ip}).status_code

        statuses = [click("203.0.113.5", n) for n in range(30)]
        assert statuses == [302] * 10 + [429] * 20
        assert click("203.0.113.6", 0) == 302
        assert get_link_stats(redis, code).clicks == 11
        assert redis.hget(keys.link_totals(code), "throttled") == "20"
        assert not [key for key in redis.scan_iter() if "203.0.113" in key]
    finally:
        app.extensions["click_writer"].close()
