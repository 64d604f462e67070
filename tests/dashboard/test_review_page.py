"""The fraud review queue page: flags and evidence, accept and reject for editors only,
and the rule toggles on the campaign form."""

from __future__ import annotations

import pytest

from shortener.accounts.users import create_user
from shortener.analytics.queries import get_campaign_stats
from shortener.clicks.conversions import record_conversion
from shortener.fraud.review import get_conversion
from shortener.links import store
from shortener.links.advocates import get_advocate
from tests.conftest import BROWSER_UA
from tests.dashboard.conftest import DashboardActions, csrf_token

CAROL, PASSWORD = "carol@shop.example", "another long passphrase"


@pytest.fixture
def held(redis, client, app_settings, make_campaign, make_link):
    """ann opened her share page and bought through her own link: a self-referral."""
    campaign = make_campaign()
    link = make_link(campaign, "ann")
    browser = {"headers": {"User-Agent": BROWSER_UA}, "environ_base": {"REMOTE_ADDR": "192.0.2.4"}}
    assert client.get(f"/s/{get_advocate(redis, 'ann').share_token}", **browser).status_code \
        == 200
    location = client.get(f"/{link.code}", **browser).headers["Location"]
    return record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                             click_id=location.rsplit("sclid=", 1)[1], order_id="A-7",
                             value=30).conversion


def test_the_queue_shows_flags_and_evidence_but_no_address(dashboard, client, held):
    dashboard.login()
    page = client.get("/dashboard/review").get_data(as_text=True)
    assert f'data-conversion="{held.id}"' in page
    assert "Self-referral" in page and "opened the advocate&#39;s share page" in page
    assert "192.0.2.4" not in page
    assert 'data-action="accepted"' in page and 'data-action="rejected"' in page


def test_an_admin_accepts_and_the_conversion_counts(dashboard, client, redis, held):
    dashboard.login()
    response = dashboard.post_form("/dashboard/review", f"/dashboard/review/{held.id}",
                                   {"status": "accepted"})
    assert response.status_code == 303
    assert get_conversion(redis, held.id).status == "accepted"
    assert get_conversion(redis, held.id).reviewed_by == "alice@shop.example"
    assert get_campaign_stats(redis, held.campaign_id).conversions == 1
    assert f'data-conversion="{held.id}"' not in client.get("/dashboard/review").get_data(
        as_text=True)


def test_a_viewer_sees_the_queue_without_forms_and_cannot_accept(client, redis, alice, held):
    create_user(redis, email=CAROL, password=PASSWORD, role="viewer")
    DashboardActions(client).login(CAROL, PASSWORD)
    page = client.get("/dashboard/review")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'data-conversion="{held.id}"' in text and 'data-action="accepted"' not in text
    token = csrf_token(client.get("/dashboard/"))
    refused = client.post(f"/dashboard/review/{held.id}",
                          data={"status": "accepted", "csrf_token": token})
    assert refused.status_code == 403
    assert get_conversion(redis, held.id).status == "review"
    assert get_campaign_stats(redis, held.campaign_id).conversions == 0


def test_the_queue_pages(dashboard, client, redis, app_settings, make_campaign, make_link,
                         monkeypatch):
    campaign = make_campaign()
    make_link(campaign, "ann")
    key = app_settings.secrets["click_id_key"].encode()
    for number in range(3):
        record_conversion(redis, click_id_key=key, campaign_id=campaign.id, advocate="ann",
                          order_id=f"o-{number}")
    monkeypatch.setattr("shortener.dashboard.review.REVIEW_PAGE_SIZE", 2)
    dashboard.login()
    first = client.get(f"/dashboard/review?campaign={campaign.id}").get_data(as_text=True)
    assert first.count("data-conversion=") == 2 and 'rel="next"' in first
    next_url = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert second.count("data-conversion=") == 1 and 'rel="next"' not in second


def test_a_rule_is_turned_off_on_the_campaign_form(dashboard, redis, make_campaign):
    campaign = make_campaign()
    dashboard.login()
    form = {"name": campaign.name, "destination": campaign.destination, "currency": "EUR",
            "self_referral": "y", "repeat_visitor": "y", "burst": "y"}
    page = f"/dashboard/campaigns/{campaign.id}/edit"
    assert dashboard.post_form(page, page, form).status_code == 303
    assert store.get_campaign(redis, campaign.id).fraud_rules == {
        "self_referral": True, "repeat_visitor": True, "no_human_click": False, "burst": True}
