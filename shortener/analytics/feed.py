"""list_latest_clicks(): the newest raw click events, for the dashboard's live feed.

Read from each campaign's stream with XREVRANGE (newest first) in one
pipeline, merged by time. Narrowing to a link or an advocate filters the
last SCAN_EVENTS events of each stream, so a quiet link inside a busy
campaign may show fewer rows than asked for; the feed is a glance, the
counters are the record.
"""

from __future__ import annotations

import datetime as dt

from shortener import keys
from shortener.analytics.results import FeedEvent
from shortener.db import Client

FEED_LENGTH = 15
SCAN_EVENTS = 500


def _event(stream_id: str, fields: dict[str, str]) -> FeedEvent:
    ts = float(fields.get("ts") or 0)
    when = dt.datetime.fromtimestamp(ts, dt.UTC)
    return FeedEvent(
        id=stream_id,
        ts=ts,
        time=when.strftime("%Y-%m-%d %H:%M:%S"),
        kind=fields.get("kind", ""),
        channel=fields.get("channel") or None,
        dark=fields.get("dark") == "1",
        device=fields.get("device", ""),
        os=fields.get("os", ""),
        browser=fields.get("browser", ""),
        code=fields.get("code", ""),
        campaign=fields.get("campaign", ""),
        advocate=fields.get("advocate", ""),
        signal=fields.get("signal", ""),
    )


def list_latest_clicks(r: Client, campaign_ids: list[str], *, code: str | None = None,
                       advocate: str | None = None,
                       limit: int = FEED_LENGTH) -> list[FeedEvent]:
    """The newest events of every kind (human clicks, previews, scanners, crawlers)."""
    narrowed = code is not None or advocate is not None
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.xrevrange(keys.campaign_clicks(campaign_id),
                       count=SCAN_EVENTS if narrowed else limit)
    events = []
    for entries in pipe.execute():
        for stream_id, fields in entries:
            if code is not None and fields.get("code") != code:
                continue
            if advocate is not None and fields.get("advocate") != advocate:
                continue
            events.append(_event(stream_id, fields))
    events.sort(key=lambda event: event.ts, reverse=True)
    return events[:limit]
