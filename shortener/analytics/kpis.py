"""get_campaign_kpis(): a campaign's KPIs, each formula in analytics/metrics.py.

Advocates are the campaign's advocates (those with a link in it); active
advocates, those whose link brought at least one human click; recruited,
those of them whose ``referred_by`` is another advocate of the campaign;
converted, those with a conversion. Each is the size of a set or sorted set
kept when clicks, conversions, links and advocates are written, so a KPI
read costs the same at a hundred advocates or a million.
Clicks and conversions are all-time, or the range's when one is given.
"""

from __future__ import annotations

import datetime as dt

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.queries import get_campaign_stats
from shortener.analytics.results import CampaignReport, Kpis, Stats, TopAdvocate
from shortener.db import Client
from shortener.links.models import Campaign


def competition_rank(r: Client, campaign_id: str, clicks: int) -> int | None:
    """Competition ranking ("1224"): one more than the advocates with more clicks, so
    ties share a rank; None for no click (the unranked are not placed)."""
    if clicks <= 0:
        return None
    return int(r.zcount(keys.campaign_leaderboard(campaign_id), f"({clicks}", "+inf")) + 1


def get_campaign_kpis(r: Client, campaign: Campaign, *, start: dt.date | None = None,
                      end: dt.date | None = None) -> Kpis:
    return get_campaign_report(r, campaign, start=start, end=end).kpis


def get_campaign_report(r: Client, campaign: Campaign, *, start: dt.date | None = None,
                        end: dt.date | None = None) -> CampaignReport:
    """A campaign's figures and its KPIs over all time or a range, from one read."""
    stats = get_campaign_stats(r, campaign.id, start=start, end=end)
    return CampaignReport(campaign, stats, kpis_of(r, campaign, stats))


def kpis_of(r: Client, campaign: Campaign, stats: Stats) -> Kpis:
    """The KPIs of a campaign's figures (already read) and its advocate counts."""
    pipe = r.pipeline(transaction=False)
    pipe.zcard(keys.campaign_advocates(campaign.id))
    pipe.zcount(keys.campaign_leaderboard(campaign.id), 1, "+inf")
    pipe.scard(keys.campaign_recruited(campaign.id))
    pipe.zcount(keys.campaign_conversion_board(campaign.id), 1, "+inf")
    advocates, active, recruited, converted = (int(value) for value in pipe.execute())
    clicks = stats.clicks
    return Kpis(
        campaign=campaign.id,
        clicks=clicks,
        unique_visitors=stats.unique_visitors,
        conversions=stats.conversions,
        conversion_value=stats.conversion_value,
        conversions_by_click=stats.conversions_by_click,
        conversions_by_code=stats.conversions_by_code,
        advocates=advocates,
        active_advocates=active,
        recruited_advocates=recruited,
        converted_advocates=converted,
        dark_share=metrics.dark_share(stats.dark, clicks),
        referral_rate=metrics.referral_rate(active, advocates),
        conversion_rate=metrics.conversion_rate(stats.conversions, clicks),
        k_factor=metrics.k_factor(recruited, advocates),
        cost_per_advocate=metrics.cost_per_advocate(campaign.cost, advocates),
        earned_media_value=metrics.earned_media_value(clicks, campaign.value_per_click),
        roi=metrics.roi(stats.conversion_value, campaign.cost),
        currency=campaign.currency,
    )


def ranked_positions(scores: list[int]) -> list[int]:
    """Competition ranks of scores sorted high to low: [9, 7, 7, 3] -> [1, 2, 2, 4]."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        ranks.append(ranks[-1] if position and score == scores[position - 1] else position + 1)
    return ranks


def list_top_advocates(r: Client, campaign_id: str, *, limit: int = 10) -> list[TopAdvocate]:
    """The campaign's leaderboard: advocates by human clicks, with conversions.

    Ties share a rank (competition ranking) and are listed by external id;
    advocates with no click are not listed.
    """
    ranked = r.zrevrangebyscore(keys.campaign_leaderboard(campaign_id), "+inf", 1, start=0,
                                num=limit, withscores=True)
    ranked = sorted(ranked, key=lambda entry: (-entry[1], entry[0]))
    pipe = r.pipeline(transaction=False)
    for external_id, _ in ranked:
        pipe.zscore(keys.campaign_conversion_board(campaign_id), external_id)
    conversions = pipe.execute() if ranked else []
    ranks = ranked_positions([int(score) for _, score in ranked])
    return [
        TopAdvocate(rank=rank, advocate=external_id, clicks=int(score),
                    conversions=int(converted or 0))
        for rank, (external_id, score), converted in zip(ranks, ranked, conversions,
                                                         strict=True)
    ]


def get_advocate_rank(r: Client, campaign_id: str, external_id: str) -> int | None:
    """1-based competition rank by human clicks, or None before the advocate's first click."""
    clicks = r.zscore(keys.campaign_leaderboard(campaign_id), external_id)
    return competition_rank(r, campaign_id, int(clicks or 0))
