"""Administration from the command line: campaigns, links and a campaign's figures."""

from __future__ import annotations

import json

from shortener.cli import main
from shortener.links import store
from tests.conftest import BROWSER_UA


def run(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_campaigns_are_listed_shown_updated_and_archived(runner, redis, make_campaign):
    spring = make_campaign(name="Spring", utm={"utm_source": "referral"})
    make_campaign(name="Autumn")
    lines = run(runner, "campaign", "list").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Spring", "Autumn"]
    table = run(runner, "campaign", "list", "--format", "table").stdout.splitlines()
    assert table[0].split()[:3] == ["id", "name", "status"]
    assert table[1].split()[:3] == [spring.id, "Spring", "active"]
    rows = run(runner, "campaign", "list", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("id,name,status,") and rows[1].startswith(f"{spring.id},Spring,")

    assert json.loads(run(runner, "campaign", "show", spring.id).stdout)["name"] == "Spring"
    updated = run(runner, "campaign", "update", spring.id, "--name", "Spring 2",
                  "--utm-medium", "social", "--cost", "250", "--allowed-host", "shop.example")
    assert updated.exit_code == 0, updated.output
    saved = store.get_campaign(redis, spring.id)
    assert saved.name == "Spring 2" and saved.cost == 250.0
    assert saved.utm == {"utm_source": "referral", "utm_medium": "social"}
    assert saved.allowed_hosts == ["shop.example"]
    refused = run(runner, "campaign", "update", spring.id, "--destination", "https://evil.example/")
    assert refused.exit_code == 1 and "allowed hosts" in refused.output
    assert store.get_campaign(redis, spring.id).destination == spring.destination

    assert json.loads(run(runner, "campaign", "archive", spring.id).stdout)["status"] == "archived"
    archived = run(runner, "campaign", "list", "--status", "archived").stdout.splitlines()
    assert [json.loads(line)["id"] for line in archived] == [spring.id]
    assert json.loads(run(runner, "campaign", "archive", spring.id, "--undo").stdout)[
        "status"] == "active"
    missing = run(runner, "campaign", "show", "404")
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_links_are_listed_disabled_enabled_and_updated(runner, redis, client, make_campaign,
                                                       make_link):
    campaign = make_campaign()
    first = make_link(campaign, "cust-1")
    make_link(campaign, "cust-2")
    listed = [json.loads(line) for line in
              run(runner, "link", "list", "--campaign", campaign.id).stdout.splitlines()]
    assert [row["advocate"] for row in listed] == ["cust-1", "cust-2"]
    assert listed[0]["short_url"] == f"https://go.example/{first.code}"
    assert run(runner, "link", "list").exit_code == 2

    shown = json.loads(run(runner, "link", "show", first.code).stdout)
    assert shown["share_url"].startswith("https://go.example/s/")

    run(runner, "link", "disable", first.code)
    assert client.get(f"/{first.code}", headers={"User-Agent": BROWSER_UA}).status_code == 410
    run(runner, "link", "enable", first.code)
    assert client.get(f"/{first.code}", headers={"User-Agent": BROWSER_UA}).status_code == 302

    changed = run(runner, "link", "update", first.code, "--expires", "2099-01-01",
                  "--max-clicks", "5", "--destination", "https://shop.example/other")
    assert changed.exit_code == 0, changed.output
    saved = store.get_link(redis, first.code)
    assert saved.max_clicks == 5 and saved.expires_at == 4070908800.0
    assert saved.destination == "https://shop.example/other"
    location = client.get(f"/{first.code}", headers={"User-Agent": BROWSER_UA}).headers[
        "Location"]
    assert location.startswith("https://shop.example/other")
    run(runner, "link", "update", first.code, "--no-expiry", "--no-max-clicks",
        "--campaign-destination")
    saved = store.get_link(redis, first.code)
    assert (saved.expires_at, saved.max_clicks, saved.destination) == (None, None, None)
    past = run(runner, "link", "update", first.code, "--expires", "2001-01-01")
    assert past.exit_code == 1 and "in the future" in past.output


def test_stats_campaign_prints_figures_and_kpis(runner, client, make_campaign, make_link):
    campaign = make_campaign(cost=100)
    link = make_link(campaign, "cust-1")
    client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    figures = json.loads(run(runner, "stats", "campaign", campaign.id).stdout)
    assert figures["clicks"] == 1
    assert figures["kpis"]["cost_per_advocate"] == 100.0
    ranged = json.loads(run(runner, "stats", "campaign", campaign.id, "--since",
                            "2000-01-01", "--until", "2000-01-02").stdout)
    assert ranged["clicks"] == 0
