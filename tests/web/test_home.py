"""GET /: to the dashboard, or to the sign-in page for whoever is not signed in."""

from __future__ import annotations

from tests.dashboard.conftest import DashboardActions


def test_the_root_sends_visitors_to_sign_in(client):
    first = client.get("/")
    assert first.status_code == 302
    assert first.headers["Location"] == "/dashboard/"
    assert client.get("/", follow_redirects=True).request.path == "/login"


def test_the_root_opens_the_dashboard_when_signed_in(client, redis, app):
    from shortener.accounts.users import create_user

    create_user(redis, email="ana@shop.example", password="correct horse battery")
    DashboardActions(client).login("ana@shop.example", "correct horse battery")
    assert client.get("/", follow_redirects=True).request.path == "/dashboard/"
