"""Sessions end on the server: sign-out and a password change revoke saved cookies.

And the sign-in limit stops guessing without locking the account's owner out.
"""

from __future__ import annotations

from flask.testing import FlaskClient

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
