"""The dashboard's pages: figures, narrowing down, bad ids and ranges, CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from shortener.clicks.conversions import record_conversion
from shortener.clicks.shares import record_share
from shortener.links.advocates import get_advocate
from shortener.links.codes import get_referral_code
from tests.conftest import BROWSER_UA


def click(client, code: str, channel: str | None = None, user_agent: str = BROWSER_UA) -> None:
    query = f"?ch={channel}" if channel else ""
    assert client.get(f"/{code}{query}", headers={"User-Agent": user_agent}).status_code == 302


@pytest.fixture
def traffic(client, make_campaign, make_link):
    """Spring: alice-the-advocate's link with 3 human clicks, one preview fetch; bob's with 1."""
    campaign = make_campaign(name="Spring referrals", cost=100.0, value_per_click=0.5)
    first = make_link(campaign, "cust-1")
    second = make_link(campaign, "cust-2")
    for channel in ("whatsapp", "whatsapp", "linkedin"):
        click(client, first.code, channel)
    click(client, second.code, "email")
    return campaign, first, second


def test_the_overview_shows_the_clicks_made(dashboard, client, traffic) -> None:
    dashboard.login()
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-kpi="clicks"' in page
    assert '<p class="kpi-value">4</p>' in page
    assert "75.0 %" in page  # three of four clicks came through dark channels


@pytest.mark.parametrize("path", [
    "/dashboard/campaigns/{campaign}", "/dashboard/advocates/cust-1", "/dashboard/links/{code}",
])
def test_each_page_narrows_the_figures_down(dashboard, client, traffic, path) -> None:
    campaign, first, _ = traffic
    dashboard.login()
    response = client.get(path.format(campaign=campaign.id, code=first.code))
    assert response.status_code == 200
    expected = 4 if "campaigns" in path else 3
    assert f'<p class="kpi-value">{expected}</p>' in response.get_data(as_text=True)


def test_the_advocate_page_gives_the_share_url(dashboard, client, redis, traffic) -> None:
    dashboard.login()
    page = client.get("/dashboard/advocates/cust-1").get_data(as_text=True)
    assert f"https://go.example/s/{get_advocate(redis, 'cust-1').share_token}" in page



def test_the_advocate_page_gives_a_referral_code_per_campaign(dashboard, client, redis,
                                                              make_campaign, make_link) -> None:
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    make_link(spring, "cust-1")
    make_link(autumn, "cust-1")
    make_link(spring, "cust-2")
    dashboard.login()
    page = client.get("/dashboard/advocates/cust-1").get_data(as_text=True)
    for campaign in (spring, autumn):
        code = get_referral_code(redis, campaign.id, "cust-1")
        assert code and f'<code data-referral-code="{campaign.id}">{code}</code>' in page
    assert get_referral_code(redis, spring.id, "cust-2") not in page


@pytest.mark.parametrize("path", [
    "/dashboard/campaigns/999", "/dashboard/advocates/nobody", "/dashboard/links/zzzzzz",
])
def test_an_unknown_id_gets_a_not_found_page(dashboard, client, path) -> None:
    dashboard.login()
    response = client.get(path)
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("start=2026-03-31&end=2026-03-01", "is after the end date"),
    ("start=yesterday", "Dates must look like"),
    ("start=2020-01-01&end=2026-01-01", "at most 400 days"),
])
def test_a_bad_date_range_gets_a_message_not_an_error(dashboard, client, query,
                                                      message) -> None:
    dashboard.login()
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_campaigns_table_exports_as_csv(dashboard, client, traffic) -> None:
    dashboard.login()
    response = client.get("/dashboard/?export=campaigns")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["Campaign"], row["Clicks"]) for row in rows] == [("Spring referrals", "4")]


def test_the_leaderboard_exports_what_it_shows(dashboard, client, traffic) -> None:
    campaign, _, _ = traffic
    dashboard.login()
    response = client.get(f"/dashboard/campaigns/{campaign.id}?export=advocates")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["Advocate"], row["Clicks"]) for row in rows] == [("cust-1", "3"),
                                                                 ("cust-2", "1")]


def test_a_csv_cell_cannot_become_a_formula(dashboard, client, make_campaign) -> None:
    make_campaign(name="=HYPERLINK(\"https://evil.example\")")
    dashboard.login()
    body = client.get("/dashboard/?export=campaigns").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_the_feed_lists_the_latest_clicks(dashboard, client, traffic) -> None:
    dashboard.login()
    clicks = client.get("/dashboard/feed.json").get_json()["clicks"]
    assert [item["channel"] for item in clicks] == ["email", "linkedin", "whatsapp", "whatsapp"]
    assert {item["kind"] for item in clicks} == {"human"}


def test_the_feed_needs_a_session(client) -> None:
    assert client.get("/dashboard/feed.json").status_code == 401


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/campaigns/{campaign}",
                                  "/dashboard/links/{code}"])
def test_each_page_counts_human_clicks_by_country(dashboard, client, traffic, path) -> None:
    campaign, first, _ = traffic
    for address in ("81.2.69.142", "81.2.69.143"):  # a British line, twice
        assert client.get(f"/{first.code}", headers={"User-Agent": BROWSER_UA},
                          environ_base={"REMOTE_ADDR": address}).status_code == 302
    dashboard.login()
    page = client.get(path.format(campaign=campaign.id, code=first.code)).get_data(as_text=True)
    assert 'id="countries"' in page
    assert '<tr data-country="GB"><th scope="row">GB</th><td>2</td>' in page


def test_the_campaign_page_shows_its_links_a_page_at_a_time(dashboard, client, redis,
                                                            make_campaign, app_settings) -> None:
    from shortener.dashboard.views import LINKS_PER_PAGE
    from shortener.links.minting import mint_link
    campaign = make_campaign(name="Many links")
    for number in range(LINKS_PER_PAGE + 5):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=f"adv-{number:03d}")
    dashboard.login()
    first = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert first.count('href="/dashboard/advocates/adv-') == LINKS_PER_PAGE
    assert "adv-104" in first and "adv-004" not in first  # newest first
    assert f"Links 1\u2013{LINKS_PER_PAGE} of {LINKS_PER_PAGE + 5}" in first
    assert "links_page=2" in first
    second = client.get(f"/dashboard/campaigns/{campaign.id}?links_page=2")
    page = second.get_data(as_text=True)
    assert page.count('href="/dashboard/advocates/adv-') == 5
    assert "adv-004" in page and "adv-000" in page and "adv-104" not in page
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/dashboard/campaigns/{campaign.id}?links_page=2&export=links").get_data(as_text=True))))
    assert sorted(row["Advocate"] for row in rows) == [f"adv-{n:03d}" for n in range(5)]
    bad = client.get(f"/dashboard/campaigns/{campaign.id}?links_page=zero")
    assert bad.status_code == 400
    assert "links_page must be a whole number" in bad.get_data(as_text=True)


def test_the_campaign_page_shows_shares_and_conversions_by_code(dashboard, client, redis,
                                                                traffic) -> None:
    campaign = traffic[0]
    for channel in ("whatsapp", "linkedin", "linkedin", "linkedin", "linkedin"):
        record_share(redis, campaign.id, channel)
    record_conversion(redis, click_id_key=b"k" * 32, order_id="o-1", campaign_id=campaign.id,
                      referral_code=get_referral_code(redis, campaign.id, "cust-1"))
    dashboard.login()
    page = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    shares = page[page.index('data-figure="shares"'):]
    # Two WhatsApp clicks from one share; one LinkedIn click from four.
    assert '<tr data-channel="whatsapp">' in shares
    whatsapp = shares[shares.index('<tr data-channel="whatsapp">'):]
    assert '<td class="num">1</td><td class="num">2</td><td class="num">2.00</td>' in whatsapp
    linkedin = shares[shares.index('<tr data-channel="linkedin">'):]
    assert '<td class="num">4</td><td class="num">1</td><td class="num">0.25</td>' in linkedin
    assert shares.index("linkedin") < shares.index("whatsapp")  # most shared first
    code_kpi = page[page.index('data-kpi="conversions_by_code"'):]
    assert '<p class="kpi-value">1</p>' in code_kpi[:400]
    assert "0 by click" in code_kpi[:400]
