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
