"""Top advocates over a date range, from the links' daily counters.

The leaderboards (keys.campaign_leaderboard) count all time. Over a range,
each link's day hashes are summed per (campaign, advocate); a link belongs
to one advocate and one campaign, so nothing is counted twice. That reads
one hash per link and day, so it is bounded: past MAX_LINK_DAYS the caller
falls back to the all-time board and says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.queries import days_between
from shortener.clicks import counters
from shortener.db import Client
from shortener.links import store
from shortener.links.models import Advocate, Campaign

# 2,000 links over 30 days; a page reads them in one pipeline.
MAX_LINK_DAYS = 60_000


def list_leaders_in_range(r: Client, campaigns: list[Campaign], *, start: dt.date,
                          end: dt.date, limit: int = 10) -> list[dict[str, Any]] | None:
    """Advocates by human clicks in the range, as overview.list_leaders shapes them;
    None when the campaigns have too many links to sum day by day."""
    codes = [code for campaign in campaigns
             for code in store.list_link_codes(r, campaign_id=campaign.id)]
    days = days_between(start, end)
    if len(codes) * len(days) > MAX_LINK_DAYS:
        return None
    links = store.get_links(r, codes)
    pipe = r.pipeline(transaction=False)
    for link in links:
        for day in days:
            pipe.hmget(keys.link_day(link.code, day), counters.HUMAN, counters.CONVERSIONS)
    answers = iter(pipe.execute())
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for link in links:
        summed = totals[(link.campaign_id, link.advocate)]
        for _ in days:
            clicks, conversions = next(answers)
            summed[0] += int(clicks or 0)
            summed[1] += int(conversions or 0)
    ranked = sorted(((key, figures) for key, figures in totals.items() if figures[0] > 0),
                    key=lambda item: (-item[1][0], -item[1][1], item[0]))[:limit]
    by_id = {campaign.id: campaign for campaign in campaigns}
    pipe = r.pipeline(transaction=False)
    for (_, external_id), _ in ranked:
        pipe.get(keys.advocate(external_id))
    texts = pipe.execute() if ranked else []
    leaders = []
    for position, (((campaign_id, external_id), (clicks, conversions)), text) in enumerate(
            zip(ranked, texts, strict=True)):
        advocate = Advocate.from_json(text) if text else None
        leaders.append({
            "rank": position + 1,
            "advocate": external_id,
            "name": advocate.name if advocate else None,
            "share_token": advocate.share_token if advocate else None,
            "campaign": by_id[campaign_id],
            "clicks": clicks,
            "conversions": conversions,
            "conversion_rate": metrics.conversion_rate(conversions, clicks),
        })
    return leaders
