"""Bearer keys: 401 without a live key, 403 when a read-only key writes, stored hashed."""

from __future__ import annotations

import pytest

from shortener import keys
from shortener.api.apikeys import revoke_api_key


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer shk_wrong", "Basic abc"])
def test_it_refuses_a_missing_or_wrong_key(client, alice_key, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/v1/campaigns", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working_at_once(api, redis, alice_key):
    assert api.get("/campaigns").status_code == 200
    key_id = next(iter(redis.hkeys(keys.api_keys())))
    revoke_api_key(redis, key_id)
    assert api.get("/campaigns").status_code == 401


def test_a_read_only_key_reads_but_cannot_write(client, bob_key):
    headers = {"Authorization": f"Bearer {bob_key}"}
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    response = client.post("/api/v1/campaigns", headers=headers,
                           json={"name": "x", "destination": "https://a.example"})
    assert response.status_code == 403
    assert response.json["code"] == "read-only-key"


def test_only_the_hash_of_a_key_is_stored(redis, alice_key):
    dump = [str(redis.dump(key)) for key in redis.scan_iter()]
    assert not any(alice_key in text or alice_key[4:] in text for text in dump)


def test_the_document_and_docs_page_need_no_key(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
