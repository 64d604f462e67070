"""should_count(), record_click(): what a click writes, handed to the click writer.

Counted per link, campaign and advocate, all time and per UTC day: human
clicks by channel, dark and device, every kind apart (preview fetches,
scanners and crawlers never add to the human figure), human clicks by
country (derived from the address, which is not kept), preview fetches by
messenger, clicks refused by the rate limit (throttled), and daily unique
visitors: a HyperLogLog of the day's visitor hashes, kept while the day's
salt lives, deduplicates them, and how much its count rises is added to the
day's and the totals' "visitors" counter. Links and advocates keep their
days in one hash per month (see CounterScope). The raw event goes to the
campaign's stream, capped by STREAM_MAXLEN and trimmed to the retention
window. The writes themselves are batched by clicks.batching; only the
max-clicks claim is made on the request, because it must be exact.
"""

from __future__ import annotations

import collections
import math
import time
import weakref
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import Flask, current_app
from redis.commands.core import Script

from shortener import keys, scripts
from shortener.classify import Classification
from shortener.clicks import counters
from shortener.clicks.batching import Batch, ClickWriter, Record
from shortener.config import Settings
from shortener.db import Client
from shortener.fraud.store import plan_click_evidence
from shortener.links.codes import is_code_shaped
from shortener.webhooks.events import ClickSubscribers, plan_click_events


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
            "country": result.country,
            "network": result.network,
        }


class _Scripts:
    def __init__(self, r: Client) -> None:
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


def counter_names(event: dict[str, str]) -> list[str]:
    """The counters one click event adds to, from its stored fields."""
    kind = event["kind"]
    names = [counters.kind(kind)]
    if kind == "human":
        names += [
            counters.HUMAN,
            counters.channel(event["channel"] or "direct"),
            counters.device(event["device"]),
            counters.hour(time.gmtime(float(event["ts"])).tm_hour),
        ]
        if event["dark"] == "1":
            names.append(counters.DARK)
        if country := event.get("country"):
            names.append(counters.country(country))
    elif kind == "preview_bot":
        names.append(counters.preview(event["channel"] or None))
    return names


def click_record(click: Click) -> Record:
    """The click as the spool keeps it: the raw event plus the visitor hash of a human."""
    visitor = click.visitor_hash if should_count(click.classification) else ""
    return {"k": "click", "e": click.to_event(), "v": visitor}


def throttled_record(*, code: str, campaign_id: str, advocate: str, ts: float) -> Record:
    return {"k": "throttled",
            "e": {"ts": f"{ts:.3f}", "code": code, "campaign": campaign_id, "advocate": advocate}}


_THROTTLED_FIELDS = frozenset({"ts", "code", "campaign", "advocate"})
_CLICK_FIELDS = frozenset({"ts", "click_id", "code", "campaign", "advocate", "kind", "channel",
                           "dark", "signal", "confidence", "device", "os", "browser",
                           "referrer_host"})
_CLICK_KINDS = frozenset({"human", "preview_bot", "scanner", "crawler"})
MAX_RECORD_FIELD_LENGTH = 2048
# Clicks are stamped by this machine's clock: nothing before the epoch, nothing
# past the year 2200 (time.gmtime and the day keys stay in range).
MAX_RECORD_TS = 7258118400.0


def record_problem(record: Any) -> str | None:
    """Why a spooled record cannot be planned, or None when it has a record's shape.

    The spool is read back after crashes and may hold anything (a line cut
    short, an edited file): only what click_record and throttled_record
    write is planned, and every value Redis gets is a short string.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    kind = record.get("k")
    if kind not in ("click", "throttled"):
        return "unknown record kind"
    event = record.get("e")
    if not isinstance(event, dict):
        return "event is not an object"
    required = _CLICK_FIELDS if kind == "click" else _THROTTLED_FIELDS
    if missing := required - event.keys():
        return f"event lacks {', '.join(sorted(missing))}"
    if not all(isinstance(value, str) and len(value) <= MAX_RECORD_FIELD_LENGTH
               for value in event.values()):
        return "event values are not short strings"
    visitor = record.get("v", "")
    if not isinstance(visitor, str) or len(visitor) > MAX_RECORD_FIELD_LENGTH:
        return "visitor hash is not a short string"
    try:
        ts = float(event["ts"])
    except ValueError:
        return "time is not a number"
    if not (math.isfinite(ts) and 0 <= ts < MAX_RECORD_TS):
        return "time out of range"
    if not is_code_shaped(event["code"]) or not event["campaign"] or not event["advocate"]:
        return "link, campaign or advocate missing"
    if kind == "click" and event["kind"] not in _CLICK_KINDS:
        return "unknown click kind"
    return None


def plan_records(batch: Batch, records: list[Record], *, stream_maxlen: int,
                 preview_window_seconds: int, retention_days: int) -> list[tuple[int, str]]:
    """Add spooled records' writes to ``batch``; return those it refused, as (index, reason).

    Records are grouped first: clicks that add to the same counters (same
    link, day and counter names) are planned once with their count, so a
    burst on one link costs one set of increments, not one per click. A
    record without a record's shape (see record_problem) is refused, and
    adds nothing.
    """
    rejected: list[tuple[int, str]] = []
    shapes: collections.Counter[tuple[str, str, str, str, tuple[str, ...]]] = \
        collections.Counter()
    visitors: dict[tuple[str, str, str, str], set[str]] = {}
    leaders: collections.Counter[tuple[str, str]] = collections.Counter()
    days: dict[int, str] = {}
    minid = retention_minid(time.time(), retention_days)
    for index, record in enumerate(records):
        problem = record_problem(record)
        if problem is not None:
            rejected.append((index, problem))
            continue
        event = record["e"]
        ts = float(event["ts"])
        day_number = int(ts // 86400)
        day = days.get(day_number)
        if day is None:
            day = days[day_number] = time.strftime("%Y%m%d", time.gmtime(ts))
        code, campaign_id, advocate = event["code"], event["campaign"], event["advocate"]
        clicked = record["k"] == "click"
        names = tuple(counter_names(event)) if clicked else (counters.THROTTLED,)
        shapes[(code, campaign_id, advocate, day, names)] += 1
        if visitor := record.get("v"):
            visitors.setdefault((code, campaign_id, advocate, day), set()).add(visitor)
        if not clicked:
            continue
        if visitor and event["kind"] == "human":
            plan_click_evidence(batch, code=code, day=day, click_id=event["click_id"],
                                visitor=visitor, ts=ts, channel=event["channel"])
        marks, stream = keys.campaign_batches(campaign_id), keys.campaign_clicks(campaign_id)
        if event["kind"] == "human":
            leaders[(campaign_id, advocate)] += 1
        batch.append_event(marks, stream, event, maxlen=stream_maxlen)
        batch.trim_before(marks, stream, minid)
        channel = event["channel"]
        if event["kind"] == "preview_bot" and channel and preview_window_seconds:
            batch.put(keys.link_batches(code), keys.link_preview(code), channel,
                      seconds=preview_window_seconds)
            batch.changed_links.add(code)
    # Shapes summed by link and day (and by campaign and day, for the programme), so
    # each counter hash is looked up once however many shapes add to it.
    tallies: dict[tuple[str, str, str, str], dict[str, int]] = {}
    programme: dict[tuple[str, str], dict[str, int]] = {}
    for (code, campaign_id, advocate, day, names), count in shapes.items():
        tally = tallies.get((code, campaign_id, advocate, day))
        if tally is None:
            tally = tallies[(code, campaign_id, advocate, day)] = {}
        summed = programme.get((campaign_id, day))
        if summed is None:
            summed = programme[(campaign_id, day)] = {}
        for name in names:
            tally[name] = tally.get(name, 0) + count
            summed[name] = summed.get(name, 0) + count
    # A link's and its advocate's counters per link and day; the campaign's once per
    # campaign and day, from the sums the programme takes too.
    scoped: dict[tuple[str, str, str, str], tuple[CounterScope, ...]] = {}
    for (code, campaign_id, advocate, day), tally in tallies.items():
        scopes = scoped[(code, campaign_id, advocate, day)] = _scopes(code, advocate, day)
        # Links and advocates spell a day's counters alike in their month hashes.
        by_month = [(counters.day_field(day, name), count) for name, count in tally.items()
                    if counters.kept_by_day(name)]
        _plan_counts(batch, scopes, tally, by_month)
    for (campaign_id, day), summed in programme.items():
        _plan_counts(batch, (_campaign_scope(campaign_id, day),), summed, [])
        _plan_programme(batch, campaign_id, day, summed)
    campaign_visitors: dict[tuple[str, str], set[str]] = {}
    for (code, campaign_id, advocate, day), hashes in visitors.items():
        scopes = scoped.get((code, campaign_id, advocate, day)) or \
            _scopes(code, advocate, day)
        _plan_visitors(batch, scopes, hashes)
        campaign_visitors.setdefault((campaign_id, day), set()).update(hashes)
    for (campaign_id, day), hashes in campaign_visitors.items():
        _plan_visitors(batch, (_campaign_scope(campaign_id, day),), hashes)
        _plan_programme_visitors(batch, campaign_id, day, hashes)
    for (campaign_id, advocate), count in leaders.items():
        batch.increment_rank(keys.campaign_batches(campaign_id),
                             keys.campaign_leaderboard(campaign_id), advocate, count)
    return rejected


def _plan_programme(batch: Batch, campaign_id: str, day: str,
                    summed: dict[str, int]) -> None:
    """The programme day hash: every counter summed over campaigns, and the campaign's
    headline figures under its own names, so the overview reads one hash per day."""
    marks, day_hash = keys.programme_batches(), keys.programme_day(day)
    batch.add_counts(marks, day_hash, [
        *summed.items(),
        *((counters.campaign_field(campaign_id, name), count) for name, count in summed.items()
          if name in counters.CAMPAIGN_FIGURES)])
    batch.expire(marks, day_hash, counters.DAY_TTL_SECONDS)


def _plan_programme_visitors(batch: Batch, campaign_id: str, day: str,
                             hashes: set[str]) -> None:
    """A campaign's visitors of the day, counted as its own HyperLogLog counts them (a copy
    in the programme's hash tag), into the day's sum and the campaign's figure."""
    marks, day_hash = keys.programme_batches(), keys.programme_day(day)
    hll = keys.programme_visitors(campaign_id, day)
    batch.count_visitors(marks, hll, hashes, day_hash=day_hash, field=counters.VISITORS,
                         totals=day_hash,
                         total_field=counters.campaign_field(campaign_id, counters.VISITORS))
    batch.expire(marks, hll, counters.VISITOR_TTL_SECONDS)


class CounterScope(NamedTuple):
    """Where one click's counters go for a link, a campaign or an advocate on one day.

    A campaign keeps a hash per day (few campaigns, many clicks each); links
    and advocates keep a hash per month whose fields carry the day, spelled
    short ("07n" for human clicks, see counters.day_field), since most of them
    see a few clicks on a few days.
    """

    marks: str
    totals: str
    day_hash: str
    visitors: str
    day: str
    monthly: bool

    @property
    def ttl(self) -> int:
        return counters.MONTH_TTL_SECONDS if self.monthly else counters.DAY_TTL_SECONDS

    def field(self, name: str) -> str:
        return counters.day_field(self.day, name) if self.monthly else name


def _scopes(code: str, advocate: str, day: str) -> tuple[CounterScope, ...]:
    """A link's and its advocate's scopes."""
    month = counters.month_of(day)
    return (
        CounterScope(keys.link_batches(code), keys.link_totals(code),
                     keys.link_month(code, month), keys.link_visitors(code, day), day, True),
        CounterScope(keys.advocate_batches(advocate), keys.advocate_totals(advocate),
                     keys.advocate_month(advocate, month),
                     keys.advocate_visitors(advocate, day), day, True),
    )


def _campaign_scope(campaign_id: str, day: str) -> CounterScope:
    return CounterScope(keys.campaign_batches(campaign_id), keys.campaign_totals(campaign_id),
                        keys.campaign_day(campaign_id, day),
                        keys.campaign_visitors(campaign_id, day), day, False)


def _plan_counts(batch: Batch, scopes: tuple[CounterScope, ...], tally: dict[str, int],
                 by_month: list[tuple[str, int]]) -> None:
    """Add a tally to each scope's totals and day (or month) hash; ``by_month`` is the
    tally as a month hash spells it (none for a campaign: it keeps a hash a day)."""
    # Hours are kept per day only: an all-time hour of day means little.
    all_time = [(name, count) for name, count in tally.items() if not name.startswith("hour:")]
    for scope in scopes:
        batch.add_counts(scope.marks, scope.totals, all_time)
        batch.add_counts(scope.marks, scope.day_hash,
                         by_month if scope.monthly else tally.items())
        batch.expire(scope.marks, scope.day_hash, scope.ttl)


def _plan_visitors(batch: Batch, scopes: tuple[CounterScope, ...], hashes: set[str]) -> None:
    for scope in scopes:
        batch.count_visitors(scope.marks, scope.visitors, hashes, day_hash=scope.day_hash,
                             field=scope.field(counters.VISITORS), totals=scope.totals,
                             total_field=counters.VISITORS)
        batch.expire(scope.marks, scope.visitors, counters.VISITOR_TTL_SECONDS)


def retention_minid(now: float, retention_days: int) -> str:
    """The oldest stream id kept: events before it are dropped, counters stay."""
    return str(int((now - retention_days * 86400) * 1000))


def trim_click_streams(r: Client, *, retention_days: int) -> int:
    """Drop raw events older than the retention window from every campaign's stream."""
    minid = retention_minid(time.time(), retention_days)
    campaign_ids = r.zrange(keys.campaigns(), 0, -1)
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.xtrim(keys.campaign_clicks(campaign_id), minid=minid, approximate=False)
    return sum(pipe.execute()) if campaign_ids else 0


def init_app(app: Flask, settings: Settings, client: Client) -> None:
    """Give the app its click writer (started with the first click or by gunicorn)."""
    from shortener.web.metrics import SpoolMetrics

    subscribers = ClickSubscribers()

    def plan(batch: Batch, records: list[Record]) -> list[tuple[int, str]]:
        refused = plan_records(batch, records, stream_maxlen=settings.stream_maxlen,
                               preview_window_seconds=settings.preview_window_seconds,
                               retention_days=settings.click_retention_days)
        # Off the request: the flusher plans, so a click webhook costs the redirect nothing.
        set_aside = {index for index, _reason in refused}
        plan_click_events(batch, [record for index, record in enumerate(records)
                                  if index not in set_aside], subscribers.get(client))
        return refused

    app.extensions["click_writer"] = ClickWriter(
        client,
        spool_root=settings.data_dir.resolve() / "spool",
        flush_seconds=settings.click_flush_ms / 1000,
        plan=plan,
        events=SpoolMetrics(),
    )


def get_writer() -> ClickWriter:
    return current_app.extensions["click_writer"]


def record_click(writer: ClickWriter, click: Click) -> None:
    """Hand the click to the writer: spooled now, in Redis within CLICK_FLUSH_MS."""
    writer.add(click_record(click))


def record_throttled(writer: ClickWriter, *, code: str, campaign_id: str, advocate: str,
                     ts: float) -> None:
    writer.add(throttled_record(code=code, campaign_id=campaign_id, advocate=advocate, ts=ts))


def claim_click(r: Client, code: str, max_clicks: int) -> bool:
    """Take one of a capped link's clicks; False when none are left."""
    return bool(scripts_for(r).claim_click(keys=[keys.link_quota(code)], args=[max_clicks]))
