"""/dashboard/api-keys over HTTP: admins create a key (shown once), see every key, revoke one.

Editors and viewers get 403 on the page and its forms (the route-walking tests in
test_roles.py cover every admin endpoint; these check the state stays unchanged).
"""

from __future__ import annotations

import html
import re

import pytest

from shortener.accounts.users import create_user
from shortener.api.apikeys import create_api_key, find_caller, list_api_keys
from tests.dashboard.conftest import DashboardActions, csrf_token

PASSWORD = "another long passphrase"


def test_an_admin_creates_a_key_that_is_shown_once_and_opens_the_api(
        dashboard, client, redis, make_campaign):
    spring = make_campaign(name="Spring")
    dashboard.login()
    page = client.get("/dashboard/api-keys").get_data(as_text=True)
    assert 'value="stats:read"' in page and "Spring" in page
    assert 'aria-describedby="name-help"' in page and "placeholder" not in page

    made = dashboard.post_form("/dashboard/api-keys", "/dashboard/api-keys", {
        "name": "Reports", "scopes": ["stats:read", "campaigns:read"],
        "campaigns": [spring.id]})

    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    [record] = list_api_keys(redis)
    assert (record.name, record.scopes, record.campaigns, record.read_only) == \
        ("Reports", ["campaigns:read", "stats:read"], [spring.id], True)
    token = re.search(r"data-api-key>([^<]+)<", made.get_data(as_text=True)).group(1)
    caller = find_caller(redis, token)
    assert caller is not None and caller.key_id == record.id
    assert client.get(f"/api/v1/campaigns/{spring.id}",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = client.get("/dashboard/api-keys").get_data(as_text=True)
    assert f'data-api-key-id="{record.id}"' in again and token not in again
    row = again.split(f'data-api-key-id="{record.id}"')[1].split("</tr>")[0]
    assert "campaigns:read, stats:read" in row and "Spring" in row
    assert record.prefix in row and "data-status>active<" in row


def test_a_key_without_scopes_has_full_access(dashboard, client, redis):
    dashboard.login()
    made = dashboard.post_form("/dashboard/api-keys", "/dashboard/api-keys", {"name": "CRM"})
    assert made.status_code == 201
    [record] = list_api_keys(redis)
    assert record.scopes is None and record.campaigns == []
    row = made.get_data(as_text=True).split(f'data-api-key-id="{record.id}"')[1]
    assert "data-scopes>Full access<" in row


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "This field is required."),
    ({"name": "x" * 101}, "Field cannot be longer than 100 characters."),
    ({"name": "bi", "scopes": ["everything"]}, "'everything' is not a valid choice"),
    ({"name": "bi", "campaigns": ["999"]}, "'999' is not a valid choice"),
])
def test_a_bad_key_is_named_on_the_form(dashboard, redis, make_campaign, data, message):
    make_campaign()
    dashboard.login()
    refused = dashboard.post_form("/dashboard/api-keys", "/dashboard/api-keys", data)
    assert refused.status_code == 400
    assert message in html.unescape(refused.get_data(as_text=True))
    assert list_api_keys(redis) == []


def test_an_admin_revokes_a_key_and_it_stops_working(dashboard, client, redis):
    record, token = create_api_key(redis, name="old shop")
    dashboard.login()
    revoked = dashboard.post_form("/dashboard/api-keys",
                                  f"/dashboard/api-keys/{record.id}/revoke", {})
    assert revoked.status_code == 303
    assert find_caller(redis, token) is None
    assert client.get("/api/v1/campaigns",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401
    page = client.get("/dashboard/api-keys").get_data(as_text=True)
    row = page.split(f'data-api-key-id="{record.id}"')[1].split("</tr>")[0]
    assert "data-status>revoked " in row and "data-revoke-key" not in row
    assert "is revoked" in page


def test_a_revoke_without_the_form_token_changes_nothing(dashboard, client, redis):
    record, token = create_api_key(redis, name="shop")
    dashboard.login()
    refused = client.post(f"/dashboard/api-keys/{record.id}/revoke", data={})
    assert refused.status_code == 303
    assert find_caller(redis, token) is not None


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_can_neither_see_nor_make_nor_revoke_keys(client, redis, alice,
                                                                       role):
    record, token = create_api_key(redis, name="shop")
    create_user(redis, email="bob@shop.example", password=PASSWORD, role=role)
    DashboardActions(client).login("bob@shop.example", PASSWORD)
    assert client.get("/dashboard/api-keys").status_code == 403
    assert "/dashboard/api-keys" not in client.get("/dashboard/").get_data(as_text=True)
    form = csrf_token(client.get("/account/password"))
    assert client.post("/dashboard/api-keys",
                       data={"name": "mine", "csrf_token": form}).status_code == 403
    assert client.post(f"/dashboard/api-keys/{record.id}/revoke",
                       data={"csrf_token": form}).status_code == 403
    assert [key.id for key in list_api_keys(redis)] == [record.id]
    assert find_caller(redis, token) is not None
