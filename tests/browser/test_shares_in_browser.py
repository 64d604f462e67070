"""Share-button taps in a real browser on a 360 px phone: the beacon goes out, the app
switch does not wait for it, and the count reaches the dashboard."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from shortener.analytics.shares import get_shares
from shortener.links.advocates import upsert_advocate
from shortener.links.codes import get_referral_code
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

BEACON_WAIT_SECONDS = 10


def wait_for(read, expected):
    """Poll until read() gives expected (a beacon lands when the browser sends it)."""
    deadline = time.monotonic() + BEACON_WAIT_SECONDS
    while (found := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_tapping_whatsapp_sends_the_beacon_and_the_count_appears(
        browser: Browser, live_server, redis, make_campaign, make_link, sign_in) -> None:
    campaign = make_campaign(name="Spring referrals")
    advocate, _ = upsert_advocate(redis, "cust-1042", name="Maria")
    link = make_link(campaign, "cust-1042")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    # The closed network has no WhatsApp: the app switch is answered here, and every
    # request the page makes is kept to see what the tap sent.
    context.route("https://wa.me/**", lambda route: route.fulfill(status=200, body="WhatsApp"))
    sent = []
    context.on("request", lambda request: sent.append(request))
    phone = context.new_page()
    phone.goto(f"{live_server.url}/s/{advocate.share_token}")
    expect(phone.locator('[data-figure="referral-code"] code')).to_have_text(
        get_referral_code(redis, campaign.id, "cust-1042"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with context.expect_page() as opened:
        phone.locator("a.share-whatsapp").tap()
    assert opened.value.url.startswith("https://wa.me/")

    assert wait_for(lambda: get_shares(redis, campaign.id), {"whatsapp": 1}) == \
        {"whatsapp": 1}
    beacons = [request for request in sent if request.url.endswith("/shares")]
    assert len(beacons) == 1
    assert beacons[0].method == "POST"
    assert beacons[0].post_data == f"channel=whatsapp&link={link.code}"
    assert "cookie" not in beacons[0].all_headers()
    context.close()

    dashboard = sign_in()
    dashboard.goto(f"{live_server.url}/dashboard/campaigns/{campaign.id}")
    row = dashboard.locator('[data-figure="shares"] tr[data-channel="whatsapp"]')
    expect(row).to_contain_text("WhatsApp")
    expect(row.locator("td").first).to_have_text("1")
