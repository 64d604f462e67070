"""Fixtures for the API: keys (alice may write, bob may only read) and a client that sends them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask.testing import FlaskClient

from shortener.api.apikeys import create_api_key
from shortener.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The rate limit has its own test; elsewhere it would only make runs flaky.
    return dataclasses.replace(settings, api_rate_limit="off")


@pytest.fixture
def alice_key(redis: Any) -> str:
    return create_api_key(redis, name="alice's shop")[1]


@pytest.fixture
def bob_key(redis: Any) -> str:
    return create_api_key(redis, name="bob's dashboard", read_only=True)[1]


class Api:
    """The test client with a bearer key on every request."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def __getattr__(self, method: str) -> Any:
        def call(path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(f"/api/v1{path}", headers=headers, **kwargs)

        return call


@pytest.fixture
def api(client: FlaskClient, alice_key: str) -> Api:
    return Api(client, alice_key)


@pytest.fixture
def campaign(api: Api) -> dict[str, Any]:
    response = api.post("/campaigns", json={
        "name": "Spring referrals", "destination": "https://shop.example/spring",
        "allowed_hosts": ["shop.example", "*.shop.example"], "cost": 500, "value_per_click": 0.5,
    })
    assert response.status_code == 201
    return response.json
