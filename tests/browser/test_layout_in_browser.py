"""Every dashboard page on a 360 px phone and a 1,280 px desktop.

The page itself never scrolls sideways: text wraps, and a wide table scrolls
inside its card. At desktop width no table clips a column.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shortener.accounts.users import create_user
from shortener.api.apikeys import create_api_key, revoke_api_key
from shortener.api.scopes import READ_SCOPES
from shortener.clicks.conversions import record_conversion
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from shortener.links.minting import mint_link
from shortener.rewards.models import Reward
from shortener.rewards.store import grant_reward
from shortener.webhooks.models import EVENT_TYPES
from shortener.webhooks.subscriptions import create_webhook
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.demo import seed_demo

pytestmark = pytest.mark.browser

LONG_NAME = "Maximiliane Alexandra von Hohenzollern-Sigmaringen-Württemberg"
LONG_WEBHOOK_URL = ("http://127.0.0.1:9/hooks/shortener/referral-programme/"
                    "events-from-the-spring-campaign?token=0123456789abcdef0123456789abcdef")
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def demo(redis: Any, app: Any, app_settings: Any) -> dict[str, str]:
    spring, _ = seed_demo(redis, app_settings, app.extensions["click_writer"])
    upsert_advocate(redis, "cust-1042", name=LONG_NAME)
    code = store.list_link_codes(redis, advocate="cust-1042")[0]
    create_user(redis, email="bob@shop.example", password="another long passphrase",
                role="editor")
    webhook = create_webhook(redis, url=LONG_WEBHOOK_URL, events=list(EVENT_TYPES),
                             campaigns=[spring.id], allow_private=True)
    mint_link(redis, app_settings, campaign_id=spring.id, advocate="cust-2001")
    # No click behind it: held for review, so the overview shows what waits.
    held = record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                             order_id="A-2001", campaign_id=spring.id, advocate="cust-2001")
    assert held.conversion.status == "review"
    grant_reward(redis, Reward(id="rw_00000000000000aa", campaign=spring.id,
                               advocate="cust-1042", reward="A voucher of 10 EUR for the "
                               "next order", conversions=1, created_at=1_700_000_000.0))
    create_api_key(redis, name="Reporting dashboard of the referral programme",
                   scopes=sorted(READ_SCOPES), campaigns=[spring.id])
    revoke_api_key(redis, create_api_key(redis, name="old shop")[0].id)
    return {"campaign": spring.id, "code": code, "webhook": webhook.id}


def pages(demo: dict[str, str]) -> list[str]:
    return [
        "/dashboard/",
        f"/dashboard/campaigns/{demo['campaign']}",
        f"/dashboard/campaigns/{demo['campaign']}/edit",
        "/dashboard/campaigns/new",
        "/dashboard/advocates/cust-1042",
        f"/dashboard/links/{demo['code']}",
        "/dashboard/users",
        "/dashboard/rewards",
        "/dashboard/review",
        "/dashboard/webhooks",
        f"/dashboard/webhooks/{demo['webhook']}",
        "/dashboard/api-keys",
        "/account/password",
    ]


# GET endpoints that answer data, not a page.
NOT_PAGES = frozenset({"dashboard.feed", "dashboard.link_qr", "dashboard.rewards_export"})


def test_every_dashboard_page_is_in_the_list(app, demo) -> None:
    """A new page fails here until it is added to pages() and so checked at both widths."""
    adapter = app.url_map.bind("localhost")
    listed = {adapter.match(path.split("?")[0])[0] for path in pages(demo)}
    served = {rule.endpoint for rule in app.url_map.iter_rules()
              if "GET" in rule.methods and rule.endpoint.startswith(("dashboard.", "account."))}
    assert served - NOT_PAGES - listed == set()


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  }
  for (const table of document.querySelectorAll('table')) {
    const box = table.parentElement;
    const scrolls = getComputedStyle(box).overflowX;
    if (table.scrollWidth > box.clientWidth + 1 && !['auto', 'scroll'].includes(scrolls)) {
      problems.push(`table ${table.dataset.table || ''} is cut, not scrollable`);
    }
  }
  return problems;
}"""

CLIPPED_COLUMNS = """() => [...document.querySelectorAll('table')].filter(
  (table) => table.scrollWidth > table.parentElement.clientWidth + 1
).map((table) => table.dataset.table)"""


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_every_page_fits_the_width(sign_in, live_server, page: Page, demo, viewport) -> None:
    sign_in()
    page.set_viewport_size(VIEWPORTS[viewport])
    for path in [*pages(demo), "/login"]:
        if path == "/login":
            page.context.clear_cookies()
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main, .login, body").first).to_be_visible()
        assert page.evaluate(OVERFLOW) == [], f"{path} at {viewport}"
        if viewport == "desktop":
            assert page.evaluate(CLIPPED_COLUMNS) == [], f"{path}: a table is cut at 1,280 px"


def test_a_phone_shows_every_column_of_top_advocates(sign_in, live_server, page: Page,
                                                      demo) -> None:
    sign_in()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/")
    table = page.locator('table[data-table="advocates"]')
    headers = table.locator("th")
    expect(headers.last).to_have_text("Conversion rate")
    box = table.locator("xpath=..")
    right_edge = box.evaluate("""(node) => { node.scrollLeft = node.scrollWidth;
                                             return node.getBoundingClientRect().right; }""")
    assert headers.last.bounding_box()["x"] + headers.last.bounding_box()["width"] \
        <= right_edge + 1


def test_the_advocate_page_wraps_a_long_name_and_share_url(sign_in, live_server, page: Page,
                                                           demo) -> None:
    sign_in()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/advocates/cust-1042")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maximiliane")
    expect(page.locator("[data-share-url]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_doughnut_labels_carry_percentages(sign_in, live_server, page: Page, demo) -> None:
    sign_in()
    expect(page.locator("#chart-dark")).to_have_attribute("data-drawn", "true")
    labels = page.evaluate("Chart.getChart('chart-dark').data.labels")
    dark, public = page.evaluate("Chart.getChart('chart-dark').data.datasets[0].data")
    assert labels == [f"Dark social {100 * dark / (dark + public):.1f} %",
                      f"Public {100 * public / (dark + public):.1f} %"]
