"""/api/v1/campaigns: create, read, change, archive and list campaigns."""

from __future__ import annotations

from typing import Any

from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec, validated_json, validated_query
from shortener.api.render import decode_cursor, encode_cursor
from shortener.api.scopes import sees_campaign
from shortener.api.survey import campaigns_json
from shortener.db import get_redis
from shortener.links import store
from shortener.links.campaigns import create_campaign, get_campaign, update_campaign
from shortener.links.models import Campaign

TAGS = ["campaigns"]


def _fields(body: schemas.CampaignFields) -> dict[str, Any]:
    """The fields the caller sent, with UTM values as the domain takes them."""
    fields = body.model_dump(exclude_unset=True)
    if fields.get("utm") is not None:
        # fields["utm"] is not None, so neither is body.utm; mypy cannot link the two.
        fields["utm"] = body.utm.model_dump(exclude_none=True)  # type: ignore[union-attr]
    return fields


@bp.post("/campaigns")
@spec.validate(json=schemas.CampaignCreate, resp=responses(201, schemas.Campaign, 403, 422),
               tags=TAGS)
def campaign_create() -> tuple[dict[str, Any], int]:
    """Create a campaign.

    Destinations are http(s) only and, when `allowed_hosts` is set, on one of
    those hosts.
    """
    fields = _fields(validated_json())
    campaign = create_campaign(get_redis(), **fields)
    return campaigns_json([campaign])[0], 201


@bp.get("/campaigns")
@spec.validate(query=schemas.CampaignListQuery, resp=responses(200, schemas.CampaignPage, 422),
               tags=TAGS)
def campaign_list() -> dict[str, Any]:
    """List campaigns, oldest first."""
    query: schemas.CampaignListQuery = validated_query()
    r = get_redis()
    after = decode_cursor(query.cursor)
    items: list[Campaign] = []
    # A status filter may drop members; read on until the page is full or the set ends.
    while True:
        ids, after = store.page_campaign_ids(r, after=after, limit=query.limit - len(items))
        items += [campaign for campaign in store.get_campaigns(r, ids)
                  if (query.status is None or campaign.status == query.status)
                  and sees_campaign(campaign.id)]
        if after is None or len(items) >= query.limit:
            break
    return {"items": campaigns_json(items),
            "next_cursor": encode_cursor(after)}


@bp.get("/campaigns/<campaign_id>")
@spec.validate(resp=responses(200, schemas.Campaign, 404), tags=TAGS)
def campaign_read(campaign_id: str) -> dict[str, Any]:
    """Read a campaign."""
    return campaigns_json([get_campaign(get_redis(), campaign_id)])[0]


@bp.patch("/campaigns/<campaign_id>")
@spec.validate(json=schemas.CampaignUpdate,
               resp=responses(200, schemas.Campaign, 403, 404, 422), tags=TAGS)
def campaign_change(campaign_id: str) -> dict[str, Any]:
    """Change a campaign; only the fields sent change.

    Archive a campaign with `{"status": "archived"}`: no new links are minted
    and its links answer 410. `{"status": "active"}` brings it back.
    """
    fields = _fields(validated_json())
    return campaigns_json([update_campaign(get_redis(), campaign_id, fields)])[0]
