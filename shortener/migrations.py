"""upgrade(): bring data written by an earlier version up to the current key layout.

Run at start (create_app) and by `shortener migrate`. One process upgrades,
holding a lock in Redis; the others wait for the version it writes. Every
step can be repeated: a process that dies half-way leaves the lock to
expire, and the next start goes on where it stopped.

Schema 1 to 2 (counters that grow with clicks, not with advocate-days):
- each link's and advocate's day hashes are folded into one hash per month,
  with the day in the field name ("07:human"), and the day's unique visitors
  (PFCOUNT of its HyperLogLog) become its "visitors" counter and add to the
  totals'; the HyperLogLogs of past days are dropped;
- each campaign day gets its "visitors" counter, and the totals theirs;
- the referral sets (who referred whom, each campaign's recruited advocates)
  are built once from the advocates' records.

Schema 2 to 3 (an overview that reads one hash per day):
- each programme day hash is built from the campaigns' day hashes of that day
  (rebuilt whole, so the step can run again), and the campaigns' visitor
  HyperLogLogs of the live days are copied into the programme's hash tag.

Schema 3 to 4 (month hashes about half as large):
- each link's and advocate's month hash spells its fields short ("07:channel:whatsapp"
  becomes "07cwhatsapp", see counters.day_field) and drops "kind:human", which
  equals "human"; a field moved twice adds nothing, so the step can run again.

Schema 4 to 5 (referral codes):
- every advocate with a link in a campaign gets a referral code there, as a
  link minted today would give them (erased advocates excepted: erasure takes
  codes away); advocates who have one keep it, so the step can run again;
- conversions by click (and by code) are counted from each campaign's orders
  into the campaign's, advocates' and links' totals and days, set rather
  than added, so the step can run again.

Schema 5 to 6 (the overview splits conversions by click and by code):
- each programme day hash gets the day's conversions by click and by code,
  summed and per campaign, from the campaigns' day hashes; set rather than
  added, so the step can run again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

from shortener import keys, scripts
from shortener.clicks import counters
from shortener.clicks.conversions import CODE_CHANNEL, Conversion
from shortener.db import Client
from shortener.links import store
from shortener.links.codes import ensure_referral_codes

log = logging.getLogger(__name__)

SCHEMA_VERSION = 6
MIGRATION_LOCK_SECONDS = 600
WAIT_POLL_SECONDS = 0.2
CHUNK = 500
# Visitor HyperLogLogs of these last days stay: their salts still hash today's clicks.
LIVE_DAYS = 2


def get_schema_version(r: Client) -> int:
    return int(r.get(keys.schema_version()) or 1)


def upgrade(r: Client, *, wait_seconds: float = MIGRATION_LOCK_SECONDS) -> bool:
    """Upgrade the data to SCHEMA_VERSION; True if this call did it.

    Raises TimeoutError when another process holds the lock longer than
    ``wait_seconds``.
    """
    deadline = time.monotonic() + wait_seconds
    while get_schema_version(r) < SCHEMA_VERSION:
        token = secrets.token_hex(8)
        if r.set(keys.migration_lock(), token, nx=True, ex=MIGRATION_LOCK_SECONDS):
            try:
                version = get_schema_version(r)
                if version < SCHEMA_VERSION:
                    started = time.monotonic()
                    if version < 2:
                        upgrade_to_2(r)
                        r.set(keys.schema_version(), 2)
                    if version < 3:
                        upgrade_to_3(r)
                        r.set(keys.schema_version(), 3)
                    if version < 4:
                        upgrade_to_4(r)
                        r.set(keys.schema_version(), 4)
                    if version < 5:
                        upgrade_to_5(r)
                        r.set(keys.schema_version(), 5)
                    upgrade_to_6(r)
                    r.set(keys.schema_version(), SCHEMA_VERSION)
                    log.info("data upgraded", extra={"schema": SCHEMA_VERSION,
                                                      "seconds": round(time.monotonic()
                                                                       - started, 1)})
                    return True
            finally:
                if r.get(keys.migration_lock()) == token:
                    r.delete(keys.migration_lock())
            return False
        if time.monotonic() > deadline:
            raise TimeoutError("another process is upgrading the data; try again later")
        time.sleep(WAIT_POLL_SECONDS)
    return False


def parse_legacy_day(key: str) -> tuple[str, str]:
    """(id, day) of a key that keys.legacy_day_pattern() matched."""
    tagged, _, day = key.rpartition(":day:")
    return tagged[tagged.index("{") + 3:tagged.rindex("}")], day


def _chunks(items: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _live_days(now: float) -> set[str]:
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return {(today - dt.timedelta(days=back)).strftime("%Y%m%d") for back in range(LIVE_DAYS)}


def _evalsha(pipe: Any, sha: str, key_list: list[str], args: list[Any]) -> None:
    # execute_command: redis-py's cluster pipeline refuses evalsha(), yet routes
    # the command by its first key.
    pipe.execute_command("EVALSHA", sha, len(key_list), *key_list, *args)


def fold_day_hashes(r: Client, *, now: float | None = None) -> int:
    """Fold every link and advocate day hash into its month hash; returns how many."""
    live = _live_days(now or time.time())
    sha = r.script_load(scripts.FOLD_DAY)
    folded = 0
    scopes = (("l", keys.link_day, keys.link_visitors, keys.link_month, keys.link_totals),
              ("a", keys.advocate_day, keys.advocate_visitors, keys.advocate_month,
               keys.advocate_totals))
    for kind, day_key, visitors, month_key, totals in scopes:
        # Keys are listed first: SCAN may return a key twice, and folding changes the keyspace.
        found = sorted(set(r.scan_iter(match=keys.legacy_day_pattern(kind), count=1000)))
        for chunk in _chunks(iter(found)):
            pipe = r.pipeline(transaction=False)
            for key in chunk:
                ident, day = parse_legacy_day(key)
                _evalsha(pipe, sha,
                         [day_key(ident, day), visitors(ident, day),
                          month_key(ident, counters.month_of(day)), totals(ident)],
                         [day[6:8], counters.MONTH_TTL_SECONDS, int(day in live),
                          counters.VISITOR_TTL_SECONDS, counters.VISITORS])
            folded += sum(pipe.execute())
    return folded


def count_campaign_visitors(r: Client, *, now: float | None = None) -> int:
    """Give every campaign day kept (400 days) its visitors counter; returns how many."""
    now = now or time.time()
    live = _live_days(now)
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    days = [(today - dt.timedelta(days=back)).strftime("%Y%m%d")
            for back in range(counters.DAY_TTL_SECONDS // 86400 + 1)]
    sha = r.script_load(scripts.COUNT_CAMPAIGN_DAY)
    counted = 0
    for campaign_id in store.list_campaign_ids(r):
        pipe = r.pipeline(transaction=False)
        for day in days:
            _evalsha(pipe, sha,
                     [keys.campaign_day(campaign_id, day), keys.campaign_visitors(campaign_id, day),
                      keys.campaign_totals(campaign_id)],
                     [int(day in live), counters.VISITOR_TTL_SECONDS, counters.VISITORS])
        counted += sum(pipe.execute())
    return counted


def build_referrals(r: Client) -> None:
    """Who referred whom, and each campaign's recruited advocates, from the records."""
    referred_by: dict[str, str] = {}
    for chunk in _chunks(iter(r.zrange(keys.advocates(), 0, -1))):
        for advocate in store.get_advocates(r, chunk):
            if advocate.referred_by:
                referred_by[advocate.external_id] = advocate.referred_by
    pipe = r.pipeline(transaction=False)
    for external_id, referrer in referred_by.items():
        pipe.sadd(keys.advocate_referrals(referrer), external_id)
    pipe.execute()
    for campaign_id in store.list_campaign_ids(r):
        members = set(store.list_campaign_advocates(r, campaign_id))
        recruited = sorted(ident for ident in members if referred_by.get(ident) in members)
        for chunk in _chunks(iter(recruited)):
            store.set_recruited(r, campaign_id, add=chunk)


def upgrade_to_2(r: Client, *, now: float | None = None) -> None:
    fold_day_hashes(r, now=now)
    count_campaign_visitors(r, now=now)
    build_referrals(r)


def _kept_days(now: float) -> list[str]:
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return [(today - dt.timedelta(days=back)).strftime("%Y%m%d")
            for back in range(counters.DAY_TTL_SECONDS // 86400 + 1)]


def build_programme_days(r: Client, *, now: float | None = None) -> int:
    """Build every programme day hash kept (400 days) from the campaigns' day hashes, and
    copy the live days' campaign visitor HyperLogLogs; returns how many days had counters.

    Each day is rebuilt whole (DEL, then HSET of the sums), so running it again
    gives the same hashes.
    """
    now = now or time.time()
    live = _live_days(now)
    campaign_ids = store.list_campaign_ids(r)
    built = 0
    for day in _kept_days(now):
        pipe = r.pipeline(transaction=False)
        for campaign_id in campaign_ids:
            pipe.hgetall(keys.campaign_day(campaign_id, day))
            pipe.ttl(keys.campaign_day(campaign_id, day))
        answers = pipe.execute()
        summed: dict[str, float] = {}
        ttl = -1
        for index, campaign_id in enumerate(campaign_ids):
            fields, left = answers[index * 2], answers[index * 2 + 1]
            ttl = max(ttl, left)
            for name, value in fields.items():
                summed[name] = summed.get(name, 0) + float(value)
                if name in counters.CAMPAIGN_FIGURES:
                    qualified = counters.campaign_field(campaign_id, name)
                    summed[qualified] = summed.get(qualified, 0) + float(value)
        pipe = r.pipeline(transaction=False)
        pipe.delete(keys.programme_day(day))
        if summed:
            built += 1
            pipe.hset(keys.programme_day(day), mapping={
                name: int(value) if value.is_integer() else repr(value)
                for name, value in summed.items()})
            pipe.expire(keys.programme_day(day),
                        ttl if ttl > 0 else counters.DAY_TTL_SECONDS)
        pipe.execute()
        if day in live:
            _copy_visitors(r, campaign_ids, day)
    return built


def _copy_visitors(r: Client, campaign_ids: list[str], day: str) -> None:
    # DUMP and RESTORE, not PFMERGE: the two keys are in different hash tags.
    for campaign_id in campaign_ids:
        sketch = r.dump(keys.campaign_visitors(campaign_id, day))
        if sketch is not None:
            r.restore(keys.programme_visitors(campaign_id, day),
                      counters.VISITOR_TTL_SECONDS * 1000, sketch, replace=True)


def upgrade_to_3(r: Client, *, now: float | None = None) -> None:
    build_programme_days(r, now=now)


def short_fields(fields: list[str]) -> list[str]:
    """MOVE_FIELDS arguments for a month hash's fields: each field spelled before schema 4
    ("07:human") and its short name ("07n"), "" for "kind:human"."""
    moves: list[str] = []
    for field in fields:
        if field[2:3] != ":":
            continue
        name = field[3:]
        short = counters.day_field("000000" + field[:2], name) \
            if counters.kept_by_day(name) else ""
        if short != field:
            moves += [field, short]
    return moves


def shorten_month_fields(r: Client) -> int:
    """Spell every link and advocate month hash's fields short; returns how many moved."""
    sha = r.script_load(scripts.MOVE_FIELDS)
    moved = 0
    for kind in ("l", "a"):
        found = sorted(set(r.scan_iter(match=keys.month_pattern(kind), count=1000)))
        for chunk in _chunks(iter(found)):
            pipe = r.pipeline(transaction=False)
            for key in chunk:
                pipe.hkeys(key)
            pipe_moves = pipe.execute()
            pipe = r.pipeline(transaction=False)
            for key, fields in zip(chunk, pipe_moves, strict=True):
                if moves := short_fields(fields):
                    _evalsha(pipe, sha, [key], moves)
            moved += sum(pipe.execute())
    return moved


def upgrade_to_4(r: Client) -> None:
    shorten_month_fields(r)


def give_referral_codes(r: Client) -> int:
    """Give every campaign's advocates without a referral code one; returns how many
    advocates were looked at."""
    looked_at = 0
    for campaign_id in store.list_campaign_ids(r):
        campaign = store.get_campaign(r, campaign_id)
        if campaign is None:
            continue
        for chunk in _chunks(iter(store.list_campaign_advocates(r, campaign_id))):
            advocates = [advocate for advocate in store.get_advocates(r, chunk)
                         if advocate.erased_at is None]
            ensure_referral_codes(r, campaign, advocates)
            looked_at += len(advocates)
    return looked_at


def _attribution_counters(conversion: Conversion) -> list[tuple[str, str, bool]]:
    """(key, field, dated) of every counter the conversion adds one to, by how it was
    attributed, as record_conversion writes them; none for an order by advocate, or one
    held for review (counted when accepted)."""
    if conversion.status != "accepted":
        return []
    via = counters.CONVERSIONS_BY_CLICK if conversion.click_id else \
        counters.CONVERSIONS_BY_CODE if conversion.channel == CODE_CHANNEL else None
    if via is None:
        return []
    day = time.strftime("%Y%m%d", time.gmtime(conversion.ts))
    month, dated = counters.month_of(day), counters.day_field(day, via)
    found = [(keys.campaign_totals(conversion.campaign_id), via, False),
             (keys.campaign_day(conversion.campaign_id, day), via, True),
             (keys.advocate_totals(conversion.advocate), via, False),
             (keys.advocate_month(conversion.advocate, month), dated, True)]
    if conversion.code:
        found += [(keys.link_totals(conversion.code), via, False),
                  (keys.link_month(conversion.code, month), dated, True)]
    return found


def count_conversions_by_attribution(r: Client) -> int:
    """Set the conversions-by-click and by-code counters from every campaign's orders;
    returns how many orders were attributed by click or code."""
    counted = 0
    for campaign_id in store.list_campaign_ids(r):
        tally: dict[tuple[str, str], int] = {}
        dated: set[str] = set()
        for _, text in r.hscan_iter(keys.campaign_orders(campaign_id), count=CHUNK):
            found = _attribution_counters(Conversion.from_json(text))
            counted += bool(found)
            for key, field, is_dated in found:
                tally[(key, field)] = tally.get((key, field), 0) + 1
                if is_dated:
                    dated.add(key)
        pipe = r.pipeline(transaction=False)
        for (key, field), count in tally.items():
            pipe.hset(key, field, count)
        for key in sorted(dated):
            pipe.ttl(key)
        replies = pipe.execute()[len(tally):]
        # A day or month hash made here for the first time lives as long as the others.
        pipe = r.pipeline(transaction=False)
        for key, ttl in zip(sorted(dated), replies, strict=True):
            if ttl == -1:
                pipe.expire(key, counters.MONTH_TTL_SECONDS if ":month:" in key
                            else counters.DAY_TTL_SECONDS)
        pipe.execute()
    return counted


def upgrade_to_5(r: Client) -> None:
    give_referral_codes(r)
    count_conversions_by_attribution(r)


ATTRIBUTIONS = (counters.CONVERSIONS_BY_CLICK, counters.CONVERSIONS_BY_CODE)


def count_programme_attribution(r: Client, *, now: float | None = None) -> int:
    """Set each kept programme day's conversions by click and by code, summed and per
    campaign, from the campaigns' day hashes; returns how many days had some."""
    campaign_ids = store.list_campaign_ids(r)
    counted = 0
    for day in _kept_days(now or time.time()):
        pipe = r.pipeline(transaction=False)
        for campaign_id in campaign_ids:
            pipe.hmget(keys.campaign_day(campaign_id, day), list(ATTRIBUTIONS))
        fields: dict[str, int] = {}
        for campaign_id, values in zip(campaign_ids, pipe.execute(), strict=True):
            for name, value in zip(ATTRIBUTIONS, values, strict=True):
                if value:
                    fields[counters.campaign_field(campaign_id, name)] = int(value)
                    fields[name] = fields.get(name, 0) + int(value)
        if not fields:
            continue
        counted += 1
        day_hash = keys.programme_day(day)
        pipe = r.pipeline(transaction=False)
        pipe.hset(day_hash, mapping=fields)
        pipe.ttl(day_hash)
        if pipe.execute()[1] == -1:
            r.expire(day_hash, counters.DAY_TTL_SECONDS)
    return counted


def upgrade_to_6(r: Client, *, now: float | None = None) -> None:
    count_programme_attribution(r, now=now)
