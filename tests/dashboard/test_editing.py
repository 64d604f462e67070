"""Dashboard edits over HTTP: a campaign's settings, a link's state and limits, QR codes."""

from __future__ import annotations

import datetime as dt

import pytest

from shortener.accounts.users import create_user
from shortener.links import store
from tests.conftest import BROWSER_UA
from tests.dashboard.conftest import DashboardActions


def test_an_editor_changes_a_campaign(dashboard, client, redis, make_campaign):
    campaign = make_campaign(name="Spring", utm={"utm_source": "referral", "utm_term": "kept"})
    dashboard.login()
    page = client.get(f"/dashboard/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="Spring"' in page and 'value="referral"' in page
    saved = dashboard.post_form(f"/dashboard/campaigns/{campaign.id}/edit",
                                f"/dashboard/campaigns/{campaign.id}/edit", {
        "name": "Spring 2", "destination": "https://shop.example/new", "utm_source": "",
        "utm_medium": "social", "utm_campaign": "", "allowed_hosts": "shop.example",
        "cost": "300", "value_per_click": "0.5", "currency": "USD", "reward_goal": "3"})
    assert saved.status_code == 303
    changed = store.get_campaign(redis, campaign.id)
    assert (changed.name, changed.destination, changed.cost, changed.value_per_click,
            changed.currency, changed.reward_goal) == (
        "Spring 2", "https://shop.example/new", 300.0, 0.5, "USD", 3)
    assert changed.utm == {"utm_medium": "social", "utm_term": "kept"}
    assert changed.allowed_hosts == ["shop.example"]


def test_a_bad_campaign_edit_names_the_field_and_changes_nothing(dashboard, client, redis,
                                                                 make_campaign):
    campaign = make_campaign(name="Spring")
    dashboard.login()
    refused = dashboard.post_form(f"/dashboard/campaigns/{campaign.id}/edit",
                                  f"/dashboard/campaigns/{campaign.id}/edit", {
        "name": "Spring", "destination": "https://evil.example/", "currency": "EUR",
        "allowed_hosts": "shop.example"})
    assert refused.status_code == 422
    assert "allowed hosts" in refused.get_data(as_text=True)
    assert store.get_campaign(redis, campaign.id).destination == campaign.destination


def test_a_link_is_disabled_enabled_and_limited(dashboard, client, redis, make_link):
    link = make_link()
    page = f"/dashboard/links/{link.code}"
    dashboard.login()
    assert dashboard.post_form(page, f"{page}/enabled", {"enabled": "false"}).status_code == 303
    assert client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).status_code == 410
    assert dashboard.post_form(page, f"{page}/enabled", {"enabled": "true"}).status_code == 303
    assert client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).status_code == 302

    day = dt.date.today() + dt.timedelta(days=30)
    dashboard.post_form(page, f"{page}/limits", {"expires_on": day.isoformat(),
                                                  "max_clicks": "7"})
    saved = store.get_link(redis, link.code)
    assert saved.max_clicks == 7
    assert saved.expires_at == dt.datetime.combine(day + dt.timedelta(days=1), dt.time(),
                                                   dt.UTC).timestamp()
    shown = client.get(page).get_data(as_text=True)
    assert f'value="{day.isoformat()}"' in shown and 'value="7"' in shown
    dashboard.post_form(page, f"{page}/limits", {"expires_on": "", "max_clicks": ""})
    saved = store.get_link(redis, link.code)
    assert (saved.expires_at, saved.max_clicks) == (None, None)
    past = dashboard.post_form(page, f"{page}/limits", {"expires_on": "2001-01-01"})
    assert past.status_code == 303
    assert store.get_link(redis, link.code).expires_at is None


@pytest.mark.parametrize(("kind", "mimetype", "magic"), [
    ("svg", "image/svg+xml", b"<?xml"), ("png", "image/png", b"\x89PNG")])
def test_a_links_qr_code_downloads(dashboard, client, make_link, kind, mimetype, magic):
    link = make_link()
    dashboard.login()
    page = client.get(f"/dashboard/links/{link.code}").get_data(as_text=True)
    assert f"/dashboard/links/{link.code}/qr.{kind}" in page
    assert f'data-copy="https://go.example/{link.code}"' in page
    answer = client.get(f"/dashboard/links/{link.code}/qr.{kind}")
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert answer.data.startswith(magic)
    assert f'filename="qr-{link.code}.{kind}"' in answer.headers["Content-Disposition"]
    assert client.get(f"/dashboard/links/{link.code}/qr.gif").status_code == 404


def test_the_advocate_page_offers_copy_and_qr_for_each_link(dashboard, client, make_link):
    link = make_link(advocate="cust-1")
    dashboard.login()
    page = client.get("/dashboard/advocates/cust-1").get_data(as_text=True)
    assert f'data-copy="https://go.example/{link.code}"' in page
    assert f"/dashboard/links/{link.code}/qr.png" in page


def test_a_viewer_cannot_edit_a_campaign_or_a_link(client, redis, app, make_link):
    link = make_link()
    create_user(redis, email="carol@shop.example", password="another long passphrase",
                role="viewer")
    actions = DashboardActions(client)
    actions.login("carol@shop.example", "another long passphrase")
    page = client.get(f"/dashboard/links/{link.code}")
    assert "Manage this link" not in page.get_data(as_text=True)
    assert client.get(f"/dashboard/campaigns/{link.campaign_id}/edit").status_code == 403
    token = actions.client.get("/dashboard/").get_data(as_text=True).split(
        'name="csrf_token" type="hidden" value="')[1].split('"')[0]
    refused = client.post(f"/dashboard/links/{link.code}/enabled",
                          data={"enabled": "false", "csrf_token": token})
    assert refused.status_code == 403
    assert store.get_link(redis, link.code).enabled
