"""/api/v1/survey-answers and the campaign's survey fields: one answer per order, joined to
the conversion whichever comes first, counted in the campaign's stats."""

from __future__ import annotations

import re

import pytest

from shortener.analytics.survey import count_unmeasured_friends
from shortener.api.apikeys import create_api_key
from shortener.survey.choices import HEARD_VIA, MAX_TEXT_LENGTH
from tests.api.conftest import Api
from tests.api.test_api_conversions import assert_problem, human_click


@pytest.fixture
def ann(api, campaign):
    """ann's link in the campaign."""
    return api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json


def answer(api, campaign, order_id="o-1", heard_via="friend_whatsapp", **fields):
    return api.post("/survey-answers", json={"campaign": campaign["id"], "order_id": order_id,
                                             "heard_via": heard_via, **fields})


def self_reported(api, campaign, **query):
    response = api.get(f"/campaigns/{campaign['id']}/stats", query_string=query)
    assert response.status_code == 200
    return response.json["self_reported"]


def test_an_answer_is_stored_and_counted_by_channel(api, campaign):
    response = answer(api, campaign, text="Anna from the climbing club")
    assert response.status_code == 201
    assert response.json["created"] is True
    assert response.json["heard_via"] == "friend_whatsapp"
    assert response.json["source"] == "api"
    assert response.json["text"] == "Anna from the climbing club"
    assert response.json["conversion"] is None
    counts = self_reported(api, campaign)
    assert counts == {name: int(name == "friend_whatsapp") for name in HEARD_VIA}


def test_a_second_answer_for_the_order_changes_nothing(api, campaign):
    assert answer(api, campaign, heard_via="search").status_code == 201
    again = answer(api, campaign, heard_via="social", text="changed my mind")
    assert again.status_code == 200
    assert again.json["created"] is False
    assert (again.json["heard_via"], again.json["text"]) == ("search", None)
    counts = self_reported(api, campaign)
    assert (counts["search"], counts["social"]) == (1, 0)


def test_the_same_order_id_in_another_campaign_is_another_answer(api, campaign):
    other = api.post("/campaigns", json={"name": "Other", "destination":
                                         "https://shop.example/other"}).json
    assert answer(api, campaign).status_code == 201
    assert answer(api, other).status_code == 201


def test_an_answer_after_the_conversion_joins_it(api, client, ann, campaign):
    click_id = human_click(client, ann["code"])
    assert api.post("/conversions", json={"click_id": click_id, "order_id": "o-1",
                                          "value": 40}).status_code == 201
    response = answer(api, campaign, heard_via="friend_email")
    assert response.status_code == 201
    conversion = response.json["conversion"]
    assert (conversion["order_id"], conversion["advocate"], conversion["click_id"],
            conversion["value"]) == ("o-1", "ann", click_id, 40)
    assert response.json["attributed"] is False


def test_a_conversion_after_the_answer_is_joined_to_it(api, client, ann, campaign, redis):
    assert answer(api, campaign, order_id="o-early", heard_via="friend_whatsapp").status_code \
        == 201
    assert answer(api, campaign, order_id="o-unseen",
                  heard_via="friend_in_person").status_code == 201
    # Both friend answers: neither order came with a click yet.
    assert count_unmeasured_friends(redis, campaign["id"]) == (2, 2)
    click_id = human_click(client, ann["code"])
    assert api.post("/conversions", json={"click_id": click_id, "order_id": "o-early"}
                    ).status_code == 201
    assert count_unmeasured_friends(redis, campaign["id"]) == (2, 1)
    repeat = answer(api, campaign, order_id="o-early")
    assert repeat.json["created"] is False
    assert repeat.json["conversion"]["click_id"] == click_id


def test_an_order_the_shop_attributed_by_advocate_counts_as_unmeasured(api, ann, campaign,
                                                                      redis):
    assert api.post("/conversions", json={"campaign": campaign["id"], "advocate": "ann",
                                          "order_id": "o-1"}).status_code == 201
    assert answer(api, campaign).status_code == 201
    assert count_unmeasured_friends(redis, campaign["id"]) == (1, 1)


def test_an_unknown_code_is_kept_as_text(api, campaign):
    response = answer(api, campaign, referrer_code="NOPE-1234", text="my neighbour")
    assert response.status_code == 201
    assert response.json["code_recognised"] is False
    assert response.json["advocate"] is None
    assert response.json["text"] == "NOPE-1234 / my neighbour"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"heard_via": "telepathy"}, "heard_via"),
        ({"heard_via": None}, "heard_via"),
        ({"order_id": ""}, "order_id"),
        ({"order_id": "x" * 129}, "order_id"),
        ({"order_id": "bad\u200border"}, "order_id"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"text": "line\nbreak"}, "text"),
        ({"text": 7}, "text"),
        ({"referrer_code": "x" * 33}, "referrer_code"),
        ({"campaign": "not-a-number"}, "campaign"),
        ({"ip": "192.0.2.1"}, "ip"),
    ],
)
def test_bad_fields_get_422_naming_them(api, campaign, fields, field):
    body = {"campaign": campaign["id"], "order_id": "o-1", "heard_via": "search", **fields}
    response = api.post("/survey-answers", json=body)
    assert_problem(response, 422, field)
    assert sum(self_reported(api, campaign).values()) == 0


def test_a_missing_field_is_named(api, campaign):
    response = api.post("/survey-answers", json={"campaign": campaign["id"], "order_id": "o"})
    assert_problem(response, 422, "heard_via")


def test_an_unknown_campaign_is_404(api):
    response = api.post("/survey-answers", json={"campaign": "999", "order_id": "o-1",
                                                 "heard_via": "search"})
    assert_problem(response, 404, "campaign")


def test_it_needs_the_conversions_write_scope(client, redis, campaign):
    reader = Api(client, create_api_key(redis, name="minter",
                                      scopes=["stats:read", "links:write"])[1])
    response = reader.post("/survey-answers", json={"campaign": campaign["id"],
                                                    "order_id": "o-1", "heard_via": "search"})
    assert_problem(response, 403, "Authorization")
    assert response.json["code"] == "missing-scope"
    writer = Api(client, create_api_key(redis, name="shop", scopes=["conversions:write"])[1])
    assert writer.post("/survey-answers", json={"campaign": campaign["id"], "order_id": "o-1",
                                                "heard_via": "search"}).status_code == 201


def test_stats_over_a_range_count_the_answers_of_its_days(api, campaign):
    assert answer(api, campaign, heard_via="social").status_code == 201
    assert self_reported(api, campaign, start="2020-01-01", end="2020-01-31")["social"] == 0
    assert self_reported(api, campaign, start="2020-01-01")["social"] == 0
    today = api.get(f"/campaigns/{campaign['id']}/stats").json
    assert today["self_reported"]["social"] == 1


def token_in(snippet: str) -> str:
    return re.search(r'data-token="([^"]+)"', snippet).group(1)


def test_the_campaign_carries_the_snippet_a_shop_pastes(api, campaign, client):
    read = api.get(f"/campaigns/{campaign['id']}").json
    assert read["survey_embed"] == campaign["survey_embed"]
    embed = read["survey_embed"]
    assert embed.startswith('<script src="https://go.example/survey/widget.js" ')
    assert f'data-campaign="{campaign["id"]}"' in embed
    assert 'data-order="ORDER_ID"' in embed and embed.count("ORDER_ID") == 1
    token = token_in(embed)
    assert f"token={token}&amp;lang=en&amp;order=ORDER_ID" in read["survey_embed_frame"]
    listed = api.get("/campaigns").json["items"]
    assert [item["survey_embed"] for item in listed] == [embed]


def test_a_new_token_replaces_the_old_one(api, campaign, client):
    old = token_in(campaign["survey_embed"])
    rotated = api.post(f"/campaigns/{campaign['id']}/survey-token", json={})
    assert rotated.status_code == 200
    new = token_in(rotated.json["survey_embed"])
    assert new != old
    assert token_in(api.get(f"/campaigns/{campaign['id']}").json["survey_embed"]) == new
    body = {"order_id": "o-1", "heard_via": "search"}
    refused = client.post(f"/survey/{campaign['id']}/answers", json={**body, "token": old})
    assert_problem(refused, 403, "token")
    accepted = client.post(f"/survey/{campaign['id']}/answers", json={**body, "token": new})
    assert accepted.status_code == 201


def test_a_read_only_key_cannot_rotate_the_token(client, bob_key, campaign):
    response = Api(client, bob_key).post(f"/campaigns/{campaign['id']}/survey-token",
                                        json={})
    assert response.status_code == 403


# Referral codes ----------------------------------------------------------------


def code_of(redis, campaign, advocate):
    from shortener.links.codes import get_referral_code

    code = get_referral_code(redis, campaign["id"], advocate)
    assert code, f"{advocate} has no referral code"
    return code


def test_a_code_books_an_order_no_conversion_was_reported_for(api, client, ann, campaign,
                                                              redis):
    typed = code_of(redis, campaign, "ann").lower().replace("-", " ")
    response = answer(api, campaign, heard_via="friend_in_person", referrer_code=typed)
    assert response.status_code == 201
    assert (response.json["advocate"], response.json["attributed"],
            response.json["code_recognised"], response.json["text"]) == ("ann", True, True, None)
    conversion = response.json["conversion"]
    assert (conversion["advocate"], conversion["channel"], conversion["value"],
            conversion["click_id"]) == ("ann", "code", 0, None)
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 1
    # The same answer again (a retry): the first answer, its code still recognised.
    again = answer(api, campaign, heard_via="friend_in_person", referrer_code=typed)
    assert again.status_code == 200 and again.json["created"] is False
    assert (again.json["advocate"], again.json["code_recognised"]) == ("ann", True)
    # The shop's own report of the order comes later: the first attribution stands.
    click_id = human_click(client, ann["code"])
    late = api.post("/conversions", json={"click_id": click_id, "order_id": "o-1"})
    assert late.status_code == 200 and late.json["created"] is False
    # Booked by the survey, not seen by measurement.
    assert count_unmeasured_friends(redis, campaign["id"]) == (1, 1)


def test_a_code_does_not_move_an_order_already_reported(api, client, ann, campaign, redis):
    api.post("/links", json={"campaign": campaign["id"], "advocate": "bob"})
    click_id = human_click(client, ann["code"])
    assert api.post("/conversions", json={"click_id": click_id, "order_id": "o-1"}
                    ).status_code == 201
    response = answer(api, campaign, referrer_code=code_of(redis, campaign, "bob"))
    assert response.status_code == 201
    assert (response.json["advocate"], response.json["attributed"]) == ("bob", False)
    assert response.json["conversion"]["advocate"] == "ann"
    assert api.get(f"/campaigns/{campaign['id']}/stats").json["conversions"] == 1


def test_an_order_reported_by_code_at_checkout_counts_as_measured(api, ann, campaign, redis):
    code = code_of(redis, campaign, "ann")
    assert api.post("/conversions", json={"campaign": campaign["id"], "code": code,
                                          "order_id": "o-1", "value": 25}).status_code == 201
    response = answer(api, campaign, heard_via="friend_whatsapp")
    assert response.json["conversion"]["channel"] == "code"
    assert response.json["attributed"] is False
    assert count_unmeasured_friends(redis, campaign["id"]) == (1, 0)
