"""The per-key rate limit: 429 with Retry-After, counted per key."""

from __future__ import annotations

import dataclasses

from shortener import create_app
from shortener.api.apikeys import create_api_key


def test_a_key_over_its_limit_gets_429_with_retry_after(settings, redis):
    app = create_app(dataclasses.replace(settings, api_rate_limit="2/minute"))
    client = app.test_client()
    alice = {"Authorization": f"Bearer {create_api_key(redis, name='alice')[1]}"}
    bob = {"Authorization": f"Bearer {create_api_key(redis, name='bob')[1]}"}
    statuses = [client.get("/api/v1/campaigns", headers=alice).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/api/v1/campaigns", headers=alice)
    assert limited.mimetype == "application/problem+json"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/campaigns", headers=bob).status_code == 200


def test_a_keys_limit_is_shared_by_every_endpoint(settings, redis):
    app = create_app(dataclasses.replace(settings, api_rate_limit="3/minute"))
    client = app.test_client()
    alice = {"Authorization": f"Bearer {create_api_key(redis, name='alice')[1]}"}
    paths = ["/api/v1/campaigns", "/api/v1/advocates", "/api/v1/campaigns/1",
             "/api/v1/links/nope"]
    statuses = [client.get(path, headers=alice).status_code for path in paths]
    assert statuses[:3] == [200, 200, 404]
    assert statuses[3] == 429


def test_made_up_keys_are_limited_per_address_and_leave_one_counter(settings, redis):
    app = create_app(dataclasses.replace(settings, api_rate_limit="600/minute"))
    client = app.test_client()
    statuses = [
        client.get("/api/v1/campaigns",
                   headers={"Authorization": f"Bearer sk_made_up_{n:04d}"}).status_code
        for n in range(100)
    ]
    assert statuses[:30] == [401] * 30
    assert set(statuses[30:]) == {429}
    limited = client.get("/api/v1/campaigns", headers={"Authorization": "Bearer nope"})
    assert limited.status_code == 429
    assert limited.json["field"] == "Authorization"
    assert int(limited.headers["Retry-After"]) > 0
    counters = [key for key in redis.scan_iter() if "limit" in key.lower()]
    assert len(counters) == 1
    assert "127.0.0.1" not in counters[0]


def test_a_valid_key_still_works_from_an_address_that_sprayed_tokens(settings, redis):
    app = create_app(dataclasses.replace(settings, api_rate_limit="600/minute"))
    client = app.test_client()
    for n in range(40):
        client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer guess{n}"})
    alice = {"Authorization": f"Bearer {create_api_key(redis, name='alice')[1]}"}
    assert client.get("/api/v1/campaigns", headers=alice).status_code == 200
