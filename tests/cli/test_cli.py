"""The `shortener` console script, run in-process against the real Redis."""

from __future__ import annotations

import json

from shortener import keys
from shortener.cli import main
from shortener.clicks.conversions import record_conversion
from shortener.links.codes import advocate_for_code
from tests.conftest import BROWSER_UA


def run(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_the_walkthrough_works(runner, client):
    made = run(runner, "campaign", "create", "--name", "Spring", "--destination",
               "https://shop.example/spring", "--utm-source", "referral")
    assert made.exit_code == 0, made.output
    campaign = json.loads(made.output)
    assert campaign["utm"] == {"utm_source": "referral"}

    minted = run(runner, "link", "mint", "--campaign", campaign["id"], "--advocate", "alice",
                 "--channel", "whatsapp")
    assert minted.exit_code == 0, minted.output
    link = json.loads(minted.output)
    assert link["short_url"] == f"https://go.example/{link['code']}"
    assert link["share_url"].startswith("https://go.example/s/")

    assert client.get(f"/{link['code']}", headers={"User-Agent": BROWSER_UA}).status_code == 302
    stats = run(runner, "stats", "link", link["code"])
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.output)
    assert figures["clicks"] == 1
    assert figures["by_channel"] == {"whatsapp": 1}
    assert figures["by_kind"]["human"] == 1


def test_bad_arguments_exit_non_zero_with_one_line(runner):
    result = run(runner, "campaign", "create", "--name", "x", "--destination", "ftp://nope")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: destination must start with http:// or https:// (destination)"]
    assert "Traceback" not in result.output


def test_an_unknown_campaign_is_one_line(runner):
    result = run(runner, "link", "mint", "--campaign", "404", "--advocate", "alice")
    assert result.exit_code == 1
    assert "campaign '404' does not exist" in result.output


def test_stats_of_an_unknown_link_is_one_line(runner):
    result = run(runner, "stats", "link", "nope")
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_a_bad_setting_names_the_variable(runner):
    result = runner.invoke(main, ["stats", "link", "x"], env={"CODE_MIN_LENGTH": "-3"})
    assert result.exit_code == 1
    assert "CODE_MIN_LENGTH" in result.output


def test_trim_drops_old_events_of_idle_campaigns_and_keeps_counters(runner, redis, make_link):
    import time

    from shortener import keys

    link = make_link()
    stream = keys.campaign_clicks(link.campaign_id)
    old = int((time.time() - 100 * 86400) * 1000)
    for offset in range(3):
        redis.xadd(stream, {"code": link.code}, id=f"{old + offset}-0")
    redis.hset(keys.link_totals(link.code), "human", 1)
    result = run(runner, "clicks", "trim")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"dropped": 3, "survey_texts_dropped": 0,
                                         "retention_days": 90}
    assert redis.xlen(stream) == 0
    assert json.loads(run(runner, "stats", "link", link.code).output)["clicks"] == 1


def test_conversions_list_pages_by_cursor(runner, redis, app_settings, make_campaign,
                                          make_link):
    campaign = make_campaign()
    link = make_link(campaign, advocate="alice")
    make_link(campaign, advocate="bob")
    key = app_settings.secrets["click_id_key"].encode()
    for number, advocate in enumerate(["alice", "bob", "alice"], start=1):
        record_conversion(redis, click_id_key=key, campaign_id=campaign.id,
                          advocate=advocate, order_id=f"o-{number}", value=number)
    first = run(runner, "conversions", "list", "--campaign", campaign.id, "--advocate",
                "alice", "--limit", "1")
    assert first.exit_code == 0, first.output
    page = json.loads(first.output)
    assert [(item["order_id"], item["code"]) for item in page["items"]] == [("o-1", link.code)]
    rest = json.loads(run(runner, "conversions", "list", "--campaign", campaign.id,
                          "--advocate", "alice", "--cursor", page["next_cursor"]).output)
    assert [item["order_id"] for item in rest["items"]] == ["o-3"]
    assert rest["next_cursor"] is None
    bad = runner.invoke(main, ["conversions", "list", "--campaign", campaign.id,
                               "--cursor", "nope"])
    assert bad.exit_code == 1 and "(cursor)" in bad.output


def test_conversions_index_lists_what_was_recorded_before(runner, redis, make_link):
    link = make_link()
    record = {"order_id": "old", "campaign_id": link.campaign_id, "advocate": "alice",
              "value": 5.0, "currency": "EUR", "click_id": None, "code": None,
              "ts": 1_767_225_600.0}
    redis.hset(keys.campaign_orders(link.campaign_id), "old", json.dumps(record))
    indexed = run(runner, "conversions", "index")
    assert indexed.exit_code == 0, indexed.output
    assert json.loads(indexed.output) == {"indexed": 1, "campaigns": {link.campaign_id: 1}}
    listed = json.loads(run(runner, "conversions", "list", "--campaign",
                            link.campaign_id).output)
    assert [item["order_id"] for item in listed["items"]] == ["old"]
def test_classify_explains_a_click_without_storing_anything(runner, redis):
    result = run(runner, "classify", "--user-agent",
                 "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/141.0.7390.124 Mobile Safari/537.36 [WA4A/2.25.32.75;]",
                 "--referrer", "https://www.example.org/", "--query", "a=b&c=d",
                 "--ip", "81.2.69.142")
    assert result.exit_code == 0
    answer = json.loads(result.output)
    assert {key: answer[key] for key in ("kind", "channel", "dark", "signal", "country",
                                         "network")} == {
        "kind": "human", "channel": "whatsapp", "dark": True, "signal": "in_app_browser",
        "country": "GB", "network": "unknown"}
    assert 0 < answer["confidence"] <= 1
    assert answer["device"] == "mobile" and answer["os"] == "Android"
    assert list(redis.scan_iter()) == []


def test_classify_calls_a_browser_from_a_cloud_network_a_crawler(runner):
    answer = json.loads(run(runner, "classify", "--user-agent",
                            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                            "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                            "--ip", "52.95.110.1").output)
    assert (answer["kind"], answer["signal"], answer["network"]) == (
        "crawler", "hosting_network", "hosting")


def test_classify_takes_junk_without_failing(runner):
    result = run(runner, "classify", "--user-agent", "\x00\ufffd" * 600, "--ip", "999.1.2.3",
                 "--referrer", "http://[::1", "--query", "%%%&&==")
    assert result.exit_code == 0
    assert json.loads(result.output)["network"] == "unknown"


def test_advocate_erase_replaces_the_external_id(runner, redis, make_link):
    link = make_link(advocate="ana@mail.example")
    result = run(runner, "advocate", "erase", "ana@mail.example")
    assert result.exit_code == 0, result.output
    erased = json.loads(result.output)
    assert erased["external_id"].startswith("erased-") and erased["erased_at"]
    assert [key for key in redis.scan_iter() if "ana@mail.example" in key] == []
    assert json.loads(redis.get(next(key for key in redis.scan_iter()
                                     if key.endswith(f"{link.code}}}:link"))))["advocate"] \
        == erased["external_id"]
    again = run(runner, "advocate", "erase", "ana@mail.example")
    assert again.exit_code == 1 and "does not exist" in again.output


def test_minting_prints_the_referral_code_and_show_repeats_it(runner, redis):
    made = run(runner, "campaign", "create", "--name", "Spring", "--destination",
               "https://shop.example/spring", "--code-prefix", "spring")
    assert made.exit_code == 0, made.output
    campaign = json.loads(made.output)
    assert campaign["code_prefix"] == "SPRING"
    minted = json.loads(run(runner, "link", "mint", "--campaign", campaign["id"],
                            "--advocate", "alice").output)
    assert minted["referral_code"].startswith("SPRING-")
    assert advocate_for_code(redis, campaign["id"], minted["referral_code"].lower()) == "alice"
    shown = json.loads(run(runner, "link", "show", minted["code"]).output)
    assert shown["referral_code"] == minted["referral_code"]
