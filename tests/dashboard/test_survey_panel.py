"""The campaign page's survey panel: answers beside measured clicks, the unseen estimate,
the snippet, and a new token (editors only)."""

from __future__ import annotations

import re

import pytest

from shortener.accounts.users import create_user
from shortener.survey.answers import record_answer
from shortener.survey.store import ensure_survey_tokens
from tests.conftest import BROWSER_UA
from tests.dashboard.conftest import ALICE_PASSWORD, DashboardActions


@pytest.fixture
def spring(make_campaign, make_link, client, redis, app_settings):
    """A campaign with two WhatsApp clicks, one of them converted, and three answers."""
    campaign = make_campaign(name="Spring")
    link = make_link(campaign, advocate="cust-1")
    locations = [client.get(f"/{link.code}?ch=whatsapp", headers={"User-Agent": BROWSER_UA},
                            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).headers["Location"]
                 for n in (1, 2)]
    from shortener.clicks.conversions import record_conversion

    key = app_settings.secrets["click_id_key"].encode()
    record_conversion(redis, click_id_key=key, order_id="clicked",
                      click_id=locations[0].rsplit("sclid=", 1)[1])
    for order, heard_via in (("clicked", "friend_whatsapp"), ("told", "friend_in_person"),
                             ("found", "search")):
        record_answer(redis, click_id_key=key, campaign_id=campaign.id, order_id=order,
                      heard_via=heard_via, source="api", retention_days=90)
    return campaign


def row(page: str, group: str) -> str:
    found = re.search(rf'<tr data-group="{group}">(.*?)</tr>', page, re.S)
    assert found, group
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_panel_sets_answers_beside_measured_clicks(dashboard, client, spring, redis):
    dashboard.login()
    page = client.get(f"/dashboard/campaigns/{spring.id}").get_data(as_text=True)
    assert "How customers say they heard about you" in page
    # Said, then measured: count (share) and the share's meter.
    assert row(page, "friend_whatsapp") == \
        "A friend, via WhatsApp 1 (33.3 %) 33.3 % 2 (100.0 %) 100.0 %"
    assert row(page, "friend_in_person") == \
        "A friend, in person 1 (33.3 %) 33.3 % 0 (0.0 %) 0.0 %"
    assert row(page, "search") == "A search engine 1 (33.3 %) 33.3 % 0 (0.0 %) 0.0 %"
    estimate = re.sub(r"\s+", " ", re.search(r'data-survey="estimate">(.*?)</p>', page,
                                             re.S).group(1))
    assert estimate.startswith("1 of 2 customers who named a friend came with no click")
    token = ensure_survey_tokens(redis, [spring.id])[spring.id]
    assert f"data-token=&#34;{token}&#34;" in page
    assert "ORDER_ID" in page


def test_an_editor_gives_the_survey_a_new_token(dashboard, client, spring, redis):
    dashboard.login()
    before = ensure_survey_tokens(redis, [spring.id])[spring.id]
    page = f"/dashboard/campaigns/{spring.id}"
    response = dashboard.post_form(page, f"/dashboard/campaigns/{spring.id}/survey-token", {})
    assert response.status_code == 303
    after = ensure_survey_tokens(redis, [spring.id])[spring.id]
    assert after != before
    forged = client.post(f"/dashboard/campaigns/{spring.id}/survey-token",
                         data={"csrf_token": "forged"})
    assert forged.status_code == 303
    assert ensure_survey_tokens(redis, [spring.id])[spring.id] == after


def test_a_viewer_sees_the_panel_but_cannot_change_the_token(client, redis, alice, spring):
    create_user(redis, email="carol@shop.example", password=ALICE_PASSWORD, role="viewer")
    viewer = DashboardActions(client)
    viewer.login("carol@shop.example", ALICE_PASSWORD)
    before = ensure_survey_tokens(redis, [spring.id])[spring.id]
    page = client.get(f"/dashboard/campaigns/{spring.id}").get_data(as_text=True)
    assert "How customers say they heard about you" in page
    assert "New survey token" not in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/dashboard/").get_data(as_text=True)).group(1)
    refused = client.post(f"/dashboard/campaigns/{spring.id}/survey-token",
                          data={"csrf_token": token})
    assert refused.status_code == 403
    assert ensure_survey_tokens(redis, [spring.id])[spring.id] == before
