"""LinkCache: the link behind a code, or why there is none to follow.

The redirect resolves through a LinkCache, a per-process cache of each
link, its campaign and its recent preview signal. A fresh entry (younger
than LINK_CACHE_SECONDS) is used without asking Redis: that is the bound
within which disabling a link or archiving a campaign takes effect (expiry
is checked against the clock on every click). While Redis cannot be
reached, entries up to STALE_SECONDS old still answer, so links clicked
lately keep working through an outage; other codes get a 503.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from shortener import keys
from shortener.db import Client
from shortener.errors import LinkGone, LinkNotFound
from shortener.links import store
from shortener.links.models import Campaign, Link

STALE_SECONDS = 600.0
MAX_CACHED_LINKS = 50_000
# After a failed lookup, use stale entries without asking again for this
# long, so an outage does not cost every click a connection attempt.
OUTAGE_BACKOFF_SECONDS = 1.0


def check_enabled(code: str, link: Link | None, campaign: Campaign | None, *,
                  now: float) -> tuple[Link, Campaign]:
    if link is None or campaign is None:
        raise LinkNotFound(f"there is no link {code!r}", field="code")
    if not link.enabled or not campaign.active:
        raise LinkGone(f"link {code!r} has been disabled", field="code")
    if link.is_expired(now):
        raise LinkGone(f"link {code!r} has expired", field="code")
    return link, campaign


@dataclass(slots=True)
class Resolved:
    link: Link
    campaign: Campaign
    preview: str | None
    fetched_at: float


class LinkCache:
    """(link, campaign, recent preview) per code, fresh for ``fresh_seconds``."""

    def __init__(self, *, fresh_seconds: float, stale_seconds: float = STALE_SECONDS,
                 max_entries: int = MAX_CACHED_LINKS) -> None:
        self.fresh_seconds = fresh_seconds
        self.stale_seconds = stale_seconds
        self.max_entries = max_entries
        self._entries: dict[str, Resolved] = {}
        self._campaigns: dict[str, tuple[Campaign, float]] = {}
        self._lock = threading.Lock()
        self._down_until = 0.0

    def resolve(self, r: Client, code: str, *, now: float) -> Resolved:
        """The enabled link behind ``code``, from the cache or one Redis round trip.

        Raises LinkNotFound, LinkGone, or RedisError when Redis cannot be
        reached and nothing recent enough is cached.
        """
        clock = time.monotonic()
        entry = self._entries.get(code)
        if entry is None or clock - entry.fetched_at >= self.fresh_seconds:
            if entry is not None and clock < self._down_until \
                    and clock - entry.fetched_at < self.stale_seconds:
                pass
            else:
                try:
                    entry = self._fetch(r, code, clock)
                except RedisError:
                    self._down_until = clock + OUTAGE_BACKOFF_SECONDS
                    if entry is None or clock - entry.fetched_at >= self.stale_seconds:
                        raise
        check_enabled(code, entry.link, entry.campaign, now=now)
        return entry

    def note_preview(self, code: str, channel: str) -> None:
        """A preview fetch seen here counts at once, before the entry is refreshed."""
        entry = self._entries.get(code)
        if entry is not None:
            entry.preview = channel

    def _fetch(self, r: Client, code: str, clock: float) -> Resolved:
        pipe = r.pipeline(transaction=False)
        pipe.get(keys.link(code))
        pipe.get(keys.link_preview(code))
        link_text, preview = pipe.execute()
        link = Link.from_json(link_text) if link_text else None
        campaign = self._campaign(r, link.campaign_id, clock) if link else None
        if link is None or campaign is None:
            self._entries.pop(code, None)
            raise LinkNotFound(f"there is no link {code!r}", field="code")
        entry = Resolved(link, campaign, preview, clock)
        with self._lock:
            self._entries.pop(code, None)
            if len(self._entries) >= self.max_entries:
                # Oldest refresh first: dicts keep insertion order.
                del self._entries[next(iter(self._entries))]
            self._entries[code] = entry
        return entry

    def _campaign(self, r: Client, campaign_id: str, clock: float) -> Campaign | None:
        cached = self._campaigns.get(campaign_id)
        if cached is not None and clock - cached[1] < self.fresh_seconds:
            return cached[0]
        campaign = store.get_campaign(r, campaign_id)
        if campaign is None:
            self._campaigns.pop(campaign_id, None)
            return None
        with self._lock:
            if len(self._campaigns) >= self.max_entries:
                self._campaigns.clear()
            self._campaigns[campaign_id] = (campaign, clock)
        return campaign
