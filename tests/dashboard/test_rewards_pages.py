"""Reward tiers from the campaign form, the review page, the payout export, the share page."""

from __future__ import annotations

import csv
import io

import pytest

from shortener.clicks.conversions import record_conversion
from shortener.links import store
from shortener.links.advocates import get_advocate, upsert_advocate
from shortener.links.minting import mint_link
from shortener.rewards.review import list_rewards

# Orders are reported by advocate alone here, with no clicks: fraud review would
# hold them (no_human_click), so that rule is off.
BY_ADVOCATE = {"no_human_click": False}
TIERS = [{"name": "10 EUR voucher", "conversions": 1}, {"name": "Free month", "conversions": 3}]


@pytest.fixture
def convert(redis, app_settings):
    """Conversions by campaign and advocate (who gets a link in the campaign first)."""
    key = app_settings.secrets["click_id_key"].encode()

    def report(campaign, advocate, count):
        mint_link(redis, app_settings, campaign_id=campaign.id, advocate=advocate)
        for number in range(count):
            record_conversion(redis, click_id_key=key, order_id=f"{advocate}-{number}",
                              campaign_id=campaign.id, advocate=advocate)

    return report


def test_tiers_and_the_friend_incentive_come_from_the_campaign_form(dashboard, redis) -> None:
    dashboard.login()
    response = dashboard.post_form("/dashboard/campaigns/new", "/dashboard/campaigns/new", {
        "name": "Summer", "destination": "https://shop.example/summer", "currency": "EUR",
        "rewards": "3, Free month\n1: 10 EUR voucher\n", "friend_incentive": "10 % off"})
    assert response.status_code == 302
    campaign = store.get_campaigns(redis, store.list_campaign_ids(redis))[0]
    assert (campaign.rewards, campaign.friend_incentive) == (TIERS, "10 % off")


def test_a_bad_tier_line_is_named_on_the_form(dashboard, redis) -> None:
    dashboard.login()
    response = dashboard.post_form("/dashboard/campaigns/new", "/dashboard/campaigns/new", {
        "name": "Summer", "destination": "https://shop.example/summer", "currency": "EUR",
        "rewards": "Free month"})
    assert response.status_code == 422
    assert "line 1: write the conversions" in response.get_data(as_text=True)
    assert store.list_campaign_ids(redis) == []


def test_a_reward_is_approved_and_marked_paid_from_the_review_page(
        dashboard, client, redis, make_campaign, alice, convert) -> None:
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS)
    convert(campaign, "ann", 1)
    [reward], _ = list_rewards(redis)
    dashboard.login()
    page = client.get("/dashboard/rewards").get_data(as_text=True)
    assert f'data-reward="{reward.id}"' in page and 'data-action="approved"' in page
    for status in ("approved", "paid"):
        answer = dashboard.post_form("/dashboard/rewards", f"/dashboard/rewards/{reward.id}",
                                     {"status": status})
        assert answer.status_code == 303
    [paid], _ = list_rewards(redis)
    assert paid.status == "paid" and paid.updated_by == alice.email
    assert [step["by"] for step in paid.history] == [alice.email, alice.email]


def test_a_forged_review_changes_nothing(dashboard, client, redis, make_campaign, convert) -> None:
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS)
    convert(campaign, "ann", 1)
    [reward], _ = list_rewards(redis)
    dashboard.login()
    client.post(f"/dashboard/rewards/{reward.id}", data={"status": "approved"})
    assert list_rewards(redis)[0][0].status == "pending"


def test_the_payout_export_lists_approved_rewards_with_the_advocate(
        dashboard, client, redis, make_campaign, convert) -> None:
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS)
    upsert_advocate(redis, "ann", name="Ann", contact="ann@example.com")
    convert(campaign, "ann", 3)
    convert(campaign, "bob", 1)
    dashboard.login()
    for reward in list_rewards(redis, advocate="ann")[0]:
        dashboard.post_form("/dashboard/rewards", f"/dashboard/rewards/{reward.id}",
                            {"status": "approved"})
    response = client.get(f"/dashboard/rewards.csv?campaign={campaign.id}")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["advocate"], row["contact"], row["reward"]) for row in rows] == [
        ("ann", "ann@example.com", "10 EUR voucher"), ("ann", "ann@example.com", "Free month")]
    assert all(row["approved_by"] == "alice@shop.example" for row in rows)


def test_the_share_page_shows_the_incentive_rewards_earned_and_the_next_tier(
        client, redis, make_campaign, make_link, convert) -> None:
    campaign = make_campaign(fraud_rules=BY_ADVOCATE, rewards=TIERS,
                             friend_incentive="Your friend gets 10 % off")
    make_link(campaign, advocate="ann")
    convert(campaign, "ann", 1)
    page = client.get(f"/s/{get_advocate(redis, 'ann').share_token}").get_data(as_text=True)
    assert "Your friend gets 10 % off" in page
    assert "10 EUR voucher" in page and "being checked" in page
    assert "2 more conversions for <strong>Free month</strong>" in page
