"""should_count(), record_click(): a click's counters and raw event, in one pipeline.

Counted per link, campaign and advocate, all time and per UTC day: human
clicks by channel, dark and device, every kind apart (preview fetches,
scanners and crawlers never add to the human figure), preview fetches by
messenger, and daily unique visitors in a HyperLogLog of visitor hashes.
The raw event goes to the campaign's capped stream.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Any

from redis.commands.core import Script

from shortener import keys, scripts
from shortener.classify import Classification
from shortener.clicks import counters
from shortener.db import Client


@dataclass(frozen=True, slots=True)
class Click:
    click_id: str
    code: str
    campaign_id: str
    advocate: str
    ts: float
    classification: Classification
    visitor_hash: str
    referrer_host: str = ""

    @property
    def day(self) -> str:
        return time.strftime("%Y%m%d", time.gmtime(self.ts))

    def to_event(self) -> dict[str, str]:
        """The raw event as stored in the stream: no IP, no full referrer."""
        result = self.classification
        return {
            "ts": f"{self.ts:.3f}",
            "click_id": self.click_id,
            "code": self.code,
            "campaign": self.campaign_id,
            "advocate": self.advocate,
            "kind": result.kind,
            "channel": result.channel or "",
            "dark": "" if result.dark is None else str(int(result.dark)),
            "signal": result.signal,
            "confidence": f"{result.confidence:.2f}",
            "device": result.device,
            "os": result.os,
            "browser": result.browser,
            "referrer_host": self.referrer_host,
        }


class _Scripts:
    def __init__(self, r: Client) -> None:
        self.count_click: Script = r.register_script(scripts.COUNT_CLICK)
        self.claim_click: Script = r.register_script(scripts.CLAIM_CLICK)


_registered: weakref.WeakKeyDictionary[Any, _Scripts] = weakref.WeakKeyDictionary()


def scripts_for(r: Client) -> _Scripts:
    """The scripts, registered once per client."""
    found = _registered.get(r)
    if found is None:
        found = _registered[r] = _Scripts(r)
    return found


def should_count(classification: Classification) -> bool:
    """Only human clicks count as clicks; the other kinds are counted apart."""
    return classification.kind == "human"


def counter_names(click: Click) -> list[str]:
    result = click.classification
    names = [counters.kind(result.kind)]
    if result.kind == "human":
        names += [
            counters.HUMAN,
            counters.channel(result.channel or "direct"),
            counters.device(result.device),
            counters.hour(time.gmtime(click.ts).tm_hour),
        ]
        if result.dark:
            names.append(counters.DARK)
    elif result.kind == "preview_bot":
        names.append(counters.preview(result.channel))
    return names


def record_click(r: Client, pipe: Any, click: Click, *, stream_maxlen: int,
                 preview_window_seconds: int) -> None:
    """Queue the click's writes on ``pipe``; the caller executes it once."""
    count = scripts_for(r).count_click
    names = counter_names(click)
    day = click.day
    visitor = click.visitor_hash if should_count(click.classification) else ""
    args = [counters.DAY_TTL_SECONDS, visitor, 1, *names]
    for totals, day_key, visitors in (
        (keys.link_totals(click.code), keys.link_day(click.code, day),
         keys.link_visitors(click.code, day)),
        (keys.campaign_totals(click.campaign_id), keys.campaign_day(click.campaign_id, day),
         keys.campaign_visitors(click.campaign_id, day)),
        (keys.advocate_totals(click.advocate), keys.advocate_day(click.advocate, day),
         keys.advocate_visitors(click.advocate, day)),
    ):
        count(keys=[totals, day_key, visitors], args=args, client=pipe)
    if should_count(click.classification):
        pipe.zincrby(keys.campaign_leaderboard(click.campaign_id), 1, click.advocate)
    pipe.xadd(keys.campaign_clicks(click.campaign_id), click.to_event(),
              maxlen=stream_maxlen, approximate=True)
    channel = click.classification.channel
    if click.classification.kind == "preview_bot" and channel and preview_window_seconds:
        pipe.set(keys.link_preview(click.code), channel, ex=preview_window_seconds)


def claim_click(r: Client, code: str, max_clicks: int) -> bool:
    """Take one of a capped link's clicks; False when none are left."""
    return bool(scripts_for(r).claim_click(keys=[keys.link_quota(code)], args=[max_clicks]))


def get_recent_preview(r: Client, code: str) -> str | None:
    return r.get(keys.link_preview(code))
