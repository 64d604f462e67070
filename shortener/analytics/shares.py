"""Shares per channel (share-button taps) and clicks per share, read from the counters
that clicks/shares.py writes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.results import CampaignStats, ShareRow, Stats
from shortener.db import Client


def get_shares(r: Client, campaign_id: str, *, start: dt.date | None = None,
               end: dt.date | None = None) -> dict[str, int]:
    """Shares by channel over all time, or over the UTC days from start to end."""
    if start is None or end is None:
        fields = r.hgetall(keys.campaign_share_totals(campaign_id))
        return {channel: int(count) for channel, count in sorted(fields.items())}
    pipe = r.pipeline(transaction=False)
    for offset in range((end - start).days + 1):
        pipe.hgetall(keys.campaign_shares(campaign_id,
                                          (start + dt.timedelta(days=offset)).strftime("%Y%m%d")))
    summed: dict[str, int] = {}
    for fields in pipe.execute():
        for channel, count in fields.items():
            summed[channel] = summed.get(channel, 0) + int(count)
    return dict(sorted(summed.items()))


def clicks_per_share(by_channel: dict[str, int], shares: dict[str, int]) -> dict[str, float]:
    """Human clicks per share of each channel that was shared (clicks tagged with that
    channel; a share page's buttons tag every link they share)."""
    return {channel: ratio for channel, count in shares.items()
            if (ratio := metrics.per_share(by_channel.get(channel, 0), count)) is not None}


def with_shares(r: Client, campaign_id: str, stats: Stats) -> CampaignStats:
    """A campaign's figures with its shares by channel over the same UTC days (all time
    when the figures are all-time) and the clicks per share."""
    days = stats.by_day
    start, end = (dt.date.fromisoformat(days[0].day), dt.date.fromisoformat(days[-1].day)) \
        if days else (None, None)
    shares = get_shares(r, campaign_id, start=start, end=end)
    return CampaignStats(**{item.name: getattr(stats, item.name)
                            for item in dataclasses.fields(stats)},
                         shares=shares, clicks_per_share=clicks_per_share(stats.by_channel,
                                                                          shares))


def share_rows(shares: dict[str, int], by_channel: dict[str, int]) -> tuple[ShareRow, ...]:
    """Each shared channel's taps, its human clicks and clicks per share, the most
    shared first."""
    per_share = clicks_per_share(by_channel, shares)
    return tuple(ShareRow(channel=channel, shares=count, clicks=by_channel.get(channel, 0),
                          clicks_per_share=per_share.get(channel))
                 for channel, count in sorted(shares.items(), key=lambda item: -item[1]))
