"""The advocate's share page in a real browser, on a phone-sized screen."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect

from shortener.clicks.conversions import record_conversion
from shortener.links.advocates import get_advocate, upsert_advocate
from shortener.web.share import qr_svg
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.demo import seed_demo
from tests.browser.test_dashboard_in_browser import click_link

pytestmark = pytest.mark.browser

# Button -> the channel its link is tagged with (SMS goes to the phone's
# messaging app, the taxonomy's imessage channel).
EXPECTED_TAGS = {
    "whatsapp": "whatsapp", "telegram": "telegram", "messenger": "messenger",
    "sms": "imessage", "email": "email", "linkedin": "linkedin", "x": "twitter",
}


def test_every_share_button_carries_its_channel_tagged_link(
        browser: Browser, live_server, redis, app_settings, make_campaign, make_link) -> None:
    campaign = make_campaign(name="Spring referrals", reward_goal=4)
    advocate, _ = upsert_advocate(redis, "cust-1042", name="Maria")
    link = make_link(campaign, "cust-1042")
    short_url = app_settings.short_url(link.code)
    click_link(live_server.url, link.code, "whatsapp")
    record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                      order_id="o-1", value=40, campaign_id=campaign.id, advocate="cust-1042")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()

    page.goto(f"{live_server.url}/s/{advocate.share_token}")

    for key, channel in EXPECTED_TAGS.items():
        button = page.locator(f"a.share-{key}")
        tagged = f"{short_url}?ch={channel}"
        expect(button).to_have_attribute("data-share-url", tagged)
        assert quote(tagged, safe="") in (button.get_attribute("href") or "")
    qr = page.locator(".qr svg.qr-code")
    expect(qr).to_be_visible()
    # segno is deterministic: the drawn code is the one of the short link.
    assert re.findall(r' d="([^"]+)"', qr.evaluate("svg => svg.outerHTML")) == \
        re.findall(r' d="([^"]+)"', str(qr_svg(short_url)))
    expect(page.locator('[data-figure="clicks"] dd')).to_have_text("1")
    expect(page.locator('[data-figure="conversions"] dd')).to_have_text("1")
    expect(page.locator('[data-figure="rank"] dd')).to_contain_text("#1")
    expect(page.locator("#goal-progress")).to_have_attribute("value", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Link copied. Paste it anywhere.")
    assert page.evaluate("navigator.clipboard.readText()") == short_url
    context.close()


def test_screenshots_of_the_share_page(browser: Browser, live_server, redis, app,
                                       app_settings) -> None:
    spring, _ = seed_demo(redis, app_settings, app.extensions["click_writer"])
    token = get_advocate(redis, "cust-1042").share_token
    for name, viewport in (("share-phone", PHONE), ("share-desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{token}?campaign={spring.id}")
        expect(page.locator(".qr svg")).to_be_visible()
        assert screenshot(page, name).stat().st_size > 0
        context.close()

