"""Scoped API keys: each operation needs its scope; a key limited to campaigns sees only those.

alice's key has full access (made without scopes); the others are made
here with the scopes each test needs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shortener.api.apikeys import create_api_key
from shortener.api.scopes import OPERATION_SCOPES, SCOPES
from shortener.cli import main
from tests.api.conftest import Api
from tests.conftest import BROWSER_UA


def key(redis: Any, *scopes: str, campaigns: list[str] | None = None) -> str:
    return create_api_key(redis, name="scoped", scopes=list(scopes), campaigns=campaigns)[1]


@pytest.fixture
def two_campaigns(api):
    spring = api.post("/campaigns", json={"name": "Spring", "destination": "https://shop.example/"})
    autumn = api.post("/campaigns", json={"name": "Autumn", "destination": "https://shop.example/"})
    ids = spring.get_json()["id"], autumn.get_json()["id"]
    for campaign_id, advocate in zip(ids, ("cust-1", "cust-2"), strict=True):
        api.put(f"/advocates/{advocate}", json={"name": f"Name of {advocate}"})
        assert api.post("/links", json={"campaign": campaign_id,
                                        "advocate": advocate}).status_code == 201
    return ids


def test_a_missing_scope_is_a_403_naming_it(client, redis, two_campaigns):
    reader = Api(client, key(redis, "stats:read"))
    refused = reader.get(f"/campaigns/{two_campaigns[0]}")
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    problem = refused.get_json()
    assert problem["code"] == "missing-scope"
    assert "campaigns:read" in problem["detail"]
    assert reader.get(f"/campaigns/{two_campaigns[0]}/stats").status_code == 200


def test_write_scopes_allow_their_writes_only(client, redis, two_campaigns):
    minter = Api(client, key(redis, "links:write"))
    assert minter.post("/links", json={"campaign": two_campaigns[0],
                                       "advocate": "cust-3"}).status_code == 201
    changed = minter.patch(f"/campaigns/{two_campaigns[0]}", json={"name": "Renamed"})
    assert changed.status_code == 403
    assert "campaigns:write" in changed.get_json()["detail"]
    converted = minter.post("/conversions", json={
        "campaign": two_campaigns[0], "advocate": "cust-1", "order_id": "A-1", "value": 10})
    assert converted.status_code == 403
    assert "conversions:write" in converted.get_json()["detail"]


def test_personal_data_needs_advocates_read(client, redis, two_campaigns):
    figures = Api(client, key(redis, "stats:read", "campaigns:read"))
    assert figures.get("/advocates/cust-1").status_code == 403
    assert figures.get("/advocates/cust-1/stats").status_code == 200
    people = Api(client, key(redis, "advocates:read"))
    assert people.get("/advocates/cust-1").get_json()["name"] == "Name of cust-1"


def test_admin_grants_every_scope(client, redis, two_campaigns):
    admin = Api(client, key(redis, "admin"))
    assert admin.patch(f"/campaigns/{two_campaigns[0]}",
                       json={"name": "Renamed"}).status_code == 200
    assert admin.delete("/advocates/cust-1/personal-data").status_code == 200


def test_a_key_limited_to_a_campaign_sees_only_it(client, redis, two_campaigns):
    spring, autumn = two_campaigns
    limited = Api(client, key(redis, "campaigns:read", "stats:read", "advocates:read",
                              "links:write", campaigns=[spring]))
    listed = limited.get("/campaigns").get_json()["items"]
    assert [item["id"] for item in listed] == [spring]
    assert limited.get(f"/campaigns/{spring}").status_code == 200
    for path in (f"/campaigns/{autumn}", f"/campaigns/{autumn}/stats",
                 f"/campaigns/{autumn}/kpis", f"/links?campaign={autumn}",
                 f"/clicks?campaign={autumn}", "/advocates/cust-2", "/advocates/cust-2/stats"):
        answer = limited.get(path)
        assert answer.status_code == 404, path
        assert answer.content_type == "application/problem+json"
    other_link = Api(client, key(redis, "campaigns:read")).get(
        f"/links?campaign={autumn}").get_json()["items"][0]["code"]
    assert limited.get(f"/links/{other_link}").status_code == 404
    assert limited.get(f"/links/{other_link}/stats").status_code == 404
    assert limited.post("/links", json={"campaign": autumn,
                                        "advocate": "cust-9"}).status_code == 404
    assert limited.post("/links", json={"campaign": spring,
                                        "advocate": "cust-9"}).status_code == 201
    assert limited.get("/advocates/cust-1").status_code == 200


def test_a_limited_key_lists_only_advocates_wholly_in_its_campaigns(api, client, redis,
                                                                   two_campaigns):
    spring, _ = two_campaigns
    # cust-2 (Autumn) also recommends for Spring: their name and Autumn code span a
    # campaign the Spring key does not see.
    assert api.post("/links", json={"campaign": spring, "advocate": "cust-2"}).status_code == 201
    everyone = Api(client, key(redis, "advocates:read"))
    assert {item["external_id"] for item in everyone.get(
        f"/advocates?campaign={spring}").get_json()["items"]} == {"cust-1", "cust-2"}
    limited = Api(client, key(redis, "advocates:read", campaigns=[spring]))
    items = limited.get(f"/advocates?campaign={spring}").get_json()["items"]
    assert [item["external_id"] for item in items] == ["cust-1"]
    assert set(items[0]["referral_codes"]) == {spring}
    assert limited.get("/advocates/cust-2").status_code == 404  # as read one by one


def test_a_limited_key_cannot_attribute_a_click_of_another_campaign(client, redis,
                                                                    two_campaigns, api):
    spring, autumn = two_campaigns
    code = api.get(f"/links?campaign={autumn}").get_json()["items"][0]["code"]
    location = client.get(f"/{code}", headers={"User-Agent": BROWSER_UA}).headers["Location"]
    click_id = location.split("sclid=")[1]
    limited = Api(client, key(redis, "conversions:write", campaigns=[spring]))
    refused = limited.post("/conversions", json={"click_id": click_id, "order_id": "A-1",
                                                 "value": 5})
    assert refused.status_code == 404
    assert api.get(f"/campaigns/{autumn}/stats").get_json()["conversions"] == 0


def test_the_openapi_document_names_each_operations_scope(client):
    document = client.get("/api/v1/openapi.json").get_json()
    seen = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            scope = operation["x-required-scope"]
            assert scope in SCOPES
            assert operation["security"] == [{"bearer": [scope]}]
            seen[operation["operationId"]] = scope
    assert len(seen) == len(OPERATION_SCOPES)
    assert "campaigns:write" in json.dumps(document["paths"]["/api/v1/campaigns"]["post"])


def test_the_cli_makes_scoped_and_limited_keys(runner, client, redis, two_campaigns):
    spring, autumn = two_campaigns
    made = runner.invoke(main, ["apikey", "create", "--name", "crm", "--scopes",
                                "stats:read,campaigns:read", "--campaign", spring])
    assert made.exit_code == 0, made.output
    record = json.loads(made.stdout)
    assert record["scopes"] == ["campaigns:read", "stats:read"]
    assert record["campaigns"] == [spring]
    crm = Api(client, record["key"])
    assert crm.get(f"/campaigns/{spring}/stats").status_code == 200
    assert crm.get(f"/campaigns/{autumn}/stats").status_code == 404
    assert crm.post("/links", json={"campaign": spring, "advocate": "x"}).status_code == 403

    read_only = json.loads(runner.invoke(main, ["apikey", "create", "--name", "bi",
                                                "--read-only"]).stdout)
    assert read_only["scopes"] == ["advocates:read", "campaigns:read", "stats:read"]
    bad = runner.invoke(main, ["apikey", "create", "--name", "x", "--scopes", "everything"])
    assert bad.exit_code == 1 and "unknown scope 'everything'" in bad.output
    missing = runner.invoke(main, ["apikey", "create", "--name", "x", "--campaign", "999"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_scopes_hold_over_real_http(redis, redis_server, tmp_path, two_campaigns):
    import http.client

    from tests.serving import gunicorn

    spring, autumn = two_campaigns
    token = key(redis, "campaigns:read", campaigns=[spring])

    def call(port: int, path: str) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", f"/api/v1{path}",
                               headers={"Authorization": f"Bearer {token}"})
            reply = connection.getresponse()
            return reply.status, json.loads(reply.read())
        finally:
            connection.close()

    with gunicorn(redis_url=redis_server.url, data_dir=tmp_path, WEB_CONCURRENCY="1") as port:
        assert call(port, f"/campaigns/{spring}")[0] == 200
        assert call(port, f"/campaigns/{autumn}")[0] == 404
        status, problem = call(port, f"/campaigns/{spring}/stats")
        assert (status, problem["code"]) == (403, "missing-scope")
        assert "stats:read" in problem["detail"]


def test_every_operation_refuses_a_key_without_its_scope(app, client, redis):
    """Walks the URL map, so a new endpoint is checked without a test of its own."""
    calls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in {
                "api.openapi_document", "api.docs_page"}:
            continue
        path = rule.build({name: "x" for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            calls.append((rule.endpoint, method, path))
    assert {endpoint for endpoint, _, _ in calls} == set(OPERATION_SCOPES)
    refused = {}
    for endpoint, method, path in calls:
        needed = OPERATION_SCOPES[endpoint]
        others = [scope for scope in SCOPES if scope not in {needed, "admin"}]
        response = client.open(path, method=method, json={},
                               headers={"Authorization": f"Bearer {key(redis, *others)}"})
        refused[endpoint, method] = (response.status_code, response.get_json()["code"],
                                     needed in response.get_json()["detail"])
    assert set(refused.values()) == {(403, "missing-scope", True)}
