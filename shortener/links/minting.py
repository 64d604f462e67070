"""mint_link(): the single entry the API, the dashboard and the CLI call.

Minting the same (campaign, advocate, channel) twice returns the same link,
also when two processes mint it at the same moment: each claims a code with
SET NX, then the (campaign, advocate, channel) slot with HSETNX; whoever
loses the second claim deletes its own link and returns the winner's.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shortener import collector
from shortener.classify import normalize_channel
from shortener.config import Settings
from shortener.db import Client
from shortener.errors import AliasTaken, Conflict, InvalidInput, LinkNotFound, ShortenerError
from shortener.links import rules, store
from shortener.links.advocates import ensure_advocate, ensure_advocates, validate_external_id
from shortener.links.campaigns import get_campaign
from shortener.links.codes import (
    encode_code,
    ensure_referral_code,
    ensure_referral_codes,
    get_referral_codes,
    validate_alias,
)
from shortener.links.destination import allowed_link_hosts, validate_destination, validate_utm
from shortener.links.models import Advocate, Campaign, Link
from shortener.links.referrals import record_joined_campaign_many
from shortener.links.rules import MAX_CLICKS_LIMIT
from shortener.webhooks import events


@dataclass(frozen=True)
class Minted:
    link: Link
    created: bool


def _channel(value: object) -> str | None:
    if value is None or value == "":
        return None
    channel = normalize_channel(value) if isinstance(value, str) else None
    if channel is None:
        raise InvalidInput(f"channel {value!r} is not a known channel", field="channel")
    return channel


def _expires_at(value: object, now: float) -> float | None:
    if value is None:
        return None
    moment = rules.timestamp(value, field="expires_at")
    if moment <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    return moment


def _max_clicks(value: object) -> int | None:
    if value is None:
        return None
    return rules.whole_number(value, field="max_clicks", minimum=1, maximum=MAX_CLICKS_LIMIT)


def _new_code(r: Client, settings: Settings) -> str:
    return encode_code(
        store.next_link_number(r),
        salt=settings.secrets["hashids_salt"],
        min_length=settings.code_min_length,
        alphabet=settings.code_alphabet,
    )


def _prepare(campaign: Campaign, *, advocate: str, channel: str | None, alias: str | None,
             destination: str | None, utm: dict[str, str] | None, expires_at: float | None,
             max_clicks: int | None, now: float) -> Link:
    """The link asked for, checked against every rule, without a code yet."""
    validate_external_id(advocate)
    channel = _channel(channel)
    if alias is not None:
        validate_alias(alias)
    if destination is not None:
        destination = validate_destination(destination,
                                           allowed_hosts=allowed_link_hosts(campaign))
    return Link(
        code="",
        campaign_id=campaign.id,
        advocate=advocate,
        channel=channel,
        destination=destination,
        utm=validate_utm(utm),
        expires_at=_expires_at(expires_at, now),
        max_clicks=_max_clicks(max_clicks),
        alias=alias is not None,
        created_at=now,
    )


def mint_link(
    r: Client,
    settings: Settings,
    *,
    campaign_id: str,
    advocate: str,
    channel: str | None = None,
    alias: str | None = None,
    destination: str | None = None,
    utm: dict[str, str] | None = None,
    expires_at: float | None = None,
    max_clicks: int | None = None,
    now: float | None = None,
) -> Minted:
    """Return the link of (campaign, advocate, channel), minting it if there is none.

    Raises CampaignNotFound, InvalidInput (naming the field), AliasTaken, or
    Conflict when the existing link has another alias than the one asked for.
    """
    now = now or time.time()
    campaign = get_campaign(r, campaign_id)
    if not campaign.active:
        raise InvalidInput(f"campaign {campaign_id!r} is archived", field="campaign")
    link = _prepare(campaign, advocate=advocate, channel=channel, alias=alias,
                    destination=destination, utm=utm, expires_at=expires_at,
                    max_clicks=max_clicks, now=now)
    channel = link.channel

    existing = _existing(r, campaign.id, advocate, channel, alias)
    if existing is not None:
        return Minted(existing, created=False)

    if alias is not None:
        link = dataclasses.replace(link, code=alias)
        if not store.claim_link(r, link):
            raise AliasTaken(f"alias {alias!r} is already in use", field="alias")
    else:
        # A generated code can collide with a custom alias; take the next number.
        while True:
            link = dataclasses.replace(link, code=_new_code(r, settings))
            if store.claim_link(r, link):
                break

    if not store.claim_minted_code(r, campaign.id, advocate, channel, link.code):
        store.delete_link(r, link.code)
        winner = _existing(r, campaign.id, advocate, channel, alias)
        if winner is None:
            raise Conflict("the link was minted and removed at the same moment; try again")
        return Minted(winner, created=False)
    ensure_referral_code(r, campaign,
                         ensure_advocate(r, advocate, now=now, campaign_id=campaign.id))
    pipe = r.pipeline(transaction=False)
    # The event goes first: index_link's last reply must stay last (see below).
    events.enqueue(r, "link.created",
                   events.link_data(link, short_url=settings.short_url(link.code)), pipe=pipe)
    store.index_link(r, link, pipe=pipe)
    if pipe.execute()[-1]:
        record_joined_campaign_many(r, campaign.id, [advocate])
    return Minted(link, created=True)


def _existing(r: Client, campaign_id: str, advocate: str, channel: str | None,
              alias: str | None) -> Link | None:
    code = store.get_minted_code(r, campaign_id, advocate, channel)
    if code is None:
        return None
    link = store.get_link(r, code)
    if link is None:
        return None
    if alias is not None and link.code != alias:
        raise Conflict(
            f"advocate {advocate!r} already has link {link.code!r} in this campaign"
            + (f" for channel {channel!r}" if channel else ""),
            field="alias",
        )
    return link


def get_link(r: Client, code: str) -> Link:
    link = store.get_link(r, code)
    if link is None:
        raise LinkNotFound(f"link {code!r} does not exist", field="code")
    return link


def update_link(r: Client, code: str, changes: dict[str, Any], *,
                now: float | None = None) -> Link:
    """Change enabled, expires_at, max_clicks or destination of a link."""
    link = get_link(r, code)
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "enabled":
            if not isinstance(value, bool):
                raise InvalidInput("enabled must be true or false", field="enabled")
            cleaned[name] = value
        elif name == "expires_at":
            cleaned[name] = _expires_at(value, now or time.time())
        elif name == "max_clicks":
            cleaned[name] = _max_clicks(value)
        elif name == "destination":
            # None goes back to the campaign's destination; a URL is held to the
            # campaign's allowed hosts, as when the link was minted with one.
            campaign = store.get_campaign(r, link.campaign_id)
            cleaned[name] = None if value is None else validate_destination(
                value, allowed_hosts=campaign.allowed_hosts if campaign else ())
        else:
            raise InvalidInput(f"{name} cannot be changed on a link", field=name)
    updated = dataclasses.replace(link, **cleaned)
    store.save_link(r, updated)
    return updated


@dataclass(frozen=True)
class MintRequest:
    """One item of a bulk mint: what mint_link takes besides the campaign."""

    advocate: str
    channel: str | None = None
    alias: str | None = None
    destination: str | None = None
    utm: dict[str, str] | None = None
    expires_at: float | None = None
    max_clicks: int | None = None


def _give_referral_codes(r: Client, campaign: Campaign, external_ids: list[str],
                         records: Mapping[str, Advocate]) -> None:
    """Referral codes in the campaign for the advocates without one (one HMGET, then a
    SET NX and an HSETNX each); only the records of those without a code that are not
    in ``records`` are read."""
    have = get_referral_codes(r, campaign.id, external_ids)
    waiting = [ident for ident in external_ids if ident not in have]
    found = {**records, **store.get_advocate_map(
        r, [ident for ident in waiting if ident not in records])}
    ensure_referral_codes(r, campaign, [found[ident] for ident in waiting if ident in found],
                          codes=have)


def mint_links(r: Client, settings: Settings, *, campaign_id: str,
               items: list[MintRequest], now: float | None = None,
               advocates: Mapping[str, Advocate] | None = None
               ) -> list[Minted | ShortenerError]:
    """mint_link() for many items of one campaign, in a few round trips for them all.

    Returns, in order, a Minted or the error of each item (an item fails alone).
    Items with an alias, or asking again for a (advocate, channel) of an
    earlier item, and items that lose a race, go through mint_link one by one.
    ``advocates``: records the caller has just saved (the importer); they
    are known to exist and are not read again.
    Raises CampaignNotFound, or InvalidInput when the campaign is archived.
    """
    with collector.paused():
        return _mint_links(r, settings, campaign_id=campaign_id, items=items, now=now,
                           advocates=advocates)


def _mint_links(r: Client, settings: Settings, *, campaign_id: str,
                items: list[MintRequest], now: float | None,
                advocates: Mapping[str, Advocate] | None) -> list[Minted | ShortenerError]:
    now = now or time.time()
    campaign = get_campaign(r, campaign_id)
    if not campaign.active:
        raise InvalidInput(f"campaign {campaign_id!r} is archived", field="campaign")
    results: list[Minted | ShortenerError | None] = [None] * len(items)
    checked: dict[int, Link] = {}
    for index, item in enumerate(items):
        try:
            checked[index] = _prepare(
                campaign, advocate=item.advocate, channel=item.channel, alias=item.alias,
                destination=item.destination, utm=item.utm, expires_at=item.expires_at,
                max_clicks=item.max_clicks, now=now)
        except ShortenerError as exc:
            results[index] = exc
    # Where an alias is asked for, the items' order decides who wins: one by one.
    aliased = {(link.advocate, link.channel) for link in checked.values() if link.alias}
    prepared: dict[int, Link] = {}
    seen: set[tuple[str, str | None]] = set()
    one_by_one: list[int] = []
    for index, link in checked.items():
        slot = (link.advocate, link.channel)
        if slot in aliased or slot in seen:
            one_by_one.append(index)
        else:
            seen.add(slot)
            prepared[index] = link

    order = list(prepared)
    codes = store.get_minted_codes(r, campaign.id,
                                   [(prepared[i].advocate, prepared[i].channel) for i in order])
    known = store.get_link_map(r, [code for code in codes if code])
    fresh: list[int] = []
    for index, code in zip(order, codes, strict=True):
        if code is None:
            fresh.append(index)
        elif code in known:
            results[index] = Minted(known[code], created=False)
        else:
            one_by_one.append(index)

    numbers = store.reserve_link_numbers(r, len(fresh)) if fresh else range(0)
    for index, number in zip(fresh, numbers, strict=True):
        prepared[index] = dataclasses.replace(prepared[index], code=encode_code(
            number, salt=settings.secrets["hashids_salt"], min_length=settings.code_min_length,
            alphabet=settings.code_alphabet))
    claimed = store.claim_links(r, [prepared[index] for index in fresh])
    # A generated code taken by an alias: mint_link takes the next number.
    one_by_one += [index for index, done in zip(fresh, claimed, strict=True) if not done]
    fresh = [index for index, done in zip(fresh, claimed, strict=True) if done]
    won = store.claim_minted_codes(r, campaign.id, [prepared[index] for index in fresh])
    lost = [index for index, done in zip(fresh, won, strict=True) if not done]
    store.delete_links(r, [prepared[index].code for index in lost])
    one_by_one += lost
    fresh = [index for index, done in zip(fresh, won, strict=True) if done]

    records = dict(advocates or {})
    records |= ensure_advocates(
        r, sorted({prepared[index].advocate for index in fresh} - records.keys()), now=now,
        campaign_id=campaign.id)
    _give_referral_codes(r, campaign, sorted({prepared[index].advocate for index in fresh}),
                         records)
    links = [prepared[index] for index in fresh]
    joined = sorted({link.advocate for link, new in
                     zip(links, store.index_links(r, links), strict=True) if new})
    record_joined_campaign_many(r, campaign.id, joined, known=records)
    pipe = r.pipeline(transaction=False)
    events.enqueue_many(r, "link.created",
                        (events.link_data(link, short_url=settings.short_url(link.code))
                         for link in links), pipe=pipe, now=now)
    pipe.execute()
    for index in fresh:
        results[index] = Minted(prepared[index], created=True)

    for index in sorted(one_by_one):
        item = items[index]
        try:
            results[index] = mint_link(
                r, settings, campaign_id=campaign.id, advocate=item.advocate,
                channel=item.channel, alias=item.alias, destination=item.destination,
                utm=item.utm, expires_at=item.expires_at, max_clicks=item.max_clicks, now=now)
        except ShortenerError as exc:
            results[index] = exc
    return [result for result in results if result is not None]
