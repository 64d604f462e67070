"""The OpenAPI document: strict, served with a local docs page, and honoured by the API.

The property-based run sends schema-conformant and deliberately broken
requests to every operation and checks that none gets a 5xx and that every
response (status, content type, headers, body) is one the document declares; a
stateful run chains calls along the links schemathesis infers.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from shortener.api.apikeys import create_api_key

EXAMPLES_PER_OPERATION = 12
STATEFUL_EXAMPLES = 20
# Rules JSON Schema cannot state (a time in the future, a field that must
# not equal the path, a signature that must verify, hosts a campaign allows,
# a range's length, Unicode's printable text): the document states them and
# the server answers 422 naming that field. Only these may refuse a
# schema-valid request.
DOCUMENTED_REFUSALS = {
    "POST /api/v1/links": {"expires_at", "destination", "campaign"},  # campaign archived
    "POST /api/v1/campaigns": {"name", "destination", "allowed_hosts", "friend_incentive"},
    "PATCH /api/v1/links/{code}": {"expires_at"},
    "POST /api/v1/links/bulk": {"campaign", "expires_at"},
    "PATCH /api/v1/campaigns/{campaign_id}": {"name", "destination", "allowed_hosts",
                                              "friend_incentive"},
    "PUT /api/v1/advocates/{external_id}": {"name", "contact", "referred_by"},
    "POST /api/v1/conversions": {"order_id", "click_id", "advocate", "currency", "code"},
    **{f"GET /api/v1/{scope}/stats": {"start", "end", "tz"}
       for scope in ("campaigns/{campaign_id}", "advocates/{external_id}", "links/{code}")},
    "GET /api/v1/campaigns/{campaign_id}/kpis": {"start", "end"},
    "POST /api/v1/webhooks": {"url"},  # must not resolve to a private address
    # Only a conversion in review (or rejected) moves; accepted is final.
    "PATCH /api/v1/conversions/{conversion_id}": {"status"},
    "POST /api/v1/survey-answers": {"order_id", "text", "referrer_code"},  # printable text
}
# Printable text, as names are (reward tier names are refused as `rewards.<n>.name`).
for _label in ("POST /api/v1/campaigns", "PATCH /api/v1/campaigns/{campaign_id}"):
    DOCUMENTED_REFUSALS[_label] = DOCUMENTED_REFUSALS[_label] | {"friend_incentive"}


def _field(response) -> str:
    try:
        return str(response.json().get("field") or "")
    except ValueError:
        return ""


def schema_valid_requests_are_accepted(ctx, response, case):
    """positive_data_acceptance, except a 422 naming a field whose rule the document states."""
    field = _field(response).split(".")[-1]
    if response.status_code == 422 and field in DOCUMENTED_REFUSALS.get(case.operation.label, ()):
        return None
    return checks.positive_data_acceptance(ctx, response, case)


CHECKS = [not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance,
          checks.negative_data_rejection, schema_valid_requests_are_accepted]


def test_the_document_is_openapi_3_1_with_bearer_keys(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]
    bulk = document["paths"]["/api/v1/links/bulk"]["post"]
    assert "application/problem+json" in bulk["responses"]["422"]["content"]
    body = document["components"]["schemas"]["BulkLinkCreate"]
    assert body["additionalProperties"] is False
    assert body["properties"]["items"]["maxItems"] == 1000
    assert "K-factor) = recruited advocates / advocates" in document["info"]["description"]


def test_the_docs_page_uses_only_our_own_assets(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/api-docs/swagger-ui-bundle.js" in page
    assert "https://" not in page
    assert client.get("/static/api-docs/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_honours_its_openapi_document(app, redis, mode):
    key = create_api_key(redis, name="fuzzer")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        try:
            call()
        except Exception as exc:  # collected, so one operation's failure hides no other
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def _nullable(schema):
    return any(option.get("type") == "null" for option in schema.get("anyOf", [])) \
        or schema.get("type") == "null" or schema.get("default", 0) is None


@pytest.mark.parametrize(("model", "field", "path"), [
    ("CampaignUpdate", "name", "/campaigns/{id}"),
    ("CampaignUpdate", "currency", "/campaigns/{id}"),
    ("CampaignUpdate", "channel_utm", "/campaigns/{id}"),
    ("CampaignUpdate", "status", "/campaigns/{id}"),
    ("CampaignUpdate", "destination", "/campaigns/{id}"),
    ("LinkUpdate", "enabled", "/links/{code}"),
])
def test_what_the_server_refuses_as_null_the_document_does_not_allow(client, api, campaign,
                                                                     model, field, path):
    document = client.get("/api/v1/openapi.json").json
    assert not _nullable(document["components"]["schemas"][model]["properties"][field])
    code = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json["code"]
    response = api.patch(path.format(id=campaign["id"], code=code), json={field: None})
    assert response.status_code == 422
    assert response.json["field"] == field


def test_sequences_of_calls_honour_the_document(app, redis):
    """Stateful: calls chained by the links schemathesis infers (create, then read, change...)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    inference = schema.apply_stateful_inference(None)
    assert inference.selected > 0, "no links between operations to follow"
    machine = schema.as_state_machine()

    class Sequences(machine):  # type: ignore[misc, valid-type]
        # Each sequence starts from an empty store: what one left behind (an archived
        # campaign, a repeated order) would answer the next one differently and make
        # its steps unrepeatable.
        def setup(self):
            redis.flushall()
            self.key = create_api_key(redis, name="fuzzer")[1]

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {self.key}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(Sequences, settings=settings(
        max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, deadline=None,
        derandomize=True, database=None, suppress_health_check=list(HealthCheck)))


def test_the_document_says_a_conversion_needs_a_click_id_or_campaign_and_advocate(client):
    body = client.get("/api/v1/openapi.json").json["components"]["schemas"]["ConversionCreate"]
    click_id, pair, by_code = body["anyOf"]
    assert click_id["required"] == ["click_id"]
    assert pair["required"] == ["campaign", "advocate"]
    assert by_code["required"] == ["campaign", "code"]
    # Present as null is not given: each branch needs its fields as text.
    assert pair["properties"]["advocate"] == {"type": "string"}
    assert by_code["properties"]["code"] == {"type": "string"}
