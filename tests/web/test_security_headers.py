"""Security headers on every kind of response, from the real service over HTTP.

CSP, nosniff and a framing rule on all of them; HSTS only when the request
came over https, which the service knows only from a trusted proxy.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
from pathlib import Path
from typing import Any

import pytest

from shortener.accounts.users import create_user
from shortener.api.apikeys import create_api_key
from shortener.links import store
from tests.conftest import BROWSER_UA
from tests.serving import gunicorn

PASSWORD = "correct horse battery staple"


class Browser:
    """http.client with one cookie jar: enough to sign in to the dashboard."""

    def __init__(self, port: int, **headers: str) -> None:
        self.port = port
        self.headers = {"User-Agent": BROWSER_UA, **headers}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {**self.headers, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response, data

    def sign_in(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        response, _ = self.request(
            "POST", "/login",
            f"email={email}&password={PASSWORD.replace(' ', '+')}"
            f"&csrf_token={token.group(1).decode()}")
        assert response.status == 302


@pytest.fixture
def catalogue(redis, make_campaign, make_link) -> dict[str, Any]:
    campaign = make_campaign()
    link = make_link(campaign, "alice")
    disabled = make_link(campaign, "bob")
    store.save_link(redis, dataclasses.replace(disabled, enabled=False))
    create_user(redis, email="ana@shop.example", password=PASSWORD)
    return {
        "code": link.code,
        "disabled": disabled.code,
        "share": store.get_advocate(redis, "alice").share_token,
        "key": create_api_key(redis, name="shop")[1],
    }


def pages(catalogue: dict[str, Any]) -> list[tuple[str, int, dict[str, str]]]:
    """(path, expected status, extra request headers) of every kind of page."""
    api = {"Authorization": f"Bearer {catalogue['key']}"}
    return [
        (f"/{catalogue['code']}", 302, {}),
        ("/nO7here", 404, {}),
        (f"/{catalogue['disabled']}", 410, {}),
        (f"/s/{catalogue['share']}", 200, {}),
        ("/s/not-a-token", 404, {}),
        ("/login", 200, {}),
        ("/dashboard/", 200, {}),
        ("/dashboard/missing", 404, {}),
        ("/api/v1/campaigns", 200, api),
        ("/api/v1/campaigns", 401, {}),
        ("/api/v1/campaigns/404", 404, api),
        ("/api/v1/docs", 200, {}),
        ("/api/v1/openapi.json", 200, {}),
        ("/metrics", 200, {}),
        ("/healthz", 200, {}),
        ("/readyz", 200, {}),
        ("/static/css/site.css", 200, {}),
    ]


@pytest.mark.parametrize(("trusted_proxies", "forwarded", "hsts"), [
    ("0", {}, False),
    ("0", {"X-Forwarded-Proto": "https"}, False),  # anyone could send it
    ("1", {"X-Forwarded-Proto": "https"}, True),
])
def test_every_response_carries_the_security_headers(settings, catalogue, tmp_path: Path,
                                                     trusted_proxies, forwarded, hsts):
    with gunicorn(redis_url=settings.redis_url, data_dir=tmp_path,
                  TRUSTED_PROXIES=trusted_proxies) as port:
        browser = Browser(port, **forwarded)
        browser.sign_in("ana@shop.example")
        for path, status, headers in pages(catalogue):
            response, _ = browser.request("GET", path, **headers)
            assert response.status == status, path
            policy = response.headers.get("Content-Security-Policy") or ""
            assert "frame-ancestors 'none'" in policy, path
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
            assert response.headers.get("X-Content-Type-Options") == "nosniff", path
            assert response.headers.get("X-Frame-Options") == "DENY", path
            assert ("Strict-Transport-Security" in response.headers) is hsts, path
            if hsts:
                assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_redirect_leaves_the_referrer_policy_to_the_browser(client, make_link):
    """A Referrer-Policy on the 302 would change what the destination receives."""
    response = client.get(f"/{make_link().code}", headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 302
    assert "Referrer-Policy" not in response.headers
    assert response.headers["Content-Security-Policy"]
