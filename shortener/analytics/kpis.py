"""get_campaign_kpis(): a campaign's KPIs, each formula in analytics/metrics.py.

Advocates are the campaign's advocates (those with a link in it); active
advocates, those whose link brought at least one human click; recruited,
those of them whose ``referred_by`` is another advocate of the campaign.
Clicks and conversions are all-time, or the range's when one is given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.queries import get_campaign_stats
from shortener.db import Client
from shortener.links import store
from shortener.links.models import Advocate, Campaign


def count_recruited(r: Client, campaign_id: str) -> int:
    """Advocates of the campaign whose referrer is an advocate of the campaign too."""
    members = store.list_campaign_advocates(r, campaign_id)
    member_set = set(members)
    pipe = r.pipeline(transaction=False)
    for external_id in members:
        pipe.get(keys.advocate(external_id))
    recruited = 0
    for text in pipe.execute():
        if text:
            referred_by = Advocate.from_json(text).referred_by
            recruited += referred_by is not None and referred_by in member_set
    return recruited


def get_campaign_kpis(r: Client, campaign: Campaign, *, start: dt.date | None = None,
                      end: dt.date | None = None) -> dict[str, Any]:
    stats = get_campaign_stats(r, campaign.id, start=start, end=end)
    pipe = r.pipeline(transaction=False)
    pipe.zcard(keys.campaign_advocates(campaign.id))
    pipe.zcount(keys.campaign_leaderboard(campaign.id), 1, "+inf")
    advocates, active = (int(value) for value in pipe.execute())
    recruited = count_recruited(r, campaign.id)
    clicks = stats["clicks"]
    return {
        "campaign": campaign.id,
        "clicks": clicks,
        "unique_visitors": stats["unique_visitors"],
        "conversions": stats["conversions"],
        "conversion_value": stats["conversion_value"],
        "advocates": advocates,
        "active_advocates": active,
        "recruited_advocates": recruited,
        "dark_share": metrics.dark_share(stats["dark"], clicks),
        "referral_rate": metrics.referral_rate(active, advocates),
        "conversion_rate": metrics.conversion_rate(stats["conversions"], clicks),
        "k_factor": metrics.k_factor(recruited, advocates),
        "cost_per_advocate": metrics.cost_per_advocate(campaign.cost, advocates),
        "earned_media_value": metrics.earned_media_value(clicks, campaign.value_per_click),
        "roi": metrics.roi(stats["conversion_value"], campaign.cost),
        "currency": campaign.currency,
    }


def list_top_advocates(r: Client, campaign_id: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """The campaign's leaderboard: advocates by human clicks, with conversions."""
    ranked = r.zrevrange(keys.campaign_leaderboard(campaign_id), 0, limit - 1, withscores=True)
    pipe = r.pipeline(transaction=False)
    for external_id, _ in ranked:
        pipe.zscore(keys.campaign_conversion_board(campaign_id), external_id)
    conversions = pipe.execute()
    return [
        {"rank": position + 1, "advocate": external_id, "clicks": int(score),
         "conversions": int(converted or 0)}
        for position, ((external_id, score), converted) in enumerate(
            zip(ranked, conversions, strict=True))
    ]


def get_advocate_rank(r: Client, campaign_id: str, external_id: str) -> int | None:
    """1-based rank by human clicks, or None before the advocate's first click."""
    rank = r.zrevrank(keys.campaign_leaderboard(campaign_id), external_id)
    return None if rank is None else int(rank) + 1
