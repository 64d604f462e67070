"""The dashboard in a real browser: figures, charts and the live feed."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.demo import seed_demo
from tests.conftest import BROWSER_UA

pytestmark = pytest.mark.browser
# The feed polls every 3 seconds; wait up to three polls for a new row.
FEED_WAIT_MS = 10_000


def click_link(server_url: str, code: str, channel: str | None = None) -> None:
    """Follow a short link as a person's browser would (without going on to the shop)."""
    parts = urlsplit(server_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/{code}" + (f"?ch={channel}" if channel else ""),
                       headers={"User-Agent": BROWSER_UA})
    assert connection.getresponse().status == 302
    connection.close()


def test_the_overview_shows_the_clicks_made_and_the_feed_updates(
        sign_in, live_server, page: Page, make_campaign, make_link) -> None:
    campaign = make_campaign()
    link = make_link(campaign, "cust-1042")
    for channel in ("whatsapp", "email", "linkedin"):
        click_link(live_server.url, link.code, channel)

    sign_in()

    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("3")
    # whatsapp and email are dark, linkedin is public: 2 of 3.
    expect(page.locator('[data-kpi="dark_share"] .kpi-value')).to_have_text("66.7 %")
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    drawn = page.evaluate("""() => Chart.getChart('chart-series').data.datasets
                               .map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)])""")
    assert sorted(drawn) == [["E-mail", 1], ["LinkedIn", 1], ["WhatsApp", 1]]
    rows = page.locator("#feed-rows tr[data-click-id]")
    expect(rows).to_have_count(3)

    click_link(live_server.url, link.code, "telegram")

    expect(rows).to_have_count(4, timeout=FEED_WAIT_MS)
    expect(rows.first).to_have_attribute("data-channel", "telegram")
    expect(rows.first).to_have_attribute("data-kind", "human")


def test_screenshots_of_the_overview(sign_in, page: Page, redis, app, app_settings) -> None:
    seed_demo(redis, app_settings, app.extensions["click_writer"])
    sign_in()
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#feed-rows tr[data-click-id]").first).to_be_visible()
    assert screenshot(page, "overview-desktop").stat().st_size > 0

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#feed-rows tr[data-click-id]").first).to_be_visible()
    # Wide tables scroll inside their cards; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert screenshot(page, "overview-phone").stat().st_size > 0
