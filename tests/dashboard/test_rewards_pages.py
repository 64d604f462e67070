"""Reward tiers from the campaign form, the review page, the payout export, the share page."""

from __future__ import annotations

import csv
import html
import io
import re

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


def grant_many(redis, campaign, count, *, start=1_700_000_000.0, same_second=False):
    """``count`` rewards of one campaign, one per advocate, created a second apart
    (or all in the same second, so that only their ids order them)."""
    from shortener.rewards import store as reward_store
    from shortener.rewards.models import Reward

    made = []
    for number in range(count):
        reward = Reward(id=f"rw_{number:016x}", campaign=campaign.id, advocate=f"adv-{number}",
                        reward="10 EUR voucher", conversions=1,
                        created_at=start + (0 if same_second else number))
        assert reward_store.grant_reward(redis, reward)
        made.append(reward.id)
    return made


def page_ids(page: str) -> list[str]:
    return re.findall(r'data-reward="(rw_[0-9a-f]+)"', page)


def pager_links(page: str) -> dict[str, str]:
    return {name: html.unescape(href) for href, name in
            re.findall(r'href="([^"]+)" data-page="(previous|next)"', page)}


@pytest.mark.parametrize("same_second", [False, True], ids=["by-time", "ties"])
def test_the_review_page_pages_forward_and_back_keeping_the_filters(
        dashboard, client, redis, make_campaign, same_second) -> None:
    spring, autumn = make_campaign(name="Spring"), make_campaign(name="Autumn")
    made = grant_many(redis, spring, 120, same_second=same_second)
    grant_many(redis, autumn, 3, start=1_600_000_000.0)  # older: first were it not filtered
    dashboard.login()
    first = client.get(f"/dashboard/rewards?campaign={spring.id}&status=pending")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert page_ids(page) == made[:50] and "previous" not in pager_links(page)

    pages = [page_ids(page)]
    while "next" in pager_links(page):
        link = pager_links(page)["next"]
        assert f"campaign={spring.id}" in link and "status=pending" in link
        page = client.get(f"/dashboard/rewards{link.split('#')[0]}").get_data(as_text=True)
        pages.append(page_ids(page))
    assert pages == [made[:50], made[50:100], made[100:]]

    back = client.get(f"/dashboard/rewards{pager_links(page)['previous'].split('#')[0]}")
    page = back.get_data(as_text=True)
    assert page_ids(page) == made[50:100]
    page = client.get(f"/dashboard/rewards{pager_links(page)['previous'].split('#')[0]}"
                      ).get_data(as_text=True)
    assert page_ids(page) == made[:50] and "previous" not in pager_links(page)
    assert "next" in pager_links(page)


def test_a_malformed_page_position_shows_the_first_page(dashboard, client, redis,
                                                         make_campaign) -> None:
    made = grant_many(redis, make_campaign(), 60)
    dashboard.login()
    response = client.get("/dashboard/rewards?after=nan~rw_x")
    assert response.status_code == 200
    assert page_ids(response.get_data(as_text=True)) == made[:50]
    assert "not a page of this list" in response.get_data(as_text=True)
