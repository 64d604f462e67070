"""Signing in and out of the dashboard: passwords, sessions, CSRF, rate limits."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.conftest import ALICE, csrf_token


def test_login_is_required(client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_alice_signs_in_and_sees_the_overview(dashboard, client) -> None:
    response = dashboard.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    with client.session_transaction() as session:
        assert session["user"] == ALICE
    assert "Where recommendations travel" in client.get("/dashboard/").get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite_lax(dashboard) -> None:
    response = dashboard.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_with_a_message(dashboard, client) -> None:
    response = dashboard.login(password="not the password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user" not in session


def test_an_unknown_email_gets_the_same_message(dashboard) -> None:
    response = dashboard.login(email="mallory@elsewhere.example")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_a_forged_login_form_is_refused(client, alice) -> None:
    response = client.post("/login", data={"email": ALICE,
                                           "password": "correct horse battery staple"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user" not in session


def test_an_expired_session_is_sent_to_sign_in_again(dashboard, client) -> None:
    dashboard.login()
    with client.session_transaction() as session:
        session["login_at"] = time.time() - 13 * 3600

    response = client.get("/dashboard/", follow_redirects=True)

    assert "Your session has expired. Sign in again." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user" not in session


def test_logout_ends_the_session(dashboard, client) -> None:
    dashboard.login()
    response = dashboard.logout()
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard/").status_code == 302


def test_a_forged_logout_does_not_sign_out(dashboard, client) -> None:
    dashboard.login()
    client.post("/logout", data={})
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_to_another_site(dashboard, client, target) -> None:
    token = csrf_token(client.get("/login"))
    response = client.post(f"/login?next={target}", data={
        "email": ALICE, "password": "correct horse battery staple", "csrf_token": token})
    assert response.headers["Location"] == "/dashboard/"


def test_login_attempts_are_rate_limited(dashboard, redis) -> None:
    statuses = [dashboard.login(password=f"guess number {n}").status_code for n in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert not [key for key in redis.keys("*") if "127.0.0.1" in key]
