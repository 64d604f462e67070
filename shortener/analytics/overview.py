"""get_overview(): the dashboard's figures for one or more campaigns over a date range.

The same counters and formulas as the API's campaign KPIs (analytics/kpis.py,
analytics/metrics.py), summed over the chosen campaigns: one pipeline per
campaign for its days, one for the advocate counts; for the whole programme,
one pipeline of programme day hashes (keys.programme_day), which the click
and conversion writers keep beside the campaigns' day hashes. Unique visitors over
several campaigns are the sum of each campaign's daily uniques (a visitor
who clicked links of two campaigns counts twice), as within one campaign
they are the sum of daily uniques. Money figures are summed only when every
campaign uses one currency; otherwise they are left undefined (None).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.kpis import ranked_positions
from shortener.analytics.queries import get_campaign_stats, get_programme_stats, summarize
from shortener.clicks import counters
from shortener.db import Client
from shortener.links.models import Advocate, Campaign

KINDS = ("human", "preview_bot", "scanner", "crawler")


def _sum(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(sum(known), 4) if known else None


def _headline(figures: dict[str, float]) -> dict[str, Any]:
    """A campaign's row figures out of its part of the programme day hashes."""
    return {
        "clicks": int(figures.get(counters.HUMAN, 0)),
        "unique_visitors": int(figures.get(counters.VISITORS, 0)),
        "dark": int(figures.get(counters.DARK, 0)),
        "conversions": int(figures.get(counters.CONVERSIONS, 0)),
        "conversion_value": figures.get(counters.CONVERSION_VALUE, 0.0),
    }


def get_overview(r: Client, campaigns: list[Campaign], *, start: dt.date,
                 end: dt.date, programme: bool = False) -> dict[str, Any]:
    """KPIs, per-day clicks by channel, channel mix, other kinds, and a row per campaign.

    With ``programme`` (``campaigns`` is every campaign), the figures come from
    the programme day hashes, one per day whatever the number of campaigns;
    otherwise from each campaign's day hashes.
    """
    if programme:
        total, by_campaign = get_programme_stats(r, start=start, end=end)
        stats = [_headline(by_campaign.get(campaign.id, {})) for campaign in campaigns]
        summed = [total]
    else:
        stats = [get_campaign_stats(r, campaign.id, start=start, end=end)
                 for campaign in campaigns]
        summed = stats
    pipe = r.pipeline(transaction=False)
    for campaign in campaigns:
        pipe.zcard(keys.campaign_advocates(campaign.id))
        pipe.zcount(keys.campaign_leaderboard(campaign.id), 1, "+inf")
        pipe.zcard(keys.campaign_links(campaign.id))
        pipe.scard(keys.campaign_recruited(campaign.id))
    counts = pipe.execute()
    rows = []
    for index, (campaign, figures) in enumerate(zip(campaigns, stats, strict=True)):
        advocates, active, links, recruited = (
            int(value) for value in counts[index * 4:index * 4 + 4])
        rows.append({
            "campaign": campaign,
            "stats": figures,
            "advocates": advocates,
            "active_advocates": active,
            "recruited_advocates": recruited,
            "links": links,
            "dark_share": metrics.dark_share(figures["dark"], figures["clicks"]),
            "conversion_rate": metrics.conversion_rate(figures["conversions"],
                                                       figures["clicks"]),
            "earned_media_value": metrics.earned_media_value(figures["clicks"],
                                                             campaign.value_per_click),
        })
    return {
        "kpis": _kpis(rows),
        "series": _series(summed, start, end),
        "channel_mix": _channel_mix(summed),
        "by_kind": {kind: sum(figures["by_kind"].get(kind, 0) for figures in summed)
                    for kind in KINDS},
        "previews": dict(sum((Counter(figures["previews"]) for figures in summed), Counter())),
        "by_device": dict(sum((Counter(figures["by_device"]) for figures in summed),
                              Counter())),
        "by_country": dict(sum((Counter(figures["by_country"]) for figures in summed),
                               Counter())),
        "campaigns": rows,
    }


def _kpis(rows: list[dict[str, Any]]) -> dict[str, Any]:
    clicks = sum(row["stats"]["clicks"] for row in rows)
    dark = sum(row["stats"]["dark"] for row in rows)
    conversions = sum(row["stats"]["conversions"] for row in rows)
    advocates = sum(row["advocates"] for row in rows)
    active = sum(row["active_advocates"] for row in rows)
    recruited = sum(row["recruited_advocates"] for row in rows)
    currencies = {row["campaign"].currency for row in rows}
    one_currency = len(currencies) == 1
    costs = [row["campaign"].cost for row in rows]
    cost = _sum(costs) if one_currency else None
    return {
        "clicks": clicks,
        "unique_visitors": sum(row["stats"]["unique_visitors"] for row in rows),
        "dark": dark,
        "dark_share": metrics.dark_share(dark, clicks),
        "conversions": conversions,
        "conversion_value": round(sum(row["stats"]["conversion_value"] for row in rows), 2),
        "conversion_rate": metrics.conversion_rate(conversions, clicks),
        "conversions_by_click": sum(row["stats"].get("conversions_by_click", 0) for row in rows),
        "conversions_by_code": sum(row["stats"].get("conversions_by_code", 0) for row in rows),
        "advocates": advocates,
        "active_advocates": active,
        "referral_rate": metrics.referral_rate(active, advocates),
        "k_factor": metrics.k_factor(recruited, advocates),
        "cost_per_advocate": metrics.cost_per_advocate(cost, advocates),
        "earned_media_value": _sum([row["earned_media_value"] for row in rows])
        if one_currency else None,
        "currency": currencies.pop() if one_currency else None,
    }


def _series(stats: list[dict[str, Any]], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Human clicks per day, split by channel: {"days": [...], "channels": {name: [...]}}."""
    days = [day["day"] for day in stats[0]["by_day"]] if stats else [
        (start + dt.timedelta(days=offset)).isoformat()
        for offset in range((end - start).days + 1)
    ]
    channels: dict[str, list[int]] = {}
    for figures in stats:
        for position, day in enumerate(figures["by_day"]):
            for channel, count in day["by_channel"].items():
                channels.setdefault(channel, [0] * len(days))[position] += count
    ordered = dict(sorted(channels.items(), key=lambda item: -sum(item[1])))
    return {"days": days, "channels": ordered}


def _channel_mix(stats: list[dict[str, Any]]) -> dict[str, int]:
    mix: Counter[str] = Counter()
    for figures in stats:
        mix.update(figures["by_channel"])
    return dict(mix.most_common())


def list_leaders(r: Client, campaigns: list[Campaign], *, limit: int = 10
                 ) -> list[dict[str, Any]]:
    """Advocates by all-time human clicks over the campaigns, with conversions and names."""
    pipe = r.pipeline(transaction=False)
    for campaign in campaigns:
        pipe.zrevrange(keys.campaign_leaderboard(campaign.id), 0, limit - 1, withscores=True)
    boards = pipe.execute()
    entries = [
        (campaign, external_id, int(score))
        for campaign, board in zip(campaigns, boards, strict=True)
        for external_id, score in board if score > 0
    ]
    entries.sort(key=lambda entry: (-entry[2], entry[1], entry[0].id))
    entries = entries[:limit]
    ranks = ranked_positions([clicks for _, _, clicks in entries])
    pipe = r.pipeline(transaction=False)
    for campaign, external_id, _ in entries:
        pipe.zscore(keys.campaign_conversion_board(campaign.id), external_id)
        pipe.get(keys.advocate(external_id))
    answers = pipe.execute()
    leaders = []
    for position, (campaign, external_id, clicks) in enumerate(entries):
        converted, text = answers[position * 2], answers[position * 2 + 1]
        advocate = Advocate.from_json(text) if text else None
        leaders.append({
            "rank": ranks[position],
            "advocate": external_id,
            "name": advocate.name if advocate else None,
            "share_token": advocate.share_token if advocate else None,
            "campaign": campaign,
            "clicks": clicks,
            "conversions": int(converted or 0),
            "conversion_rate": metrics.conversion_rate(int(converted or 0), clicks),
        })
    return leaders


def get_advocate_progress(r: Client, campaign: Campaign, external_id: str) -> dict[str, Any]:
    """An advocate's all-time clicks, conversions and rank in one campaign.

    The rank is a competition rank among the advocates with a click
    (``ranked`` of them; ``tied`` when others share it); an advocate with no
    click has no rank, and ``advocates`` counts every advocate of the campaign.
    """
    board = keys.campaign_leaderboard(campaign.id)
    pipe = r.pipeline(transaction=False)
    pipe.zscore(board, external_id)
    pipe.zscore(keys.campaign_conversion_board(campaign.id), external_id)
    pipe.zcard(keys.campaign_advocates(campaign.id))
    pipe.zcount(board, 1, "+inf")
    clicks, conversions, advocates, ranked = pipe.execute()
    clicks, conversions = int(clicks or 0), int(conversions or 0)
    rank = tied = None
    if clicks > 0:
        pipe = r.pipeline(transaction=False)
        pipe.zcount(board, f"({clicks}", "+inf")
        pipe.zcount(board, clicks, clicks)
        above, same = pipe.execute()
        rank, tied = int(above) + 1, int(same) > 1
    goal = campaign.reward_goal
    return {
        "clicks": clicks,
        "conversions": conversions,
        "rank": rank,
        "tied": tied,
        "ranked": int(ranked),
        "advocates": int(advocates),
        "reward_goal": goal,
        "goal_progress": min(conversions, goal) if goal else None,
    }


def list_link_totals(r: Client, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Each link's all-time figures (human clicks, kinds, conversions), in one pipeline."""
    pipe = r.pipeline(transaction=False)
    for code in codes:
        pipe.hgetall(keys.link_totals(code))
    return {code: summarize(fields) for code, fields in zip(codes, pipe.execute(), strict=True)}
