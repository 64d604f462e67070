"""HTTP-level answers of the API: allowed methods, over-long request lines."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def test_options_on_bulk_minting_advertises_only_its_own_methods(api):
    response = api.options("/links/bulk")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_options_on_a_link_advertises_the_link_methods(api):
    response = api.options("/links/abc123")
    assert {"GET", "PATCH"} <= set(response.headers["Allow"].split(", "))
    assert "POST" not in response.headers["Allow"]


def test_an_over_long_url_gets_414_problem_json(api):
    response = api.get("/campaigns?cursor=" + "a" * 8100)
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 414


def test_gunicorn_lets_the_api_answer_an_over_long_url(redis_server, tmp_path):
    from tests.serving import gunicorn

    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path) as port:
        url = f"http://127.0.0.1:{port}/api/v1/campaigns?cursor=" + "a" * 8100
        try:
            urllib.request.urlopen(url, timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == 414
            assert error.headers["Content-Type"] == "application/problem+json"
            assert json.loads(error.read())["code"] == "request-uri-too-long"
        else:
            raise AssertionError("an over-long URL was answered 2xx")
