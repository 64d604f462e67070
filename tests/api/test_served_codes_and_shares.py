"""A referral code and a share tap end to end over HTTP against the real service
(gunicorn with the production configuration), on one Redis and on a Redis Cluster."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest

from shortener.api.apikeys import create_api_key
from tests.conftest import BROWSER_UA
from tests.serving import gunicorn, settle
from tests.webhooks.test_served_webhooks import Http

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def request(port: int, method: str, path: str, form: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": BROWSER_UA}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_a_code_and_a_share_tap_travel_end_to_end(redis, redis_server, tmp_path):
    key = create_api_key(redis, name="shop")[1]
    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path) as port:
        api = Http(port, key)
        _, campaign = api.call("POST", "/api/v1/campaigns", {
            "name": "Spring", "destination": "https://shop.example/", "code_prefix": "spring"})
        api.call("PUT", "/api/v1/advocates/anna", {"name": "Anna"})
        status, link = api.call("POST", "/api/v1/links",
                                {"campaign": campaign["id"], "advocate": "anna"})
        assert status == 201 and link["referral_code"].startswith("SPRING-")
        _, advocate = api.call("GET", "/api/v1/advocates/anna")
        assert advocate["referral_codes"] == {campaign["id"]: link["referral_code"]}

        share_path = urllib.parse.urlparse(advocate["share_url"]).path
        status, _, page = request(port, "GET", share_path)
        assert status == 200 and f"<code>{link['referral_code']}</code>" in page

        status, headers, body = request(port, "POST", f"{share_path}/shares",
                                        {"channel": "whatsapp", "link": link["code"]})
        assert (status, body) == (204, "")
        assert "Set-Cookie" not in headers
        assert request(port, "POST", f"{share_path}/shares",
                       {"channel": "carrier-pigeon", "link": link["code"]})[0] == 422
        assert request(port, "POST", "/s/unknown-token/shares",
                       {"channel": "whatsapp", "link": link["code"]})[0] == 404
        for _ in range(2):
            assert request(port, "GET", f"/{link['code']}?ch=whatsapp")[0] == 302

        typed = link["referral_code"].lower().replace("-", " ")
        status, conversion = api.call("POST", "/api/v1/conversions", {
            "campaign": campaign["id"], "code": typed, "order_id": "A-1", "value": 45})
        assert status == 201
        assert (conversion["advocate"], conversion["channel"]) == ("anna", "code")
        status, problem = api.call("POST", "/api/v1/conversions", {
            "campaign": campaign["id"], "code": "SPRING-2222X", "order_id": "A-2"})
        assert (status, problem["field"]) == (422, "code")

        stats_path = f"/api/v1/campaigns/{campaign['id']}/stats"
        settle(lambda: api.call("GET", stats_path)[1]["clicks"], 2)
        _, stats = api.call("GET", stats_path)
        _, kpis = api.call("GET", f"/api/v1/campaigns/{campaign['id']}/kpis")
    assert (stats["conversions"], stats["conversions_by_code"], stats["conversions_by_click"]) \
        == (1, 1, 0)
    assert stats["shares"] == {"whatsapp": 1}
    assert stats["clicks_per_share"] == {"whatsapp": 2.0}
    assert (kpis["conversions"], kpis["conversions_by_code"]) == (1, 1)
