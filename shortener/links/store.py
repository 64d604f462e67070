"""Load and save campaigns, advocates and links: the only Redis caller in links/.

Writers take an optional pipeline and queue onto it; the caller executes.
Every write to a link or campaign record is then noted in the catalogue's
change log (note_changes), after the write has been applied, so that the
processes' link caches drop their copies (see resolving.py). A Redis
Cluster pipeline may apply commands to different nodes in any order, so
the note is never queued with the write it follows.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import json
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import redis
from redis.commands.core import Script

from shortener import keys, scripts
from shortener.db import Client
from shortener.links.models import Advocate, Campaign, Link


def _target(r: Client, pipe: Any | None) -> Any:
    return r if pipe is None else pipe


class _Scripts:
    def __init__(self, r: Client) -> None:
        self.note_changes: Script = r.register_script(scripts.NOTE_CHANGES)


_registered: weakref.WeakKeyDictionary[Any, _Scripts] = weakref.WeakKeyDictionary()


def _scripts_for(r: Client) -> _Scripts:
    """The scripts, registered once per client."""
    found = _registered.get(r)
    if found is None:
        found = _registered[r] = _Scripts(r)
    return found


# The catalogue's change log ---------------------------------------------------

# Enough for any process that reads the log every LINK_CACHE_SECONDS; one that
# finds entries missing drops its whole cache (see read_changes).
CATALOGUE_CHANGES_KEPT = 10_000
# Entries read per call; the reading goes on until the log's end.
CHANGES_PER_READ = 1_000


def note_changes(r: Client, *, codes: Iterable[str] = (),
                 campaign_ids: Iterable[str] = ()) -> None:
    """Tell every process's link cache that these links and campaigns were written."""
    links, campaigns = " ".join(codes), " ".join(campaign_ids)
    if links or campaigns:
        _scripts_for(r).note_changes(keys=[keys.catalogue_changes()],
                                     args=[CATALOGUE_CHANGES_KEPT, links, campaigns])


class ChangeLogPosition(NamedTuple):
    """The last entry read: its stream id and its number ("0-0" and 0 before any)."""

    entry_id: str
    number: int


LOG_START = ChangeLogPosition("0-0", 0)


class Changes(NamedTuple):
    """What changed since a position; ``complete`` False when entries were missed
    (trimmed before they were read, or the log lost): then anything may have changed."""

    position: ChangeLogPosition
    codes: set[str]
    campaign_ids: set[str]
    complete: bool


def read_changes(r: Client, after: ChangeLogPosition | None) -> Changes:
    """The links and campaigns written since ``after``; with None, only where the log ends."""
    key = keys.catalogue_changes()
    if after is None:
        newest = r.xrevrange(key, count=1)
        position = _position(*newest[0]) if newest else LOG_START
        return Changes(position, set(), set(), True)
    codes: set[str] = set()
    campaign_ids: set[str] = set()
    position = after
    while True:
        pipe = r.pipeline(transaction=False)
        pipe.xrange(key, min=f"({position.entry_id}", count=CHANGES_PER_READ)
        pipe.exists(key)
        entries, exists = pipe.execute()
        if not entries:
            if position.number and not exists:
                return Changes(LOG_START, codes, campaign_ids, False)
            return Changes(position, codes, campaign_ids, True)
        for entry_id, fields in entries:
            following = _position(entry_id, fields)
            if following.number != position.number + 1:
                newest = r.xrevrange(key, count=1)
                return Changes(_position(*newest[0]) if newest else LOG_START,
                               codes, campaign_ids, False)
            codes.update(fields.get("links", "").split())
            campaign_ids.update(fields.get("campaigns", "").split())
            position = following
        if len(entries) < CHANGES_PER_READ:
            return Changes(position, codes, campaign_ids, True)


def _position(entry_id: str, fields: dict[str, str]) -> ChangeLogPosition:
    try:
        return ChangeLogPosition(entry_id, int(fields.get("n", "")))
    except ValueError:
        return ChangeLogPosition(entry_id, -1)  # never follows anything: a reset


# Campaigns -------------------------------------------------------------------


def next_campaign_id(r: Client) -> str:
    return str(r.incr(keys.campaign_counter()))


def save_campaign(r: Client, campaign: Campaign, *, pipe: Any | None = None) -> None:
    """Write the campaign; with ``pipe``, the caller calls note_changes once it has run."""
    target = _target(r, pipe)
    target.set(keys.campaign(campaign.id), campaign.to_json())
    target.zadd(keys.campaigns(), {campaign.id: campaign.created_at}, nx=True)
    if pipe is None:
        note_changes(r, campaign_ids=[campaign.id])


def get_campaign(r: Client, campaign_id: str) -> Campaign | None:
    text = r.get(keys.campaign(campaign_id))
    return Campaign.from_json(text) if text else None


def list_campaign_ids(r: Client) -> list[str]:
    return r.zrange(keys.campaigns(), 0, -1)


def get_campaigns(r: Client, campaign_ids: Iterable[str]) -> list[Campaign]:
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.get(keys.campaign(campaign_id))
    return [Campaign.from_json(text) for text in pipe.execute() if text]


# Advocates -------------------------------------------------------------------


def save_advocate(r: Client, advocate: Advocate, *, pipe: Any | None = None) -> None:
    target = _target(r, pipe)
    target.set(keys.advocate(advocate.external_id), advocate.to_json())
    target.zadd(keys.advocates(), {advocate.external_id: advocate.created_at}, nx=True)


def claim_advocate(r: Client, advocate: Advocate, *, pipe: Any | None = None) -> bool:
    """Save a new advocate unless one with that external id exists; True if saved.

    With ``pipe``, the index writes after the claim are queued there for the caller.
    """
    if not r.set(keys.advocate(advocate.external_id), advocate.to_json(), nx=True):
        return False
    target = r.pipeline(transaction=False) if pipe is None else pipe
    target.zadd(keys.advocates(), {advocate.external_id: advocate.created_at}, nx=True)
    target.set(keys.share_token(advocate.share_token), advocate.external_id)
    if pipe is None:
        target.execute()
    return True


def get_advocate_by_share_token(r: Client, token: str) -> Advocate | None:
    external_id = r.get(keys.share_token(token))
    return get_advocate(r, external_id) if external_id else None


def get_advocate(r: Client, external_id: str) -> Advocate | None:
    text = r.get(keys.advocate(external_id))
    return Advocate.from_json(text) if text else None


# Links -----------------------------------------------------------------------


def next_link_number(r: Client) -> int:
    return int(r.incr(keys.link_counter()))


def claim_link(r: Client, link: Link) -> bool:
    """Write the link if its code is free; True if this call claimed the code."""
    return bool(r.set(keys.link(link.code), link.to_json(), nx=True))


def save_link(r: Client, link: Link) -> None:
    r.set(keys.link(link.code), link.to_json(), xx=True)
    note_changes(r, codes=[link.code])


def delete_link(r: Client, code: str) -> None:
    r.delete(keys.link(code))
    note_changes(r, codes=[code])


def get_link_with_preview(r: Client, code: str) -> tuple[str | None, str | None, int]:
    """The link's JSON, its preview signal and the signal's time to live in
    milliseconds (negative when none); one round trip unless there is a signal."""
    # One MGET (both keys share the link's hash tag), not a script: a script
    # counts as a write, and Redis holds writes back while it is paused or
    # read-only; the time to live is asked only when there is a signal.
    link_key, preview_key = keys.link(code), keys.link_preview(code)
    link_text, preview = r.mget(link_key, preview_key)
    return link_text, preview, int(r.pttl(preview_key)) if preview else -2


def get_links_with_previews(r: Client, codes: Sequence[str]
                            ) -> list[tuple[str | None, str | None, int]]:
    """get_link_with_preview() for many codes, in two round trips (three when any
    has a preview signal): what the link cache reads when it warms up."""
    if isinstance(r, redis.RedisCluster):
        pipe = r.pipeline(transaction=False)
        for code in codes:
            pipe.get(keys.link(code))
            pipe.get(keys.link_preview(code))
        found = pipe.execute()
        texts, previews = found[0::2], found[1::2]
    else:
        pipe = r.pipeline(transaction=False)
        pipe.mget([keys.link(code) for code in codes])
        pipe.mget([keys.link_preview(code) for code in codes])
        texts, previews = pipe.execute()
    signalled = [index for index, preview in enumerate(previews) if preview]
    ttls = [-2] * len(codes)
    if signalled:
        pipe = r.pipeline(transaction=False)
        for index in signalled:
            pipe.pttl(keys.link_preview(codes[index]))
        for index, ttl in zip(signalled, pipe.execute(), strict=True):
            ttls[index] = int(ttl)
    return list(zip(texts, previews, ttls, strict=True))


NEWEST_LINKS_PAGE = 10_000


def active_campaigns(r: Client) -> list[Campaign]:
    return [campaign for campaign in get_campaigns(r, list_campaign_ids(r)) if campaign.active]


def newest_link_codes(r: Client, limit: int,
                      campaigns: Sequence[Campaign] | None = None) -> list[str]:
    """The codes of the ``limit`` newest links of ``campaigns`` (every active one by
    default), newest first.

    Each campaign's links are read newest first a page at a time and merged,
    so no more than ``limit`` and a page per campaign are read, however many
    links the campaigns hold."""
    if campaigns is None:
        campaigns = active_campaigns(r)
    if not campaigns or limit <= 0:
        return []
    merged = heapq.merge(*(_newest_links(r, campaign.id) for campaign in campaigns),
                         key=lambda item: -item[1])
    return [code for code, _created in itertools.islice(merged, limit)]


def _newest_links(r: Client, campaign_id: str) -> Iterator[tuple[str, float]]:
    start = 0
    while True:
        found = r.zrevrange(keys.campaign_links(campaign_id), start,
                            start + NEWEST_LINKS_PAGE - 1, withscores=True)
        yield from found
        if len(found) < NEWEST_LINKS_PAGE:
            return
        start += NEWEST_LINKS_PAGE


def get_link(r: Client, code: str) -> Link | None:
    text = r.get(keys.link(code))
    return Link.from_json(text) if text else None


def get_links(r: Client, codes: Iterable[str]) -> list[Link]:
    pipe = r.pipeline(transaction=False)
    for code in codes:
        pipe.get(keys.link(code))
    return [Link.from_json(text) for text in pipe.execute() if text]


def _mint_field(advocate: str, channel: str | None) -> str:
    return f"{advocate}\t{channel or ''}"


def get_minted_code(r: Client, campaign_id: str, advocate: str, channel: str | None) -> str | None:
    return r.hget(keys.campaign_link_index(campaign_id), _mint_field(advocate, channel))


def claim_minted_code(
    r: Client, campaign_id: str, advocate: str, channel: str | None, code: str
) -> bool:
    """Record code as the link of (campaign, advocate, channel); False if another won."""
    return bool(
        r.hsetnx(keys.campaign_link_index(campaign_id), _mint_field(advocate, channel), code)
    )


def index_link(r: Client, link: Link, *, pipe: Any | None = None) -> None:
    """Index the link under its campaign and advocate; with ``pipe``, queued only.

    Without a pipeline, returns nothing; the last queued reply says whether
    the advocate is new to the campaign (1) or was there already (0).
    """
    target = r.pipeline(transaction=False) if pipe is None else pipe
    target.zadd(keys.campaign_links(link.campaign_id), {link.code: link.created_at}, nx=True)
    target.zadd(keys.advocate_links(link.advocate), {link.code: link.created_at}, nx=True)
    target.zadd(keys.campaign_advocates(link.campaign_id), {link.advocate: link.created_at},
                nx=True)
    if pipe is None:
        target.execute()


# Referral chains ----------------------------------------------------------------


def move_referral(r: Client, external_id: str, *, old: str | None, new: str | None) -> None:
    pipe = r.pipeline(transaction=False)
    if old:
        pipe.srem(keys.advocate_referrals(old), external_id)
    if new:
        pipe.sadd(keys.advocate_referrals(new), external_id)
    pipe.execute()


def is_campaign_advocate(r: Client, campaign_id: str, advocate: str) -> bool:
    """True when the advocate has (or had) a link in the campaign."""
    return r.zscore(keys.campaign_advocates(campaign_id), advocate) is not None


def get_advocate_link_code(r: Client, campaign_id: str, advocate: str) -> str | None:
    """The advocate's link in the campaign: the one without a channel, else the oldest."""
    code = get_minted_code(r, campaign_id, advocate, None)
    if code is not None:
        return code
    for link in get_links(r, r.zrange(keys.advocate_links(advocate), 0, -1)):
        if link.campaign_id == campaign_id:
            return link.code
    return None


def campaign_members(r: Client, campaign_id: str, external_ids: list[str]) -> set[str]:
    """Those of ``external_ids`` that have a link in the campaign."""
    if not external_ids:
        return set()
    scores = r.zmscore(keys.campaign_advocates(campaign_id), external_ids)
    return {ident for ident, score in zip(external_ids, scores, strict=True)
            if score is not None}


def set_recruited(r: Client, campaign_id: str, *, add: Sequence[str] = (),
                  remove: Sequence[str] = (), pipe: Any | None = None) -> None:
    target = _target(r, pipe)
    if add:
        target.sadd(keys.campaign_recruited(campaign_id), *add)
    if remove:
        target.srem(keys.campaign_recruited(campaign_id), *remove)


# Referral codes --------------------------------------------------------------------


def get_referral_codes(r: Client, campaign_id: str,
                       external_ids: Sequence[str]) -> list[str | None]:
    """Each advocate's referral code in the campaign as shown, or None, in order."""
    if not external_ids:
        return []
    return r.hmget(keys.campaign_referral_codes(campaign_id), list(external_ids))


def advocate_memberships(r: Client, campaign_ids: Sequence[str],
                         external_ids: Sequence[str]) -> list[list[int]]:
    """For each campaign, the positions in ``external_ids`` of the advocates with a link
    there: one round trip (ZMSCORE on each campaign's sorted set of advocates)."""
    if not campaign_ids or not external_ids:
        return [[] for _ in campaign_ids]
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.zmscore(keys.campaign_advocates(campaign_id), list(external_ids))
    return [[index for index, score in enumerate(scores) if score is not None]
            for scores in pipe.execute()]


def get_referral_code_table(r: Client, campaign_ids: Sequence[str],
                            external_ids: Sequence[str]) -> list[list[str | None]]:
    """For each campaign, each advocate's code there or None.

    Two round trips: which advocates each campaign has (advocate_memberships),
    then the codes of only those. A campaign's code hash may be kept compact (a
    list Redis reads front to back for each field asked) up to 2,048
    advocates, so asking every campaign for every advocate cost a scan of it
    per advocate.
    """
    table: list[list[str | None]] = [[None] * len(external_ids) for _ in campaign_ids]
    members = advocate_memberships(r, campaign_ids, external_ids)
    if not any(members):
        return table
    pipe = r.pipeline(transaction=False)
    for campaign_id, present in zip(campaign_ids, members, strict=True):
        if present:
            pipe.hmget(keys.campaign_referral_codes(campaign_id),
                       [external_ids[index] for index in present])
    answers = iter(pipe.execute())
    for row, present in zip(table, members, strict=True):
        if present:
            for index, code in zip(present, next(answers), strict=True):
                row[index] = code
    return table


def find_referral_code(r: Client, campaign_id: str, canonical: str) -> str | None:
    """The external id of the advocate whose code reads ``canonical``, or None."""
    return r.get(keys.campaign_referral_code(campaign_id, canonical))


def claim_referral_codes(r: Client, campaign_id: str,
                         claims: Sequence[tuple[str, str]]) -> list[bool]:
    """SET NX each (canonical code, external id); True where this call claimed the code."""
    return [bool(done) for done in _each(
        r, "SET", [(keys.campaign_referral_code(campaign_id, canonical), (external_id,))
                   for canonical, external_id in claims], after=("NX",))]


def give_referral_codes(r: Client, campaign_id: str,
                        gifts: Sequence[tuple[str, str]]) -> list[bool]:
    """HSETNX each (external id, code as shown); True where the advocate had none yet."""
    index = keys.campaign_referral_codes(campaign_id)
    return [bool(done) for done in _each(
        r, "HSETNX", [(index, (external_id, code)) for external_id, code in gifts])]


def release_referral_codes(r: Client, campaign_id: str, canonicals: Sequence[str]) -> None:
    """Free claimed codes (a claim that lost, or an erased advocate's)."""
    _each(r, "DEL", [(keys.campaign_referral_code(campaign_id, canonical), ())
                     for canonical in canonicals])


def drop_referral_code(r: Client, campaign_id: str, external_id: str) -> str | None:
    """Take the advocate's code in the campaign away; returns it as it was shown."""
    code = r.hget(keys.campaign_referral_codes(campaign_id), external_id)
    if code is not None:
        r.hdel(keys.campaign_referral_codes(campaign_id), external_id)
    return code


# Many at once (bulk minting, import): one round trip per step, not per item ----------
# Each step sends its per-key commands through _each: one script call per
# cluster slot (one in all on a single server), since redis-py spends more
# on packing and parsing a command than Redis spends running it.

# Keys per call: Redis serves no other client while a script runs.
EACH_KEYS = 1000
# Commands Redis takes for many keys of one slot at once: sent as such, no script.
_MANY_KEYS = {"GET": "MGET", "SET": "MSET", "DEL": "DEL"}


def _each(r: Client, command: str, calls: Sequence[tuple[str, Sequence[Any]]], *,
          before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> list[Any]:
    """Run ``command`` once per (key, arguments), every call with as many arguments
    and the same option words ``before`` and ``after`` them, in one round trip;
    returns the replies in order.

    The calls of one slot (all of them on a single server; on a cluster, a
    key alone in its slot goes as the plain command) travel as one MGET,
    MSET or DEL where the command is GET, SET or DEL without options, else
    as one call of scripts.each(). Replies are as Redis gives them: True, 1 or
    "OK" for a write done, None or 0 for one not done, a list or a set for
    SMEMBERS; those of DEL, and of SET without options, are not to be read.
    """
    if not calls:
        return []
    width = len(calls[0][1])
    many = None if before or after else _MANY_KEYS.get(command)
    if isinstance(r, redis.RedisCluster):
        slots: dict[int, list[int]] = {}
        for index, (key, _) in enumerate(calls):
            slots.setdefault(r.keyslot(key), []).append(index)
        groups = list(slots.values())
    else:
        groups = [list(range(len(calls)))]
    pipe = r.pipeline(transaction=False)
    parts: list[list[int]] = []
    for group in groups:
        for start in range(0, len(group), EACH_KEYS):
            part = group[start:start + EACH_KEYS]
            parts.append(part)
            if len(part) == 1:
                key, args = calls[part[0]]
                pipe.execute_command(command, key, *before, *args, *after)
            elif many is not None:
                pipe.execute_command(many, *[value for index in part
                                             for value in (calls[index][0], *calls[index][1])])
            else:
                one_key = width > 0 and all(calls[index][0] == calls[part[0]][0]
                                            for index in part)
                # EVAL, not EVALSHA: no server (a restarted one, a new cluster node)
                # lacks the script; Redis keeps it compiled all the same.
                pipe.execute_command(
                    "EVAL", scripts.each(command, width, before, after, one_key=one_key),
                    1 if one_key else len(part),
                    *([calls[part[0]][0]] if one_key else [calls[index][0] for index in part]),
                    *[arg for index in part for arg in calls[index][1]])
    replies: list[Any] = [None] * len(calls)
    for part, reply in zip(parts, pipe.execute(), strict=True):
        if len(part) == 1:
            replies[part[0]] = reply
        elif many in (None, "MGET"):
            for index, value in zip(part, reply, strict=True):
                replies[index] = value
    return replies


def get_minted_codes(r: Client, campaign_id: str,
                     pairs: Sequence[tuple[str, str | None]]) -> list[str | None]:
    if not pairs:
        return []
    return r.hmget(keys.campaign_link_index(campaign_id),
                   [_mint_field(advocate, channel) for advocate, channel in pairs])


def get_link_map(r: Client, codes: Iterable[str]) -> dict[str, Link]:
    texts = _each(r, "GET", [(keys.link(code), ()) for code in codes])
    return {link.code: link for link in (Link.from_json(text) for text in texts if text)}


def reserve_link_numbers(r: Client, count: int) -> range:
    """``count`` numbers of the link counter, taken at once."""
    last = int(r.incrby(keys.link_counter(), count))
    return range(last - count + 1, last + 1)


def claim_links(r: Client, links: Sequence[Link]) -> list[bool]:
    """SET NX each link; True where this call claimed the code."""
    return [bool(done) for done in _each(
        r, "SET", [(keys.link(link.code), (link.to_json(),)) for link in links], after=("NX",))]


def claim_minted_codes(r: Client, campaign_id: str, links: Sequence[Link]) -> list[bool]:
    index = keys.campaign_link_index(campaign_id)
    return [bool(done) for done in _each(
        r, "HSETNX", [(index, (_mint_field(link.advocate, link.channel), link.code))
                      for link in links])]


def delete_links(r: Client, codes: Sequence[str]) -> None:
    _each(r, "DEL", [(keys.link(code), ()) for code in codes])
    note_changes(r, codes=codes)


def get_advocate_map(r: Client, external_ids: Sequence[str]) -> dict[str, Advocate]:
    """The advocates that exist among ``external_ids``, by external id."""
    texts = _each(r, "GET", [(keys.advocate(external_id), ()) for external_id in external_ids])
    return {external_id: Advocate.from_json(text)
            for external_id, text in zip(external_ids, texts, strict=True) if text}


def claim_advocates(r: Client, advocates: Sequence[Advocate]) -> list[bool]:
    """Save each new advocate unless one with its external id exists; True if saved."""
    claimed = [bool(done) for done in _each(
        r, "SET", [(keys.advocate(advocate.external_id), (advocate.to_json(),))
                   for advocate in advocates], after=("NX",))]
    saved = [advocate for advocate, done in zip(advocates, claimed, strict=True) if done]
    if saved:
        r.zadd(keys.advocates(),
               {advocate.external_id: advocate.created_at for advocate in saved}, nx=True)
        _each(r, "SET", [(keys.share_token(advocate.share_token), (advocate.external_id,))
                         for advocate in saved])
    return claimed


def save_advocates(r: Client, advocates: Sequence[Advocate]) -> None:
    pipe = r.pipeline(transaction=False)
    for advocate in advocates:
        save_advocate(r, advocate, pipe=pipe)
    pipe.execute()


def index_links(r: Client, links: Sequence[Link]) -> list[bool]:
    """Index each link; True where its advocate was new to the link's campaign.

    Two round trips: each campaign's advocates are looked up (ZMSCORE) just
    before one ZADD of them all, so an advocate that another process indexes
    at the same moment may be reported new by both calls (what follows, the
    recruited set, is idempotent), with one ZADD per campaign for its links;
    then a ZADD per link for its advocate's (_each).
    """
    if not links:
        return []
    codes: dict[str, dict[str, float]] = {}
    members: dict[str, dict[str, float]] = {}
    for link in links:
        codes.setdefault(link.campaign_id, {})[link.code] = link.created_at
        members.setdefault(link.campaign_id, {}).setdefault(link.advocate, link.created_at)
    pipe = r.pipeline(transaction=False)
    for campaign_id, advocates in members.items():
        pipe.zmscore(keys.campaign_advocates(campaign_id), list(advocates))
    for campaign_id, advocates in members.items():
        pipe.zadd(keys.campaign_advocates(campaign_id), advocates, nx=True)
        pipe.zadd(keys.campaign_links(campaign_id), codes[campaign_id], nx=True)
    replies = pipe.execute()
    _each(r, "ZADD", [(keys.advocate_links(link.advocate), (link.created_at, link.code))
                      for link in links], before=("NX",))
    before = {campaign_id: dict(zip(advocates, scores, strict=True))
              for (campaign_id, advocates), scores in zip(members.items(), replies, strict=False)}
    return [before[link.campaign_id][link.advocate] is None for link in links]


def list_referrals_of(r: Client, external_ids: Sequence[str]) -> dict[str, list[str]]:
    replies = _each(r, "SMEMBERS", [(keys.advocate_referrals(external_id), ())
                                    for external_id in external_ids])
    return {external_id: sorted(found)
            for external_id, found in zip(external_ids, replies, strict=True)}


def add_referrals(r: Client, pairs: Sequence[tuple[str, str]]) -> None:
    """(referrer, advocate) pairs: the advocate's referred_by is the referrer."""
    _each(r, "SADD", [(keys.advocate_referrals(referrer), (external_id,))
                      for referrer, external_id in pairs])


def list_campaign_advocates(r: Client, campaign_id: str) -> list[str]:
    return r.zrange(keys.campaign_advocates(campaign_id), 0, -1)


def list_link_codes(r: Client, *, campaign_id: str | None = None,
                    advocate: str | None = None) -> list[str]:
    """Codes in creation order, for a campaign or an advocate."""
    key = keys.campaign_links(campaign_id) if campaign_id else keys.advocate_links(advocate or "")
    return r.zrange(key, 0, -1)


def list_latest_link_codes(r: Client, *, campaign_id: str | None = None,
                           advocate: str | None = None, limit: int,
                           offset: int = 0) -> list[str]:
    """The ``limit`` newest codes of a campaign or an advocate after the ``offset``
    newest, newest first."""
    key = keys.campaign_links(campaign_id) if campaign_id else keys.advocate_links(advocate or "")
    return r.zrevrange(key, offset, offset + limit - 1)


# Pages -------------------------------------------------------------------------

# A position in a sorted set: the last member's score and the member itself.
# Ties in score are ordered by member, as Redis orders them.
Position = tuple[float, str]


def _page(r: Client, key: str, after: Position | None, limit: int
          ) -> tuple[list[str], Position | None]:
    """Up to ``limit`` members after ``after``, and the position to continue from."""
    if after is None:
        rows = r.zrange(key, 0, limit, withscores=True)
    else:
        score, member = after
        # Members that share the cursor's score come first; fetch past them.
        ties = int(r.zcount(key, score, score))
        rows = r.zrangebyscore(key, score, "+inf", start=0, num=limit + 1 + ties,
                               withscores=True)
        rows = [(name, value) for name, value in rows if value > score or name > member]
    more = len(rows) > limit
    rows = rows[:limit]
    following = (float(rows[-1][1]), rows[-1][0]) if more and rows else None
    return [name for name, _ in rows], following


def page_campaign_ids(r: Client, *, after: Position | None, limit: int
                      ) -> tuple[list[str], Position | None]:
    return _page(r, keys.campaigns(), after, limit)


def page_advocate_ids(r: Client, *, campaign_id: str | None, after: Position | None,
                      limit: int) -> tuple[list[str], Position | None]:
    key = keys.campaign_advocates(campaign_id) if campaign_id else keys.advocates()
    return _page(r, key, after, limit)


def page_link_codes(r: Client, *, campaign_id: str | None = None, advocate: str | None = None,
                    after: Position | None, limit: int) -> tuple[list[str], Position | None]:
    key = keys.campaign_links(campaign_id) if campaign_id else keys.advocate_links(advocate or "")
    return _page(r, key, after, limit)


def get_advocates(r: Client, external_ids: Iterable[str]) -> list[Advocate]:
    pipe = r.pipeline(transaction=False)
    for external_id in external_ids:
        pipe.get(keys.advocate(external_id))
    return [Advocate.from_json(text) for text in pipe.execute() if text]


# Erasure -----------------------------------------------------------------------

ERASURE_CHUNK = 500


def _glob(text: str) -> str:
    """``text`` matched literally in a SCAN or HSCAN pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def begin_erasure(r: Client, external_id: str, new_id: str) -> str:
    """The opaque id the advocate's erasure gives them: ``new_id``, or the one an
    erasure that stopped half-way chose, so that running it again finishes it."""
    key = keys.advocate_erasure(external_id)
    if r.set(key, new_id, nx=True):
        return new_id
    return r.get(key) or new_id


def erase_advocate(r: Client, advocate: Advocate, erased: Advocate) -> None:
    """Put ``erased`` in place of ``advocate`` wherever the external id is stored.

    Key names, index members, the mint index, links, boards, conversions, the
    click streams and other advocates' referred_by all take the new id; what
    was counted stays counted. Every step can run again (see begin_erasure),
    and each is atomic where clicks may write at the same moment (scripts,
    the stream's final rename). Links go first, so clicks from then on carry
    the new id; a last sweep moves what clicks in flight wrote under the old one.
    """
    old, new = advocate.external_id, erased.external_id
    r.set(keys.advocate(new), erased.to_json())
    rename_member = r.register_script(scripts.RENAME_MEMBER)
    rename_member(keys=[keys.advocates()], args=[old, new])
    if advocate.share_token:
        r.set(keys.share_token(advocate.share_token), new, xx=True)
    campaign_ids = rename_links(r, old, new)
    rename_field = r.register_script(scripts.RENAME_FIELD)
    for campaign_id in sorted(campaign_ids):
        for board in (keys.campaign_advocates(campaign_id), keys.campaign_leaderboard(campaign_id),
                      keys.campaign_conversion_board(campaign_id)):
            rename_member(keys=[board], args=[old, new])
        index = keys.campaign_link_index(campaign_id)
        for field in [name for name, _ in r.hscan_iter(index, match=_glob(old + "\t") + "*")]:
            rename_field(keys=[index], args=[field, new + field.removeprefix(old)])
        _rename_set_member(r, keys.campaign_recruited(campaign_id), old, new)
        _rewrite_orders(r, campaign_id, old, new)
        _rewrite_clicks(r, campaign_id, old, new)
    if advocate.referred_by:
        _rename_set_member(r, keys.advocate_referrals(advocate.referred_by), old, new)
    _rewrite_referrals(r, old, new)
    # The record and the erasure's own note go last: until then a second run
    # finds them and finishes the work.
    last = {keys.advocate(old), keys.advocate_erasure(old)}
    for _ in range(2):
        # The second pass finds what in-flight clicks wrote under the old id.
        found = [key for key in list_advocate_keys(r, old) if key not in last]
        move_keys(r, [(key, keys.advocate_prefix(new) + key.removeprefix(
            keys.advocate_prefix(old))) for key in found],
            scratch=keys.advocate_scratch(new), discard={keys.advocate_batches(old)})
    r.delete(*last)


def _rename_set_member(r: Client, key: str, old: str, new: str) -> None:
    """Replace a member of a set (recruited advocates, referrals) in one step; can run again."""
    if r.sismember(key, old):
        pipe = r.pipeline(transaction=True)
        pipe.srem(key, old)
        pipe.sadd(key, new)
        pipe.execute()


def rename_links(r: Client, old: str, new: str) -> set[str]:
    """Give every link of the advocate the new id, so that clicks from now on carry it;
    returns the links' campaign ids. Can run again."""
    campaign_ids: set[str] = set()
    codes = list_link_codes(r, advocate=old)
    for start in range(0, len(codes), ERASURE_CHUNK):
        pipe = r.pipeline(transaction=False)
        for link in get_links(r, codes[start:start + ERASURE_CHUNK]):
            utm = {name: new if value == old else value for name, value in link.utm.items()}
            renamed = dataclasses.replace(link, advocate=new, utm=utm)
            pipe.set(keys.link(link.code), renamed.to_json(), xx=True)
            campaign_ids.add(link.campaign_id)
        pipe.execute()
        note_changes(r, codes=codes[start:start + ERASURE_CHUNK])
    return campaign_ids


def _rewrite_orders(r: Client, campaign_id: str, old: str, new: str) -> None:
    orders = keys.campaign_orders(campaign_id)
    for order_id, text in r.hscan_iter(orders, count=ERASURE_CHUNK):
        data = json.loads(text)
        if data.get("advocate") == old:
            data["advocate"] = new
            if data.get("referral_code"):
                # The code may start with the first letters of the name.
                data["referral_code"] = None
            r.hset(orders, order_id, json.dumps(data, separators=(",", ":")))


def _rewrite_clicks(r: Client, campaign_id: str, old: str, new: str) -> None:
    """Copy the campaign's stream with the advocate replaced, and swap it in.

    The copy is made inside Redis, a chunk per script call (a short pause for
    other clients each); the call that copies the last chunk also renames the
    copy over the stream, so no event added meanwhile is lost.
    """
    stream, copy = keys.campaign_clicks(campaign_id), keys.campaign_clicks_rewrite(campaign_id)
    rewrite = r.register_script(scripts.REWRITE_STREAM)
    r.delete(copy)  # left by an erasure that stopped half-way
    after = "0-0"
    while (after := rewrite(keys=[stream, copy],
                            args=[after, ERASURE_CHUNK, "advocate", old, new])) != "done":
        pass


def _rewrite_referrals(r: Client, old: str, new: str) -> None:
    """Other advocates recruited by this one name it in referred_by."""
    batch: list[str] = []
    for member, _ in r.zscan_iter(keys.advocates(), count=ERASURE_CHUNK):
        batch.append(member)
        if len(batch) == ERASURE_CHUNK:
            _rewrite_referral_batch(r, batch, old, new)
            batch = []
    _rewrite_referral_batch(r, batch, old, new)


def _rewrite_referral_batch(r: Client, external_ids: list[str], old: str, new: str) -> None:
    for recruit in get_advocates(r, external_ids):
        if recruit.referred_by == old:
            save_advocate(r, dataclasses.replace(recruit, referred_by=new))


def list_advocate_keys(r: Client, external_id: str) -> list[str]:
    """Every key whose name carries the advocate's external id (see keys.advocate_prefix)."""
    pattern = _glob(keys.advocate_prefix(external_id)) + "*"
    return sorted(set(r.scan_iter(match=pattern, count=1000)))


def move_keys(r: Client, moves: list[tuple[str, str]], *, scratch: str,
              discard: frozenset[str] | set[str] = frozenset()) -> None:
    """Move each (source, target), which may be in another cluster slot.

    RENAME cannot cross slots, so values travel as DUMP and RESTORE (TTL
    kept), pipelined a chunk at a time. Where a target exists already its
    counts are added to; sources in ``discard`` are dropped instead
    (bookkeeping the target keeps for itself, such as the click writers'
    batch marks).
    """
    for start in range(0, len(moves), ERASURE_CHUNK):
        chunk = [(source, target) for source, target in moves[start:start + ERASURE_CHUNK]
                 if source not in discard]
        pipe = r.pipeline(transaction=False)
        for source, _ in chunk:
            pipe.dump(source)
            pipe.pttl(source)
        dumps = pipe.execute()
        pipe = r.pipeline(transaction=False)
        restored = []
        for index, (source, target) in enumerate(chunk):
            dumped, ttl = dumps[2 * index], dumps[2 * index + 1]
            if dumped is not None:
                pipe.restore(target, max(int(ttl), 0), dumped)
                restored.append((source, target, dumped))
        for (source, target, dumped), result in zip(
                restored, pipe.execute(raise_on_error=False), strict=True):
            if isinstance(result, redis.ResponseError):
                if "BUSYKEY" not in str(result):
                    raise result
                _merge_into(r, source, target, scratch, dumped)
        r.delete(*[source for source, _ in moves[start:start + ERASURE_CHUNK]])


def move_key(r: Client, source: str, target: str, *, scratch: str,
             discard: bool = False) -> None:
    """Move one key (see move_keys)."""
    move_keys(r, [(source, target)], scratch=scratch, discard={source} if discard else set())


def _merge_into(r: Client, source: str, target: str, scratch: str, dumped: bytes) -> None:
    kind = r.type(source)
    if kind == "hash":
        for field, value in r.hgetall(source).items():
            if value.lstrip("-").isdigit():
                r.hincrby(target, field, int(value))
            else:
                r.hincrbyfloat(target, field, float(value))
    elif kind == "zset":
        for member, score in r.zrange(source, 0, -1, withscores=True):
            r.zincrby(target, score, member)
    elif kind == "set":
        r.sadd(target, *r.smembers(source))
    elif kind == "string":
        # Visitor HyperLogLogs: merged in the target's slot through a scratch copy.
        r.restore(scratch, 60_000, dumped, replace=True)
        try:
            r.pfmerge(target, target, scratch)
        except redis.ResponseError:
            pass  # not a HyperLogLog: the target's value stands
        finally:
            r.delete(scratch)
