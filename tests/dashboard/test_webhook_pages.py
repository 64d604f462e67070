"""/dashboard/webhooks over HTTP: admins subscribe, see deliveries page by page, retry, delete.

Editors and viewers get 403 on every webhook page and form.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from shortener.accounts.users import create_user
from shortener.config import Settings
from shortener.links.minting import mint_link
from shortener.webhooks import store
from shortener.webhooks.delivery import deliver_next
from shortener.webhooks.subscriptions import create_webhook, list_deliveries
from tests.dashboard.conftest import DashboardActions
from tests.webhooks.receiver import receiving

BOB, PASSWORD = "bob@shop.example", "another long passphrase"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private=True)


@pytest.fixture
def receiver():
    with receiving() as running:
        yield running


def delivery_ids(page: str) -> list[str]:
    return re.findall(r'data-delivery="([0-9-]+)"', page)


def pager_links(page: str) -> dict[str, str]:
    return {name: html.unescape(href).split("#")[0] for href, name in
            re.findall(r'href="([^"]+)" data-page="(previous|next)"', page)}


def test_an_admin_subscribes_and_sees_the_secret_once(dashboard, client, redis, receiver,
                                                      make_campaign):
    spring = make_campaign(name="Spring")
    dashboard.login()
    page = client.get("/dashboard/webhooks").get_data(as_text=True)
    assert 'value="click"' in page and "Spring" in page
    assert 'placeholder="https://crm.example/hooks"' in page

    made = dashboard.post_form("/dashboard/webhooks", "/dashboard/webhooks", {
        "url": receiver.url, "events": ["link.created", "reward.created"],
        "campaigns": [spring.id]})

    assert made.status_code == 201
    [webhook] = store.list_webhooks(redis)
    assert (webhook.events, webhook.campaigns) == (["link.created", "reward.created"],
                                                   [spring.id])
    assert f"data-webhook-secret>{webhook.secret}<" in made.get_data(as_text=True)
    again = client.get("/dashboard/webhooks").get_data(as_text=True)
    assert f'data-webhook="{webhook.id}"' in again and webhook.secret not in again


@pytest.mark.parametrize("data, message", [
    ({"url": "ftp://hooks.example/x", "events": ["click"]}, "url must be an http(s) URL"),
    ({"url": "http://127.0.0.1:9/x"}, "Choose at least one event."),
    ({"url": "http://127.0.0.1:9/x", "events": ["order.paid"]},
     "'order.paid' is not a valid choice"),
])
def test_a_bad_subscription_is_named_on_the_form(dashboard, redis, data, message):
    dashboard.login()
    refused = dashboard.post_form("/dashboard/webhooks", "/dashboard/webhooks", data)
    assert refused.status_code in {400, 422}
    assert message in html.unescape(refused.get_data(as_text=True))
    assert store.list_webhooks(redis) == []


def test_deliveries_show_status_attempts_and_response_and_one_is_retried(
        dashboard, client, redis, app_settings, make_campaign, receiver):
    receiver.answer = lambda received: 500
    webhook = create_webhook(redis, url=receiver.url, events=["link.created"],
                             allow_private=True)
    campaign = make_campaign()
    for advocate in ("ann", "ben"):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=advocate)
    assert deliver_next(redis, webhook, "test", allow_private=True) == "retrying"
    dashboard.login()

    page = client.get(f"/dashboard/webhooks/{webhook.id}").get_data(as_text=True)
    head, second = list_deliveries(redis, webhook.id)
    assert delivery_ids(page) == [head.id, second.id]
    row = page.split(f'data-delivery="{head.id}"')[1].split("</tr>")[0]
    assert "data-status>pending<" in row and "data-attempts>1<" in row
    assert "data-response>500<" in row and "answered 500" in row and "data-retry" in row
    behind = page.split(f'data-delivery="{second.id}"')[1].split("</tr>")[0]
    assert "data-retry" not in behind  # it goes after the head, not before

    receiver.answer = lambda received: 200
    retried = dashboard.post_form(f"/dashboard/webhooks/{webhook.id}",
                                  f"/dashboard/webhooks/{webhook.id}/deliveries/{head.id}/retry",
                                  {})
    assert retried.status_code == 303
    assert list_deliveries(redis, webhook.id)[0].next_attempt_at is None
    assert deliver_next(redis, webhook, "test", allow_private=True) == "delivered"
    delivered = client.get(f"/dashboard/webhooks/{webhook.id}?status=delivered")
    assert delivery_ids(delivered.get_data(as_text=True)) == [head.id]


def test_the_deliveries_list_pages_forward_and_back(dashboard, client, redis, app_settings,
                                                    make_campaign, receiver):
    webhook = create_webhook(redis, url=receiver.url, events=["link.created"],
                             allow_private=True)
    campaign = make_campaign()
    for number in range(130):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=f"a-{number}")
    for _ in range(20):
        assert deliver_next(redis, webhook, "test", allow_private=True) == "delivered"
    every = [item.id for item in list_deliveries(redis, webhook.id, limit=500)]
    assert len(every) == 130
    dashboard.login()

    page = client.get(f"/dashboard/webhooks/{webhook.id}").get_data(as_text=True)
    pages = [delivery_ids(page)]
    while "next" in pager_links(page):
        page = client.get(f"/dashboard/webhooks/{webhook.id}{pager_links(page)['next']}"
                          ).get_data(as_text=True)
        pages.append(delivery_ids(page))
    assert pages == [every[:50], every[50:100], every[100:]]
    for expected in (every[50:100], every[:50]):
        page = client.get(f"/dashboard/webhooks/{webhook.id}{pager_links(page)['previous']}"
                          ).get_data(as_text=True)
        assert delivery_ids(page) == expected
    assert "previous" not in pager_links(page)


def test_an_admin_deletes_a_subscription(dashboard, client, redis):
    webhook = create_webhook(redis, url="http://127.0.0.1:9/x", events=["click"],
                             allow_private=True)
    dashboard.login()
    deleted = dashboard.post_form("/dashboard/webhooks",
                                  f"/dashboard/webhooks/{webhook.id}/delete", {})
    assert deleted.status_code == 303
    assert store.list_webhooks(redis) == []
    assert client.get(f"/dashboard/webhooks/{webhook.id}").status_code == 404


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_reach_webhooks(client, redis, alice, role):
    webhook = create_webhook(redis, url="http://127.0.0.1:9/x", events=["click"],
                             allow_private=True)
    create_user(redis, email=BOB, password=PASSWORD, role=role)
    bob = DashboardActions(client)
    bob.login(BOB, PASSWORD)
    assert "/dashboard/webhooks" not in client.get("/dashboard/").get_data(as_text=True)
    assert client.get("/dashboard/webhooks").status_code == 403
    assert client.get(f"/dashboard/webhooks/{webhook.id}").status_code == 403
    for action, data in (("/dashboard/webhooks", {"url": "http://127.0.0.1:9/y",
                                                  "events": "click"}),
                         (f"/dashboard/webhooks/{webhook.id}/delete", {}),
                         (f"/dashboard/webhooks/{webhook.id}/deliveries/1-0/retry", {})):
        assert bob.post_form("/dashboard/", action, data).status_code == 403
    assert [item.id for item in store.list_webhooks(redis)] == [webhook.id]
