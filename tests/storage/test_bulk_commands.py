"""What bulk minting and import cost in Redis commands, per link and per row.

Two counts on a single server: the commands Redis runs (INFO commandstats,
which counts those a script runs too), and the commands the client sends
(MONITOR, script calls apart). A command sent costs the client more than
Redis spends running it (redis-py packs and parses it in Python), so the
steps send their per-key commands a chunk at a time in one script call
(links.store._each): Redis runs about as many as before, the client sends a
few per chunk.
"""

from __future__ import annotations

from shortener.links.importing import import_advocates
from shortener.links.minting import MintRequest, mint_links

ROWS = 300


def commands(redis) -> int:
    return sum(int(stats["calls"]) for name, stats in redis.info("commandstats").items()
               if name not in ("cmdstat_info", "cmdstat_ping"))


def sent_commands(redis, action) -> int:
    """Commands the client sends while ``action`` runs (MONITOR's, without those scripts run)."""
    with redis.monitor() as monitor:
        action()
        redis.echo("end of the count")
        sent = 0
        while (entry := monitor.next_command())["command"] != "ECHO end of the count":
            sent += entry["client_type"] != "lua"
    return sent


def test_bulk_minting_new_advocates_costs_few_commands_per_link(redis, app_settings,
                                                                make_campaign):
    campaign = make_campaign()
    before = commands(redis)
    results = mint_links(redis, app_settings, campaign_id=campaign.id,
                         items=[MintRequest(f"adv-{number}") for number in range(ROWS)])
    assert all(result.created for result in results)
    # Link claim, mint slot, advocate claim, share token, advocate's links, referrals;
    # and the referral code: its claim (SET NX) and its gift (HSETNX), 2 more per link.
    assert (commands(redis) - before) / ROWS <= 6.2 + 2


def test_import_of_new_advocates_costs_few_commands_per_row(redis, app_settings, make_campaign,
                                                            tmp_path):
    campaign = make_campaign()
    rows = [{"external_id": f"imp-{number}", "name": f"Imported {number}",
             "referred_by": f"imp-{number - 1}" if number % 3 else ""}
            for number in range(ROWS)]
    before = commands(redis)
    summary = import_advocates(redis, app_settings, campaign.id, rows,
                               failed_path=tmp_path / "failed.csv")
    assert summary["imported"] == ROWS
    # The referral code of each new advocate: its claim and its gift, 2 more per row.
    assert (commands(redis) - before) / ROWS <= 7 + 2


def test_bulk_minting_and_import_send_a_few_commands_per_chunk(redis, app_settings,
                                                               make_campaign, tmp_path):
    campaign = make_campaign()
    minted = sent_commands(redis, lambda: mint_links(
        redis, app_settings, campaign_id=campaign.id,
        items=[MintRequest(f"adv-{number}") for number in range(ROWS)]))
    rows = [{"external_id": f"imp-{number}", "name": f"Imported {number}",
             "referred_by": f"imp-{number - 1}" if number % 3 else ""}
            for number in range(ROWS)]
    imported = sent_commands(redis, lambda: import_advocates(
        redis, app_settings, campaign.id, rows, failed_path=tmp_path / "failed.csv"))
    # One chunk of 300: about 20 commands each (19 and 21 today), where one per row
    # and step would be over 2,000.
    assert minted <= 25
    assert imported <= 30
