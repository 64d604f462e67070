"""Reward tiers from the command line, and the payout export."""

from __future__ import annotations

import csv
import io
import json

from shortener.cli import main
from shortener.clicks.conversions import record_conversion
from shortener.links.advocates import upsert_advocate
from shortener.links.minting import mint_link


def run(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_from_tiers_to_the_payout_export(runner, client, redis, app_settings):
    made = run(runner, "campaign", "create", "--name", "Spring", "--destination",
               "https://shop.example/spring", "--reward", "3, Free month",
               "--reward", "1, 10 EUR voucher", "--friend-incentive", "10 % off")
    assert made.exit_code == 0, made.output
    campaign = json.loads(made.output)
    assert [tier["conversions"] for tier in campaign["rewards"]] == [1, 3]
    # Orders come by advocate here, with no clicks: fraud review would hold them.
    assert run(runner, "campaign", "update", campaign["id"], "--fraud-rule",
               "no_human_click=off").exit_code == 0
    upsert_advocate(redis, "ann", name="=HYPERLINK(\"x\")")
    mint_link(redis, app_settings, campaign_id=campaign["id"], advocate="ann")
    for number in range(3):
        record_conversion(redis, click_id_key=app_settings.secrets["click_id_key"].encode(),
                          order_id=f"o-{number}", campaign_id=campaign["id"], advocate="ann")
    listed = [json.loads(line) for line in run(runner, "rewards", "list").output.splitlines()]
    assert [item["reward"] for item in listed] == ["10 EUR voucher", "Free month"]
    approved = run(runner, "rewards", "set-status", listed[0]["id"], "approved")
    assert json.loads(approved.output)["updated_by"] == "cli"
    exported = run(runner, "rewards", "export", "--campaign", campaign["id"])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(row["reward"], row["approved_by"]) for row in rows] == [("10 EUR voucher", "cli")]
    assert rows[0]["name"] == "'=HYPERLINK(\"x\")"  # never a formula in a spreadsheet


def test_a_bad_tier_is_one_line_of_error(runner, client):
    made = runner.invoke(main, ["campaign", "create", "--name", "S", "--destination",
                                "https://shop.example/", "--reward", "three, Gift"])
    assert made.exit_code == 1
    assert "line 1" in made.output and "(rewards)" in made.output
