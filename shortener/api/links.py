"""/api/v1/links: mint one or up to 1,000 at once, list, read, disable, limit."""

from __future__ import annotations

from typing import Any

from flask import Response, json

from shortener.api import bp, schemas
from shortener.api.errors import problem
from shortener.api.openapi import responses, spec, validated_json, validated_query
from shortener.api.render import decode_cursor, encode_cursor, epoch, link_json
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.errors import InvalidInput, ShortenerError
from shortener.links import store
from shortener.links.advocates import get_advocate
from shortener.links.campaigns import get_campaign
from shortener.links.codes import get_referral_code, get_referral_codes
from shortener.links.minting import (
    Minted,
    MintRequest,
    get_link,
    mint_link,
    mint_links,
    update_link,
)
from shortener.links.models import Link

TAGS = ["links"]


def _with_code(link: Link, *, created: bool | None = None) -> dict[str, Any]:
    return link_json(get_settings(), link, created=created,
                     referral_code=get_referral_code(get_redis(), link.campaign_id,
                                                     link.advocate))


def _mint(campaign_id: str, item: schemas.LinkFields) -> Minted:
    return mint_link(
        get_redis(), get_settings(),
        campaign_id=campaign_id,
        advocate=item.advocate,
        channel=item.channel,
        alias=item.alias,
        destination=item.destination,
        utm=item.utm.model_dump(exclude_none=True) if item.utm else None,
        expires_at=epoch(item.expires_at),
        max_clicks=item.max_clicks,
    )


@bp.post("/links")
@spec.validate(json=schemas.LinkCreate,
               resp=responses((200, 201), schemas.Link, 403, 404, 409, 422), tags=TAGS)
def link_create() -> tuple[dict[str, Any], int]:
    """Mint an advocate's link in a campaign, or return the one they have.

    Minting is idempotent per (campaign, advocate, channel): a repeat answers
    200 with the existing link and `created: false`; a new link answers 201.
    The advocate is created bare if unknown (upsert them to add details).
    An archived campaign mints no links: 422 naming `campaign`.
    """
    body: schemas.LinkCreate = validated_json()
    minted = _mint(body.campaign, body)
    return (_with_code(minted.link, created=minted.created),
            201 if minted.created else 200)


@bp.post("/links/bulk", provide_automatic_options=False)
@spec.validate(json=schemas.BulkLinkCreate,
               resp=responses(200, schemas.BulkLinkResult, 403, 404, 422), tags=TAGS)
def link_create_many() -> Response:
    """Mint up to 1,000 links in one campaign, with one result per item, in order.

    Each item succeeds or fails alone: a failed item (alias taken, host not
    allowed, an alias that conflicts with an earlier item) carries an `error`
    and writes nothing; the others are minted. Safe to repeat: items minted
    before come back with `created: false`.
    """
    body: schemas.BulkLinkCreate = validated_json()
    campaign = get_campaign(get_redis(), body.campaign)
    if not campaign.active:
        raise InvalidInput(f"campaign {campaign.id!r} is archived", field="campaign")
    settings = get_settings()
    minted_items = mint_links(
        get_redis(), settings, campaign_id=campaign.id,
        items=[MintRequest(advocate=item.advocate, channel=item.channel, alias=item.alias,
                           destination=item.destination,
                           utm=item.utm.model_dump(exclude_none=True) if item.utm else None,
                           expires_at=epoch(item.expires_at), max_clicks=item.max_clicks)
               for item in body.items])
    results: list[dict[str, Any]] = []
    for index, minted in enumerate(minted_items):
        if isinstance(minted, ShortenerError):
            field = f"items.{index}.{minted.field}" if minted.field else f"items.{index}"
            results.append({"error": problem(minted.status, minted.code, minted.message, field)})
            continue
        results.append({"code": minted.link.code, "short_url": settings.short_url(minted.link.code),
                        "created": minted.created})
    created = sum(1 for result in results if result.get("created"))
    failed = sum(1 for result in results if "error" in result)
    # Serialized here: spectree checks JSON text against the schema in one pass,
    # where a dict of a thousand items costs it several times more (a walk of
    # its own looking for models, then the check).
    return Response(json.dumps({"items": results, "created": created,
                                "existing": len(results) - created - failed,
                                "failed": failed}),
                    mimetype="application/json")


@bp.route("/links/bulk", methods=["OPTIONS"])
def link_bulk_options() -> Response:
    """The methods of /links/bulk alone.

    Flask's automatic answer lists every rule the path matches, and "bulk"
    also matches /links/{code}, whose GET and PATCH are no methods of this path.
    """
    return Response(status=200, headers={"Allow": "OPTIONS, POST"})


@bp.get("/links")
@spec.validate(query=schemas.LinkListQuery, resp=responses(200, schemas.LinkPage, 404, 422),
               tags=TAGS)
def link_list() -> dict[str, Any]:
    """List a campaign's or an advocate's links, oldest first (give one or both).

    With both, the advocate's links in the campaign; a page may then hold
    fewer items than `limit` before the last.
    """
    query: schemas.LinkListQuery = validated_query()
    r = get_redis()
    if query.campaign is None and query.advocate is None:
        raise InvalidInput("give campaign, advocate or both", field="campaign")
    if query.campaign is not None:
        get_campaign(r, query.campaign)
    if query.advocate is not None:
        get_advocate(r, query.advocate)
    # An advocate has few links (one per campaign and channel): page theirs, then filter.
    codes, after = store.page_link_codes(
        r, campaign_id=None if query.advocate else query.campaign, advocate=query.advocate,
        after=decode_cursor(query.cursor), limit=query.limit)
    links = [link for link in store.get_links(r, codes)
             if query.campaign is None or link.campaign_id == query.campaign]
    settings = get_settings()
    referral_codes: dict[tuple[str, str], str] = {}
    for campaign_id in {link.campaign_id for link in links}:
        advocates = sorted({link.advocate for link in links if link.campaign_id == campaign_id})
        referral_codes.update(((campaign_id, ident), code) for ident, code in
                     get_referral_codes(r, campaign_id, advocates).items())
    return {"items": [link_json(settings, link,
                                referral_code=referral_codes.get((link.campaign_id, link.advocate)))
                      for link in links],
            "next_cursor": encode_cursor(after)}


@bp.get("/links/<code>")
@spec.validate(resp=responses(200, schemas.Link, 404), tags=TAGS)
def link_read(code: str) -> dict[str, Any]:
    """Read a link."""
    return _with_code(get_link(get_redis(), code))


@bp.patch("/links/<code>")
@spec.validate(json=schemas.LinkUpdate, resp=responses(200, schemas.Link, 403, 404, 422),
               tags=TAGS)
def link_change(code: str) -> dict[str, Any]:
    """Disable or enable a link, or change its expiry time or max clicks (null removes them)."""
    body: schemas.LinkUpdate = validated_json()
    changes = body.model_dump(exclude_unset=True)
    if "expires_at" in changes:
        changes["expires_at"] = epoch(body.expires_at)
    if changes.get("enabled", False) is None:
        raise InvalidInput("enabled must be true or false", field="enabled")
    return _with_code(update_link(get_redis(), code, changes))
