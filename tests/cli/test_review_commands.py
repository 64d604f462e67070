"""Fraud review from the command line: rule toggles, the queue, accept and reject."""

from __future__ import annotations

import json

from shortener.analytics.queries import get_campaign_stats
from shortener.cli import main
from shortener.clicks.conversions import record_conversion
from shortener.links.minting import mint_link


def run(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_a_rule_is_turned_off_with_campaign_update(runner, make_campaign):
    campaign = make_campaign()
    updated = run(runner, "campaign", "update", campaign.id, "--fraud-rule", "burst=off",
                  "--fraud-rule", "self_referral=off")
    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.output)["fraud_rules"] == {
        "self_referral": False, "repeat_visitor": True, "no_human_click": True, "burst": False}
    unknown = run(runner, "campaign", "update", campaign.id, "--fraud-rule", "velocity=off")
    assert unknown.exit_code != 0 and "velocity" in unknown.output
    unclear = run(runner, "campaign", "update", campaign.id, "--fraud-rule", "burst")
    assert unclear.exit_code != 0 and "RULE=on" in unclear.output


def test_the_queue_is_listed_accepted_and_rejected(runner, redis, app_settings, make_campaign):
    campaign = make_campaign()
    mint_link(redis, app_settings, campaign_id=campaign.id, advocate="ann")
    key = app_settings.secrets["click_id_key"].encode()
    for order in ("o-1", "o-2"):
        record_conversion(redis, click_id_key=key, order_id=order, campaign_id=campaign.id,
                          advocate="ann")
    listed = json.loads(run(runner, "conversions", "review", "list", "--campaign",
                            campaign.id).output)
    assert listed["waiting"] == 2
    assert [item["flags"] for item in listed["items"]] == [["no_human_click"]] * 2
    first, second = (item["id"] for item in listed["items"])
    accepted = json.loads(run(runner, "conversions", "review", "accept", first).output)
    assert (accepted["status"], accepted["reviewed_by"]) == ("accepted", "cli")
    rejected = json.loads(run(runner, "conversions", "review", "reject", second).output)
    assert rejected["status"] == "rejected"
    final = run(runner, "conversions", "review", "reject", first)
    assert final.exit_code != 0 and "final" in final.output
    assert json.loads(run(runner, "conversions", "review", "list", "--campaign",
                          campaign.id).output)["waiting"] == 0
    assert get_campaign_stats(redis, campaign.id).conversions == 1
