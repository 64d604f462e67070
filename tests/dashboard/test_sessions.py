"""Sessions end on the server: sign-out and a password change revoke saved cookies.

And the sign-in limit stops guessing without locking the account's owner out.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from shortener import keys
from shortener.accounts.users import create_user, get_user
from shortener.cli import main
from tests.dashboard.conftest import ALICE, ALICE_PASSWORD, DashboardActions

ATTACKERS = ["198.51.100.7", "198.51.100.8", "198.51.100.9"]
ALICE_ADDRESS = "192.0.2.10"


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def with_cookie(app, value: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_saved_before_sign_out_no_longer_opens_the_dashboard(app, dashboard,
                                                                       client) -> None:
    dashboard.login()
    saved = session_cookie(client)
    assert with_cookie(app, saved).get("/dashboard/").status_code == 200

    dashboard.logout()

    replayed = with_cookie(app, saved).get("/dashboard/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")


def test_signing_out_on_one_device_keeps_the_other_signed_in(app, dashboard, alice) -> None:
    phone = DashboardActions(app.test_client())
    phone.login()
    dashboard.login()
    dashboard.logout()
    assert phone.client.get("/dashboard/").status_code == 200


def test_a_password_change_ends_every_session(app, dashboard, client, runner) -> None:
    dashboard.login()
    phone = DashboardActions(app.test_client())
    phone.login()

    changed = runner.invoke(main, ["user", "password", "--email", ALICE, "--password-stdin"],
                            input="a brand new long secret\n")

    assert changed.exit_code == 0, changed.output
    assert client.get("/dashboard/").status_code == 302
    assert phone.client.get("/dashboard/").status_code == 302
    assert dashboard.login().status_code == 401
    assert dashboard.login(password="a brand new long secret").status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_password_change_for_an_unknown_account_is_refused(runner, redis) -> None:
    result = runner.invoke(main, ["user", "password", "--email", "nobody@shop.example"])
    assert result.exit_code == 1
    assert "nobody@shop.example" in result.output


def test_guesses_from_elsewhere_do_not_lock_the_owner_out(app, alice) -> None:
    for address in ATTACKERS:
        attacker = DashboardActions(app.test_client())
        attacker.client.environ_base["REMOTE_ADDR"] = address
        statuses = [attacker.login(password=f"guess {n}").status_code for n in range(11)]
        assert statuses == [401] * 10 + [429]

    owner = DashboardActions(app.test_client())
    owner.client.environ_base["REMOTE_ADDR"] = ALICE_ADDRESS
    assert owner.login(password=ALICE_PASSWORD).status_code == 302


def test_the_owner_signing_in_does_not_use_up_the_failure_budget(app, alice) -> None:
    owner = DashboardActions(app.test_client())
    owner.client.environ_base["REMOTE_ADDR"] = ALICE_ADDRESS
    for _ in range(3):
        assert owner.login().status_code == 302
        owner.logout()
    assert owner.login(password="one typo").status_code == 401
    assert owner.login().status_code == 302


BOB = "bob@shop.example"
BOB_PASSWORD = "another long passphrase"


def signed_in_as(app, email: str, password: str) -> DashboardActions:
    other = DashboardActions(app.test_client())
    assert other.login(email, password).status_code == 302
    assert other.client.get("/dashboard/").status_code == 200
    return other


def test_changing_ones_own_password_ends_the_other_sessions_only(app, dashboard,
                                                                client) -> None:
    phone = signed_in_as(app, ALICE, ALICE_PASSWORD)
    dashboard.login()
    new = "a brand new long secret"

    changed = dashboard.post_form("/account/password", "/account/password", {
        "current_password": ALICE_PASSWORD, "new_password": new, "confirm_password": new})

    assert changed.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    ended = phone.client.get("/dashboard/")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_an_admin_demoting_a_user_ends_their_sessions(app, redis, dashboard, role) -> None:
    create_user(redis, email=BOB, password=BOB_PASSWORD, role="admin")
    bob = signed_in_as(app, BOB, BOB_PASSWORD)
    dashboard.login()

    dashboard.post_form("/dashboard/users", f"/dashboard/users/{BOB}/role", {"role": role})

    assert get_user(redis, BOB).role == role
    assert bob.client.get("/dashboard/").status_code == 302


def test_promoting_a_user_keeps_them_signed_in(app, redis, dashboard) -> None:
    create_user(redis, email=BOB, password=BOB_PASSWORD, role="viewer")
    bob = signed_in_as(app, BOB, BOB_PASSWORD)
    dashboard.login()

    dashboard.post_form("/dashboard/users", f"/dashboard/users/{BOB}/role", {"role": "editor"})

    assert bob.client.get("/dashboard/").status_code == 200


def test_an_admin_deleting_a_user_ends_their_sessions(app, redis, dashboard) -> None:
    create_user(redis, email=BOB, password=BOB_PASSWORD, role="editor")
    bob = signed_in_as(app, BOB, BOB_PASSWORD)
    dashboard.login()

    dashboard.post_form("/dashboard/users", f"/dashboard/users/{BOB}/delete", {})

    assert bob.client.get("/dashboard/").status_code == 302
    assert redis.exists(keys.user_sessions(BOB)) == 0


def test_an_admin_resetting_a_password_ends_the_users_sessions(app, redis, dashboard) -> None:
    create_user(redis, email=BOB, password=BOB_PASSWORD, role="editor")
    bob = signed_in_as(app, BOB, BOB_PASSWORD)
    dashboard.login()

    reset = dashboard.post_form("/dashboard/users", f"/dashboard/users/{BOB}/password", {})

    page = reset.get_data(as_text=True)
    found = re.search(r"data-one-time-password>([^<]+)<", page)
    assert reset.status_code == 200 and found
    assert bob.client.get("/dashboard/").status_code == 302
    assert bob.login(BOB, BOB_PASSWORD).status_code == 401
    assert bob.login(BOB, found.group(1)).status_code == 302
    assert bob.client.get("/dashboard/").headers["Location"] == "/account/password"


def test_the_cli_reset_ends_the_users_sessions(app, redis, runner, alice) -> None:
    phone = signed_in_as(app, ALICE, ALICE_PASSWORD)

    result = runner.invoke(main, ["user", "reset-password", "--email", ALICE])

    assert result.exit_code == 0, result.output
    assert phone.client.get("/dashboard/").status_code == 302


def test_an_editor_cannot_reset_a_password(app, redis, dashboard) -> None:
    create_user(redis, email=BOB, password=BOB_PASSWORD, role="editor")
    bob = signed_in_as(app, BOB, BOB_PASSWORD)

    refused = bob.post_form("/dashboard/", f"/dashboard/users/{ALICE}/password", {})

    assert refused.status_code == 403
    assert dashboard.login().status_code == 302
