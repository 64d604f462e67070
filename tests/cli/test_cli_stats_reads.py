"""A campaign's figures and KPIs come from one read of its day hashes."""

from __future__ import annotations

import datetime as dt
import json

from shortener.cli import main
from tests.conftest import BROWSER_UA


def hash_reads(redis) -> int:
    return int(redis.info("commandstats").get("cmdstat_hgetall", {}).get("calls", 0))


def test_stats_campaign_reads_each_day_once(runner, redis, client, make_campaign, make_link):
    campaign = make_campaign(cost=10)
    link = make_link(campaign, "cust-1")
    client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA})
    today = dt.datetime.now(dt.UTC).date()

    def reads(days: int) -> int:
        since = (today - dt.timedelta(days=days - 1)).isoformat()
        before = hash_reads(redis)
        result = runner.invoke(main, ["stats", "campaign", campaign.id, "--since", since,
                                      "--until", today.isoformat()], catch_exceptions=False)
        assert json.loads(result.stdout)["kpis"]["clicks"] == 1
        return hash_reads(redis) - before

    # Nine more days cost nine more counter hash reads: figures and KPIs share one read;
    # and nine more of the days' share taps (keys.campaign_shares), read once each.
    assert reads(10) - reads(1) == 9 * 2
