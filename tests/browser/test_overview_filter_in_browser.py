"""The overview's campaign, channel and device filter, used in a real browser at 360 px
and 1,280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_dashboard_in_browser import click_link

pytestmark = pytest.mark.browser
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_the_filter_narrows_the_figures_and_says_what_it_covers(
        sign_in, live_server, page: Page, make_campaign, make_link, viewport) -> None:
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    first, second = make_link(spring, "cust-1"), make_link(autumn, "cust-2")
    for link, channel in ((first, "whatsapp"), (first, "whatsapp"), (first, "linkedin"),
                          (second, "whatsapp"), (second, "email")):
        click_link(live_server.url, link.code, channel)
    sign_in()
    page.set_viewport_size(VIEWPORTS[viewport])
    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("5")

    page.locator('select[data-filter="channel"]').select_option("whatsapp")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**channel=whatsapp**")
    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("3")
    expect(page.locator('[data-kpi="dark_share"] .kpi-value')).to_have_text("100.0 %")
    expect(page.locator("[data-filter-note]")).to_be_visible()
    expect(page.locator('[data-kpi="unique_visitors"] [data-scope="all"]')).to_be_visible()
    expect(page.locator("#chart-series")).to_have_attribute("data-drawn", "true")
    drawn = page.evaluate("""() => Chart.getChart('chart-series').data.datasets
                               .map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)])""")
    assert drawn == [["WhatsApp", 3]]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]

    # With a campaign too; and a preset range keeps both.
    page.locator('select[data-filter="campaign"]').select_option(autumn.id)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**campaign={autumn.id}**")
    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("1")
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url("**start=**")
    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("1")
    expect(page.locator('select[data-filter="channel"]')).to_have_value("whatsapp")

    # Every channel again, one device: the test browser is a desktop.
    page.locator('select[data-filter="channel"]').select_option("")
    page.locator('select[data-filter="campaign"]').select_option("")
    page.locator('select[data-filter="device"]').select_option("desktop")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**device=desktop**")
    expect(page.locator('[data-kpi="clicks"] .kpi-value')).to_have_text("5")
    expect(page.locator('[data-kpi="clicks"] [data-scope="filtered"]')).to_have_text(
        "Desktop only")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
