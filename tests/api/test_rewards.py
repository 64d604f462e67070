"""Reward tiers on campaigns, rewards created by conversions, review over the API."""

from __future__ import annotations

import concurrent.futures

import pytest

from shortener.clicks.conversions import record_conversion
from tests.conftest import RedisServer

TIERS = [{"name": "Free month", "conversions": 3}, {"name": "10 EUR voucher", "conversions": 1}]


@pytest.fixture
def tiered(api):
    response = api.post("/campaigns", json={
        "name": "Spring", "destination": "https://shop.example/spring", "rewards": TIERS,
        "friend_incentive": "Your friend gets 10 % off",
        # Orders come by advocate here, with no clicks: fraud review would hold them.
        "fraud_rules": {"no_human_click": False}})
    assert response.status_code == 201
    return response.json


def convert(api, campaign, advocate, order):
    # Conversions by campaign and advocate need the advocate's link in the campaign.
    api.post("/links", json={"campaign": campaign["id"], "advocate": advocate})
    response = api.post("/conversions", json={"campaign": campaign["id"],
                                              "advocate": advocate, "order_id": order})
    assert response.status_code == 201


def test_tiers_are_kept_in_order_and_can_be_changed(api, tiered):
    assert tiered["rewards"] == sorted(TIERS, key=lambda tier: tier["conversions"])
    assert tiered["friend_incentive"] == "Your friend gets 10 % off"
    changed = api.patch(f"/campaigns/{tiered['id']}", json={
        "rewards": [{"name": "Gift", "conversions": 5}], "friend_incentive": None}).json
    assert changed["rewards"] == [{"name": "Gift", "conversions": 5}]
    assert changed["friend_incentive"] is None


@pytest.mark.parametrize(("rewards", "field"), [
    ([{"name": "A", "conversions": 1}, {"name": "B", "conversions": 1}], "rewards.1.conversions"),
    ([{"name": "A", "conversions": 0}], "rewards.0.conversions"),
    ([{"name": "", "conversions": 2}], "rewards.0.name"),
    ([{"name": "A", "conversions": 2, "extra": 1}], "rewards.0.extra"),
])
def test_bad_tiers_are_refused_naming_the_field(api, rewards, field):
    response = api.post("/campaigns", json={"name": "S", "destination": "https://shop.example/",
                                            "rewards": rewards})
    assert response.status_code == 422
    assert response.json["field"] == field


def test_each_tier_is_rewarded_once_when_reached(api, tiered):
    convert(api, tiered, "ann", "o-1")
    first = api.get(f"/rewards?campaign={tiered['id']}").json["items"]
    assert [(item["reward"], item["status"]) for item in first] == [("10 EUR voucher", "pending")]
    convert(api, tiered, "ann", "o-2")
    convert(api, tiered, "ann", "o-3")
    convert(api, tiered, "ann", "o-4")
    convert(api, tiered, "bob", "o-5")
    items = api.get(f"/rewards?campaign={tiered['id']}&advocate=ann").json["items"]
    assert [(item["reward"], item["conversions"]) for item in items] == \
        [("10 EUR voucher", 1), ("Free month", 3)]
    assert len(api.get("/rewards?advocate=bob").json["items"]) == 1


def test_a_repeated_order_reaches_no_tier(api, tiered):
    convert(api, tiered, "ann", "o-1")
    api.post("/conversions", json={"campaign": tiered["id"], "advocate": "ann",
                                   "order_id": "o-1"})
    api.post("/conversions", json={"campaign": tiered["id"], "advocate": "ann",
                                   "order_id": "o-1"})
    assert len(api.get("/rewards").json["items"]) == 1


def test_a_reward_moves_pending_approved_paid_with_who_and_when(api, tiered):
    convert(api, tiered, "ann", "o-1")
    reward = api.get("/rewards").json["items"][0]
    approved = api.patch(f"/rewards/{reward['id']}", json={"status": "approved"})
    assert approved.status_code == 200
    assert approved.json["updated_by"].startswith("key:")
    paid = api.patch(f"/rewards/{reward['id']}", json={"status": "paid"}).json
    assert [step["status"] for step in paid["history"]] == ["approved", "paid"]
    assert api.get("/rewards?status=paid").json["items"][0]["id"] == reward["id"]
    back = api.patch(f"/rewards/{reward['id']}", json={"status": "pending"})
    assert back.status_code == 422 and back.json["field"] == "status"


def test_a_pending_reward_cannot_be_paid_before_approval(api, tiered):
    convert(api, tiered, "ann", "o-1")
    reward = api.get("/rewards").json["items"][0]
    response = api.patch(f"/rewards/{reward['id']}", json={"status": "paid"})
    assert response.status_code == 422
    assert api.patch(f"/rewards/{reward['id']}", json={"status": "rejected"}).status_code == 200


def test_an_unknown_reward_is_404(api):
    response = api.patch("/rewards/rw_0000000000000000", json={"status": "approved"})
    assert response.status_code == 404 and response.json["code"] == "reward-not-found"


def test_rewards_page_by_cursor(api, tiered):
    for number in range(3):
        convert(api, tiered, f"adv-{number}", f"o-{number}")
    first = api.get("/rewards?limit=2").json
    rest = api.get(f"/rewards?limit=2&cursor={first['next_cursor']}").json
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_tiers_reached_by_concurrent_conversions_are_rewarded_once(api, tiered, redis_server,
                                                                  app_settings):
    api.post("/links", json={"campaign": tiered["id"], "advocate": "ann"})
    key = app_settings.secrets["click_id_key"].encode()

    def report(number: int) -> None:
        # A client per thread: the conversions race as separate connections would.
        client = RedisServer.client(redis_server)
        record_conversion(client, click_id_key=key, order_id=f"race-{number}",
                          campaign_id=tiered["id"], advocate="ann")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(report, range(40)))
    items = api.get("/rewards?advocate=ann").json["items"]
    assert sorted(item["conversions"] for item in items) == [1, 3]


def test_a_tier_takes_a_whole_number_written_as_a_float(api, tiered):
    changed = api.patch(f"/campaigns/{tiered['id']}", json={
        "rewards": [{"name": "Gift", "conversions": 2.0}]})
    assert changed.status_code == 200
    assert changed.json["rewards"] == [{"name": "Gift", "conversions": 2}]
