"""record_share(): an advocate tapped a share button on their share page.

A share is counted per campaign, channel and UTC day, and nothing else is
kept: not the advocate, not the visitor, not the time beyond the day. With
the clicks that arrive tagged with the same channel, it gives clicks per
share (how many friends a WhatsApp share reaches, against an e-mail).
Reading shares back is the read side's (analytics/shares.py).
"""

from __future__ import annotations

import time
from typing import Any

from shortener import keys
from shortener.clicks import counters
from shortener.db import Client


def record_share(r: Client, campaign_id: str, channel: str, *, now: float | None = None,
                 pipe: Any | None = None) -> None:
    """Count one share for the channel; with ``pipe``, queued there for the caller."""
    day = time.strftime("%Y%m%d", time.gmtime(now or time.time()))
    target = r.pipeline(transaction=False) if pipe is None else pipe
    target.hincrby(keys.campaign_shares(campaign_id, day), channel, 1)
    target.expire(keys.campaign_shares(campaign_id, day), counters.DAY_TTL_SECONDS)
    target.hincrby(keys.campaign_share_totals(campaign_id), channel, 1)
    if pipe is None:
        target.execute()
