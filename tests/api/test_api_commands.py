"""The API's command-line twins: apikey, advocate import, clicks export."""

from __future__ import annotations

import csv
import json

import pytest

from shortener import keys
from shortener.cli import main
from shortener.links import store


def test_a_key_made_on_the_command_line_opens_the_api(runner, client, redis):
    made = runner.invoke(main, ["apikey", "create", "--name", "shop"])
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    listed = json.loads(runner.invoke(main, ["apikey", "list"]).stdout)
    assert [(item["id"], item["prefix"]) for item in listed] == \
        [(created["id"], created["key"][:12])]
    assert "key" not in listed[0]
    assert runner.invoke(main, ["apikey", "revoke", created["id"]]).exit_code == 0
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 401


def test_keys_are_listed_as_json_a_table_or_csv(runner, redis, make_campaign):
    campaign = make_campaign()
    shop = json.loads(runner.invoke(main, ["apikey", "create", "--name", "shop"]).stdout)
    report = json.loads(runner.invoke(main, [
        "apikey", "create", "--name", "=report", "--scopes", "stats:read,campaigns:read",
        "--campaign", campaign.id]).stdout)
    runner.invoke(main, ["apikey", "revoke", shop["id"]])

    listed = json.loads(runner.invoke(main, ["apikey", "list", "--format", "json"]).stdout)
    assert listed == json.loads(runner.invoke(main, ["apikey", "list"]).stdout)
    assert [item["id"] for item in listed] == [shop["id"], report["id"]]

    table = runner.invoke(main, ["apikey", "list", "--format", "table"]).stdout.splitlines()
    assert table[0].split() == ["id", "name", "prefix", "read_only", "scopes", "campaigns",
                                "created_at", "revoked_at"]
    assert table[1].split()[:6] == [shop["id"], "shop", shop["key"][:12], "False", "all", "all"]
    assert table[2].split()[4:6] == ["campaigns:read,stats:read", campaign.id]
    assert table[2].split()[-1] == "-"

    rows = list(csv.DictReader(runner.invoke(main, ["apikey", "list", "--format",
                                                    "csv"]).stdout.splitlines()))
    assert [row["id"] for row in rows] == [shop["id"], report["id"]]
    assert rows[1]["name"] == "'=report"  # not a formula in a spreadsheet
    assert rows[1]["scopes"] == "campaigns:read,stats:read" and rows[0]["scopes"] == "all"
    assert rows[0]["revoked_at"] and rows[1]["revoked_at"] == ""
    assert all(token["key"] not in text for token in (shop, report)
               for text in (str(listed), str(table), str(rows)))
    refused = runner.invoke(main, ["apikey", "list", "--format", "xml"])
    assert refused.exit_code == 2 and "'json', 'table', 'csv'" in refused.output


def test_import_upserts_mints_reports_failures_and_is_safe_twice(runner, redis, make_campaign,
                                                                 tmp_path):
    campaign = make_campaign()
    source = tmp_path / "advocates.csv"
    source.write_text(
        "external_id,name,contact,referred_by,channel\n"
        "ann,Ann,ann@example.org,,\n"
        "ben,Ben,,ann,whatsapp\n"
        "cat,Cat,,dan,\n"          # dan comes later in the file
        "dan,Dan,,,\n"
        "bad id,Nope,,,\n"
        "eve,Eve,,nobody,\n"
    )
    for _ in range(2):
        result = runner.invoke(main, ["advocate", "import", str(source),
                                      "--campaign", campaign.id])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert (summary["rows"], summary["imported"], summary["failed"]) == (6, 4, 2)
    assert summary["links_created"] == 0
    assert len(store.list_link_codes(redis, campaign_id=campaign.id)) == 4
    assert store.get_advocate(redis, "cat").referred_by == "dan"
    assert store.get_advocate(redis, "ben").referred_by == "ann"
    with open(summary["failed_file"], newline="") as failed:
        rows = list(csv.DictReader(failed))
    assert [(row["line"], row["external_id"]) for row in rows] == [("6", "bad id"), ("7", "eve")]
    assert "referred_by" in rows[1]["reason"]


def test_clicks_export_writes_csv(runner, client, make_link, redis):
    link = make_link()
    client.get(f"/{link.code}", headers={"User-Agent": "Mozilla/5.0 Chrome/124"})
    result = runner.invoke(main, ["clicks", "export", "--campaign", link.campaign_id])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert len(rows) == redis.xlen(keys.campaign_clicks(link.campaign_id)) == 1
    assert rows[0]["code"] == link.code


def test_import_in_chunks_links_referrals_across_chunks_and_repeats(runner, redis,
                                                                     make_campaign, tmp_path):
    campaign = make_campaign()
    lines = ["external_id,name,referred_by"]
    count = 2500
    for number in range(count):
        # Each advocate is referred by the next one: always further down the file.
        referrer = f"adv-{number + 1}" if number + 1 < count else ""
        lines.append(f"adv-{number},Name {number},{referrer}")
    lines.append("adv-7,Renamed,")
    source = tmp_path / "many.csv"
    source.write_text("\n".join(lines) + "\n")
    result = runner.invoke(main, ["advocate", "import", str(source), "--campaign", campaign.id])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["links_created"], summary["failed"]) \
        == (count + 1, count, 0)
    assert store.get_advocate(redis, "adv-7").name == "Renamed"
    assert store.get_advocate(redis, "adv-7").referred_by == "adv-8"
    assert store.get_advocate(redis, "adv-2499").referred_by is None
    assert redis.scard(keys.campaign_recruited(campaign.id)) == count - 1
    assert redis.smembers(keys.advocate_referrals("adv-1000")) == {"adv-999"}


@pytest.mark.parametrize("content, message", [
    (b"external_id,name\r\nlat1,\xe9\xff\r\n", "is not UTF-8 text"),
    (b"external_id,name\nlong1," + b"x" * 200_000 + b"\n", "is not a CSV file"),
    (b"alice,Alice\nbob,Bob\n", "has no external_id column"),
    (b"", "has no external_id column"),
], ids=["latin-1", "huge-field", "no-header", "empty"])
def test_an_unreadable_import_file_ends_with_one_line(runner, redis, make_campaign, tmp_path,
                                                      content, message):
    campaign = make_campaign()
    source = tmp_path / "advocates.csv"
    source.write_bytes(content)
    result = runner.invoke(main, ["advocate", "import", str(source), "--campaign", campaign.id])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert store.list_campaign_advocates(redis, campaign.id) == []
