"""Stats and KPI endpoints read each day hash once per request."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import BROWSER_UA


def hash_reads(redis) -> int:
    return int(redis.info("commandstats").get("cmdstat_hgetall", {}).get("calls", 0))


@pytest.mark.parametrize("path", ["stats", "kpis"])
def test_a_longer_range_costs_one_read_per_day(api, client, redis, campaign, path):
    link = api.post("/links", json={"campaign": campaign["id"], "advocate": "ann"}).json
    client.get(f"/{link['code']}", headers={"User-Agent": BROWSER_UA})
    today = dt.datetime.now(dt.UTC).date()

    def reads(days: int) -> int:
        start = (today - dt.timedelta(days=days - 1)).isoformat()
        before = hash_reads(redis)
        answer = api.get(f"/campaigns/{campaign['id']}/{path}?start={start}"
                         f"&end={today.isoformat()}")
        assert answer.status_code == 200 and answer.json["clicks"] == 1
        return hash_reads(redis) - before

    # Each day's counter hash once; the campaign's stats also read each day's share
    # taps (keys.campaign_shares) once, for shares and clicks per share.
    per_day = 2 if path == "stats" else 1
    assert reads(20) - reads(1) == 19 * per_day
