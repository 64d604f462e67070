"""LinkCache: the link behind a code, or why there is none to follow.

The redirect resolves through a LinkCache, a per-process cache of each
link, its campaign and its recent preview signal. An entry is kept until a
change invalidates it, not for a fixed time: every write to a link or a
campaign record is noted in the catalogue's change log (links.changes), and
the cache reads the log at most once every LINK_CACHE_SECONDS, on the
request that finds it due. So disabling a link, archiving a campaign or
editing a destination takes effect within LINK_CACHE_SECONDS, and a link
that nothing changed is read from Redis once per process, however seldom it
is clicked. Expiry is checked against the clock on every click, max clicks
by the exact claim. A link not cached costs one round trip (link and
preview signal in one MGET: both keys share the link's hash tag).

The cache holds at most LINK_CACHE_LINKS links (when full, the oldest
tenth is read out) and MAX_CACHED_CAMPAIGNS campaigns. With
LINK_CACHE_SECONDS at 0 nothing is cached: every click reads the link.

A process warms its cache up once, in a thread of its own, as a gunicorn
worker starts (start_warm_ups()) or else from its first click on: the
active campaigns and their newest links, up to the bound, a thousand a
round trip (warm()). In a programme most clicks land on a link nobody
clicked lately; a round trip to Redis on the request costs such a click
more than everything else it does, so a link that fits in the cache is
answered from memory from its first click on. A link read for warming is
kept under the same rule as one read for a click: the reading starts from
a position in the change log, and a chunk read while the log dropped
entries is not kept (its links are read when clicked).

While Redis cannot be reached, cached entries still answer for up to
STALE_SECONDS after the last reading of the log, so links clicked lately,
and those the cache warmed up with, keep working through an outage; other
codes get a 503.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from redis.exceptions import RedisError

from shortener.db import Client
from shortener.errors import LinkGone, LinkNotFound
from shortener.links import store
from shortener.links.models import Campaign, Link

log = logging.getLogger(__name__)
STALE_SECONDS = 600.0
# A link entry takes about 550 bytes (measured with tracemalloc, a link
# without UTM overrides; a few hundred more with them): LINK_CACHE_LINKS'
# default of 200,000 is some 110 MB a process at most.
MAX_CACHED_LINKS = 200_000
MAX_CACHED_CAMPAIGNS = 10_000
# After a failed lookup, use stale entries without asking again for this
# long, so an outage does not cost every click a connection attempt.
OUTAGE_BACKOFF_SECONDS = 1.0
# Links read a round trip while warming up; a warm-up that Redis refused is tried
# again after this long.
WARM_CHUNK = 1000
WARM_RETRY_SECONDS = 30.0


def check_enabled(code: str, link: Link | None, campaign: Campaign | None, *,
                  now: float) -> tuple[Link, Campaign]:
    if link is None or campaign is None:
        raise LinkNotFound(f"there is no link {code!r}", field="code")
    if not link.enabled or not campaign.active:
        raise LinkGone(f"link {code!r} has been disabled", field="code")
    if link.is_expired(now):
        raise LinkGone(f"link {code!r} has expired", field="code")
    return link, campaign


class Resolved(NamedTuple):
    """What a click needs: the enabled link, its campaign, the recent preview signal."""

    link: Link
    campaign: Campaign
    preview: str | None


@dataclass(slots=True)
class _Entry:
    link: Link
    preview: str | None
    preview_until: float  # on the monotonic clock, as read_at
    read_at: float


class LinkCache:
    """(link, recent preview) per code and campaign per id, kept until changed.

    ``fresh_seconds`` (LINK_CACHE_SECONDS) is how often the change log is
    read, hence the bound within which a change takes effect. ``clock`` is
    the monotonic clock (tests pass their own). ``warm_up``: warm the cache
    up in a thread of its own from the first resolve() on; ``warmed`` is then
    told how many links it read.
    """

    def __init__(self, *, fresh_seconds: float, stale_seconds: float = STALE_SECONDS,
                 max_entries: int = MAX_CACHED_LINKS,
                 max_campaigns: int = MAX_CACHED_CAMPAIGNS,
                 clock: Callable[[], float] = time.monotonic,
                 warm_up: bool = True,
                 warmed: Callable[[int], None] | None = None) -> None:
        self.fresh_seconds = fresh_seconds
        self.stale_seconds = stale_seconds
        self.max_entries = max_entries
        self.warm_up = warm_up and bool(fresh_seconds) and max_entries > 0
        self._warmed = warmed
        # On the monotonic clock, when a warm-up may start: never again once one
        # has, until the log is lost (the cache is emptied) or Redis refused it.
        self._warm_due = -float("inf")
        self.max_campaigns = max_campaigns
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        self._campaigns: dict[str, tuple[Campaign, float]] = {}
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._position: store.ChangeLogPosition | None = None
        self._synced_at = -float("inf")
        # Bumped whenever a reading of the log drops entries: a link read from
        # Redis while that happened may be older than the change, and is used
        # for its click but not kept.
        self._generation = 0
        self._down_until = -float("inf")

    def resolve(self, r: Client, code: str, *, now: float) -> Resolved:
        """The enabled link behind ``code``, from the cache or one Redis round trip.

        Raises LinkNotFound, LinkGone, or RedisError when Redis cannot be
        reached and nothing recent enough is cached.
        """
        clock = self.clock()
        trusted = bool(self.fresh_seconds) and self._sync(r, clock)
        if self.warm_up and clock >= self._warm_due:
            self._start_warming(r, clock)
        entry = self._entries.get(code)
        if entry is None or not trusted:
            entry = self._refresh(r, code, clock, entry)
        campaign = self._campaign(r, entry.link.campaign_id, clock, trusted=trusted)
        link, campaign = check_enabled(code, entry.link, campaign, now=now)
        preview = entry.preview if entry.preview is not None and clock < entry.preview_until \
            else None
        return Resolved(link, campaign, preview)

    def note_preview(self, code: str, channel: str, *, window_seconds: float) -> None:
        """A preview fetch seen here counts at once, before the change log tells."""
        entry = self._entries.get(code)
        if entry is not None:
            entry.preview = channel
            entry.preview_until = self.clock() + window_seconds

    def cached_codes(self) -> list[str]:
        """The codes cached now, for tests and inspection."""
        return list(self._entries)

    # The change log -----------------------------------------------------------

    def _sync(self, r: Client, clock: float) -> bool:
        """Read the change log if it is due; False when the cache cannot be trusted.

        One thread reads; others that find it due wait for that reading, so
        no click is answered from entries older than the bound.
        """
        if clock - self._synced_at < self.fresh_seconds:
            return True
        with self._sync_lock:
            if self.clock() - self._synced_at < self.fresh_seconds:
                return True
            if clock < self._down_until:
                return clock - self._synced_at < self.stale_seconds
            started = self.clock()
            try:
                found = store.read_changes(r, self._position)
            except RedisError:
                self._down_until = clock + OUTAGE_BACKOFF_SECONDS
                # Through an outage, entries answer as long as they are not too old.
                return clock - self._synced_at < self.stale_seconds
            if found.complete:
                if found.codes or found.campaign_ids:
                    self._drop(found.codes, found.campaign_ids)
            else:
                self._clear()
            self._position = found.position
            self._synced_at = started
            return True

    def _drop(self, codes: set[str], campaign_ids: set[str]) -> None:
        with self._lock:
            self._generation += 1
            for code in codes:
                self._entries.pop(code, None)
            for campaign_id in campaign_ids:
                self._campaigns.pop(campaign_id, None)

    def _clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._campaigns.clear()
            self._warm_due = -float("inf")

    # Warming up ---------------------------------------------------------------

    def start_warming(self, r: Client) -> None:
        """Warm up in a thread of its own now, unless warming is off or done."""
        if self.warm_up:
            self._start_warming(r, self.clock())

    def _start_warming(self, r: Client, clock: float) -> None:
        with self._lock:
            if clock < self._warm_due:
                return
            self._warm_due = float("inf")
        threading.Thread(target=self._warm_in_background, args=(r,),
                         name="link-cache-warm-up", daemon=True).start()

    def _warm_in_background(self, r: Client) -> None:
        started = time.monotonic()
        try:
            count = self.warm(r)
        except RedisError as exc:
            with self._lock:
                self._warm_due = self.clock() + WARM_RETRY_SECONDS
            log.warning("link cache not warmed up; tried again later",
                        extra={"error": str(exc), "retry_seconds": WARM_RETRY_SECONDS})
            return
        log.info("link cache warmed up", extra={
            "links": count, "seconds": round(time.monotonic() - started, 1)})
        if self._warmed is not None:
            self._warmed(count)

    def warm(self, r: Client, *, chunk: int = WARM_CHUNK) -> int:
        """Read the active campaigns and their newest links into the cache, links up to
        its bound, without reading any out; returns how many links were added. Raises
        RedisError."""
        if not self.fresh_seconds:
            return 0
        # Links are read after the position in the change log is known, so a change
        # made since is dropped by a later reading of the log.
        self._sync(r, self.clock())
        generation = self._generation
        campaigns = store.active_campaigns(r)
        self._keep_campaigns(campaigns, generation, self.clock())
        room = self.max_entries - len(self._entries)
        codes = store.newest_link_codes(r, room, campaigns) if room > 0 else []
        added = 0
        for start in range(0, len(codes), chunk):
            part = codes[start:start + chunk]
            generation = self._generation
            found = store.get_links_with_previews(r, part)
            clock = self.clock()
            entries = []
            for code, (text, preview, ttl_ms) in zip(part, found, strict=True):
                if not text:
                    continue
                try:
                    entries.append((code, self._entry(text, preview, ttl_ms, clock)))
                except (ValueError, TypeError):
                    continue  # not a record this version reads: its click will say so
            with self._lock:
                if generation != self._generation:
                    continue  # read while the log dropped entries: read when clicked
                for code, entry in entries:
                    if len(self._entries) >= self.max_entries:
                        return added
                    if code not in self._entries:
                        self._entries[code] = entry
                        added += 1
        return added

    # Reading Redis ------------------------------------------------------------

    def _usable(self, read_at: float, clock: float) -> bool:
        """Whether a copy may answer while Redis cannot be asked: known good lately."""
        return clock - max(read_at, self._synced_at) < self.stale_seconds

    def _refresh(self, r: Client, code: str, clock: float, stale: _Entry | None) -> _Entry:
        usable = stale is not None and self._usable(stale.read_at, clock)
        if stale is not None and usable and clock < self._down_until:
            # Just after a failed lookup a known-good copy answers without asking.
            return stale
        # With no copy to answer, Redis is asked even within the back-off: it may
        # be back already, and a 503 is the only other answer.
        generation = self._generation
        try:
            entry = self._read(r, code, clock)
        except RedisError:
            self._down_until = clock + OUTAGE_BACKOFF_SECONDS
            if stale is None or not usable:
                raise
            return stale
        self._keep(code, entry, generation)
        return entry

    def _read(self, r: Client, code: str, clock: float) -> _Entry:
        link_text, preview, ttl_ms = store.get_link_with_preview(r, code)
        if not link_text:
            self._entries.pop(code, None)
            raise LinkNotFound(f"there is no link {code!r}", field="code")
        return self._entry(link_text, preview, ttl_ms, clock)

    @staticmethod
    def _entry(link_text: str, preview: str | None, ttl_ms: int, clock: float) -> _Entry:
        # A preview signal is good for its time to live (PREVIEW_WINDOW_SECONDS when written).
        until = clock + ttl_ms / 1000 if ttl_ms >= 0 else \
            float("inf") if ttl_ms == -1 else -float("inf")
        return _Entry(Link.from_json(link_text), preview or None, until, clock)

    def _keep(self, code: str, entry: _Entry, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self._entries.pop(code, None)
            if len(self._entries) >= self.max_entries:
                # Oldest read first (dicts keep insertion order), a tenth at a time:
                # finding a dict's first entry steps over the ones deleted before
                # it, so one at a time would cost a full cache some 8 µs a miss.
                for oldest in list(itertools.islice(self._entries,
                                                    max(1, self.max_entries // 10))):
                    del self._entries[oldest]
            self._entries[code] = entry

    def _campaign(self, r: Client, campaign_id: str, clock: float, *,
                  trusted: bool) -> Campaign | None:
        cached = self._campaigns.get(campaign_id)
        if cached is not None and trusted:
            return cached[0]
        generation = self._generation
        try:
            campaign = store.get_campaign(r, campaign_id)
        except RedisError:
            if cached is None or not self._usable(cached[1], clock):
                raise
            return cached[0]
        if campaign is None:
            self._campaigns.pop(campaign_id, None)
            return None
        self._keep_campaigns([campaign], generation, clock)
        return campaign

    def _keep_campaigns(self, campaigns: list[Campaign], generation: int,
                        clock: float) -> None:
        with self._lock:
            if generation != self._generation:
                return
            for campaign in campaigns:
                self._campaigns.pop(campaign.id, None)
                if len(self._campaigns) >= self.max_campaigns:
                    del self._campaigns[next(iter(self._campaigns))]
                self._campaigns[campaign.id] = (campaign, clock)


_to_warm: weakref.WeakKeyDictionary[LinkCache, Client] = weakref.WeakKeyDictionary()


def warm_up_at_start(cache: LinkCache, r: Client) -> None:
    """Have start_warm_ups() warm ``cache`` up from ``r`` (the redirect's cache)."""
    _to_warm[cache] = r


def start_warm_ups() -> None:
    """Start warming up every cache of this process (gunicorn calls it once a worker is
    up, so a worker does not wait for its first click)."""
    for cache, r in list(_to_warm.items()):
        cache.start_warming(r)
