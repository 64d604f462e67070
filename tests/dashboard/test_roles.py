"""Dashboard roles over HTTP: admin does everything, editor edits, viewer only reads.

bob is an editor, carol a viewer; alice (conftest) is the admin.
"""

from __future__ import annotations

import pytest

from shortener.accounts.users import create_user, get_user, reset_password
from shortener.links import store
from shortener.links.advocates import upsert_advocate
from tests.conftest import BROWSER_UA
from tests.dashboard.conftest import ALICE, ALICE_PASSWORD, DashboardActions, csrf_token

BOB, CAROL = "bob@shop.example", "carol@shop.example"
PASSWORD = "another long passphrase"


@pytest.fixture
def bob(redis, app):
    return create_user(redis, email=BOB, password=PASSWORD, role="editor")


@pytest.fixture
def carol(redis, app):
    return create_user(redis, email=CAROL, password=PASSWORD, role="viewer")


@pytest.fixture
def spring(redis, client, make_campaign, make_link):
    """A campaign whose advocate cust-1 (Dana Example) brought one click."""
    campaign = make_campaign()
    upsert_advocate(redis, external_id="cust-1", name="Dana Example", contact="dana@mail.example")
    link = make_link(campaign, "cust-1")
    assert client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).status_code == 302
    return campaign


def test_a_viewer_sees_figures_but_no_forms(client, carol, spring):
    DashboardActions(client).login(CAROL, PASSWORD)
    overview = client.get("/dashboard/")
    assert overview.status_code == 200
    page = overview.get_data(as_text=True)
    assert "New campaign" not in page and "/dashboard/users" not in page
    campaign_page = client.get(f"/dashboard/campaigns/{spring.id}").get_data(as_text=True)
    assert "cust-1" in campaign_page
    assert "Mint links" not in campaign_page and 'name="advocates"' not in campaign_page


def test_a_viewer_sees_advocate_ids_but_no_names_or_contacts(client, carol, spring):
    DashboardActions(client).login(CAROL, PASSWORD)
    advocate_page = client.get("/dashboard/advocates/cust-1").get_data(as_text=True)
    assert "cust-1" in advocate_page
    assert "Dana Example" not in advocate_page and "dana@mail.example" not in advocate_page
    assert "/s/" not in advocate_page  # the share page shows the advocate's name
    # A referral code may begin with the first letters of the name.
    assert "data-referral-code" not in advocate_page
    campaign_page = client.get(f"/dashboard/campaigns/{spring.id}").get_data(as_text=True)
    assert "Dana Example" not in campaign_page
    export = client.get(f"/dashboard/campaigns/{spring.id}?export=advocates")
    header, *rows = export.get_data(as_text=True).splitlines()
    assert "Name" not in header.split(",") and "cust-1" in rows[0]
    assert "Dana Example" not in export.get_data(as_text=True)


def test_an_editor_sees_names(client, bob, spring):
    DashboardActions(client).login(BOB, PASSWORD)
    advocate_page = client.get("/dashboard/advocates/cust-1").get_data(as_text=True)
    assert "Dana Example" in advocate_page
    assert f'data-referral-code="{spring.id}"' in advocate_page
    export = client.get(f"/dashboard/campaigns/{spring.id}?export=advocates")
    assert "Dana Example" in export.get_data(as_text=True)


def test_a_viewer_write_is_refused_and_changes_nothing(client, redis, alice, carol, spring):
    # The token comes from a page the viewer may see: the forms are not shown to them.
    DashboardActions(client).login(CAROL, PASSWORD)
    token = csrf_token(client.get("/dashboard/"))
    minted = client.post(f"/dashboard/campaigns/{spring.id}/links",
                         data={"advocates": "cust-9", "csrf_token": token})
    assert minted.status_code == 403
    assert store.get_advocate(redis, "cust-9") is None
    created = client.post("/dashboard/campaigns/new", data={
        "name": "Sneaky", "destination": "https://shop.example/", "currency": "EUR",
        "csrf_token": token})
    assert created.status_code == 403
    assert len(store.list_campaign_ids(redis)) == 1
    assert client.get("/dashboard/campaigns/new").status_code == 403
    promoted = client.post(f"/dashboard/users/{CAROL}/role",
                           data={"role": "admin", "csrf_token": token})
    assert promoted.status_code == 403
    assert get_user(redis, CAROL).role == "viewer"


def test_an_editor_mints_but_cannot_manage_users(client, redis, bob, spring):
    actions = DashboardActions(client)
    actions.login(BOB, PASSWORD)
    minted = actions.post_form(f"/dashboard/campaigns/{spring.id}",
                               f"/dashboard/campaigns/{spring.id}/links",
                               {"advocates": "cust-9"})
    assert minted.status_code == 303
    assert store.get_advocate(redis, "cust-9") is not None
    assert client.get("/dashboard/users").status_code == 403


def test_an_admin_adds_a_user_who_must_change_the_password(client, redis, dashboard):
    dashboard.login()
    added = dashboard.post_form("/dashboard/users", "/dashboard/users",
                                {"email": "dave@shop.example", "role": "editor"})
    assert added.status_code == 201
    page = added.get_data(as_text=True)
    password = page.split("data-one-time-password>")[1].split("<")[0]
    dave = get_user(redis, "dave@shop.example")
    assert dave.role == "editor" and dave.must_change_password

    dashboard.logout()
    dashboard.login("dave@shop.example", password)
    assert client.get("/dashboard/").headers["Location"] == "/account/password"
    changed = dashboard.post_form("/account/password", "/account/password", {
        "current_password": password, "new_password": PASSWORD, "confirm_password": PASSWORD})
    assert changed.status_code == 302
    assert not get_user(redis, "dave@shop.example").must_change_password
    assert client.get("/dashboard/").status_code == 200


def test_an_admin_sets_a_role_and_deletes_a_user(client, redis, dashboard, carol):
    dashboard.login()
    assert dashboard.post_form("/dashboard/users", f"/dashboard/users/{CAROL}/role",
                               {"role": "editor"}).status_code == 303
    assert get_user(redis, CAROL).role == "editor"
    assert dashboard.post_form("/dashboard/users", f"/dashboard/users/{CAROL}/delete",
                               {}).status_code == 303
    assert get_user(redis, CAROL) is None


def test_an_admin_cannot_demote_themselves(client, redis, dashboard):
    dashboard.login()
    dashboard.post_form("/dashboard/users", f"/dashboard/users/{ALICE}/role", {"role": "viewer"})
    assert get_user(redis, ALICE).role == "admin"


def test_a_reset_password_forces_a_change_at_sign_in(client, redis, bob):
    reset_password(redis, BOB, "one time password 123")
    actions = DashboardActions(client)
    assert actions.login(BOB, PASSWORD).status_code == 401
    actions.login(BOB, "one time password 123")
    assert client.get("/dashboard/").headers["Location"] == "/account/password"
    wrong = actions.post_form("/account/password", "/account/password", {
        "current_password": "not it at all", "new_password": PASSWORD,
        "confirm_password": PASSWORD})
    assert wrong.status_code == 400
    assert "current password is wrong" in wrong.get_data(as_text=True)
    assert get_user(redis, BOB).must_change_password


def test_a_signed_in_user_changes_their_password(client, redis, dashboard):
    dashboard.login()
    new = "a brand new passphrase"
    changed = dashboard.post_form("/account/password", "/account/password", {
        "current_password": ALICE_PASSWORD, "new_password": new, "confirm_password": new})
    assert changed.status_code == 302
    dashboard.logout()
    assert dashboard.login(ALICE, ALICE_PASSWORD).status_code == 401
    assert dashboard.login(ALICE, new).status_code == 302


@pytest.mark.parametrize("action, data", [
    ("role", {"role": "viewer"}),
    ("delete", {}),
    ("password", {}),
])
def test_an_editor_cannot_post_to_user_administration(client, redis, alice, bob, action, data):
    actions = DashboardActions(client)
    actions.login(BOB, PASSWORD)
    refused = actions.post_form("/dashboard/", f"/dashboard/users/{ALICE}/{action}", data)
    assert refused.status_code == 403
    kept = get_user(redis, ALICE)
    assert kept is not None and kept.role == "admin" and not kept.must_change_password


def _dashboard_rules(app, method):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("dashboard.", "account.")) and method in rule.methods:
            yield rule.endpoint, rule.build({name: "x" for name in rule.arguments},
                                            append_unknown=False)[1]


def test_a_viewer_is_refused_every_dashboard_write(app, client, redis, alice, carol):
    DashboardActions(client).login(CAROL, PASSWORD)
    token = csrf_token(client.get("/account/password"))
    posts = [(endpoint, path) for endpoint, path in _dashboard_rules(app, "POST")
             if not endpoint.startswith("account.")]
    assert len(posts) > 10
    statuses = {endpoint: client.post(path, data={"csrf_token": token}).status_code
                for endpoint, path in posts}
    assert statuses == {endpoint: 403 for endpoint, _ in posts}


def test_an_editor_is_refused_every_admin_page_and_form(app, client, redis, alice, bob):
    from shortener.dashboard.roles import ADMIN_PAGES

    DashboardActions(client).login(BOB, PASSWORD)
    token = csrf_token(client.get("/account/password"))
    statuses = {}
    for method in ("GET", "POST"):
        for endpoint, path in _dashboard_rules(app, method):
            if endpoint in ADMIN_PAGES:
                statuses[method, endpoint] = client.open(
                    path, method=method, data={"csrf_token": token}).status_code
    assert {endpoint for _, endpoint in statuses} == ADMIN_PAGES
    assert set(statuses.values()) == {403}


def test_a_viewer_sees_rewards_without_review_forms_or_the_payout_export(
        client, redis, carol, spring):
    from shortener.rewards import store as reward_store
    from shortener.rewards.models import Reward

    reward_store.grant_reward(redis, Reward(id="rw_00000000000000aa", campaign=spring.id,
                                            advocate="cust-1", reward="Voucher",
                                            conversions=1, created_at=1_700_000_000.0))
    DashboardActions(client).login(CAROL, PASSWORD)
    page = client.get("/dashboard/rewards").get_data(as_text=True)
    assert 'data-reward="rw_00000000000000aa"' in page
    assert "data-action=" not in page and "data-export=" not in page
    export = client.get("/dashboard/rewards.csv")
    assert export.status_code == 403 and "Dana Example" not in export.get_data(as_text=True)
