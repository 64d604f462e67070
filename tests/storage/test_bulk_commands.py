"""What bulk minting and import cost in Redis commands, per link and per row.

Counted with INFO commandstats on a single server: each command costs the
client more than the server (redis-py packs and parses it in Python), so
the number per row is what sets the rows per second.
"""

from __future__ import annotations

from shortener.links.importing import import_advocates
from shortener.links.minting import MintRequest, mint_links

ROWS = 300


def commands(redis) -> int:
    return sum(int(stats["calls"]) for name, stats in redis.info("commandstats").items()
               if name not in ("cmdstat_info", "cmdstat_ping"))


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
