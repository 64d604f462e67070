"""/api/v1/advocates: upsert by external id, read, list, erase personal data."""

from __future__ import annotations

from typing import Any

from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec, validated_json, validated_query
from shortener.api.render import advocate_json, decode_cursor, encode_cursor
from shortener.api.scopes import visible_campaigns
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.links import store
from shortener.links.advocates import erase_personal_data, get_advocate, upsert_advocate
from shortener.links.campaigns import get_campaign
from shortener.links.codes import get_codes_of_advocates
from shortener.links.models import Advocate

TAGS = ["advocates"]


def _with_codes(advocate: Advocate) -> dict[str, Any]:
    codes = get_codes_of_advocates(get_redis(), [advocate.external_id])
    return advocate_json(get_settings(), advocate, referral_codes=codes[advocate.external_id])


@bp.put("/advocates/<external_id>")
@spec.validate(json=schemas.AdvocateUpsert,
               resp=responses((200, 201), schemas.Advocate, 403, 404, 422), tags=TAGS)
def advocate_upsert(external_id: str) -> tuple[dict[str, Any], int]:
    """Create or update an advocate by the id your shop or CRM knows them by.

    Only the fields sent change. Answers 201 when the advocate is new.
    """
    fields = validated_json().model_dump(exclude_unset=True)
    advocate, created = upsert_advocate(get_redis(), external_id, **fields)
    return _with_codes(advocate), 201 if created else 200


@bp.get("/advocates/<external_id>")
@spec.validate(resp=responses(200, schemas.Advocate, 404), tags=TAGS)
def advocate_read(external_id: str) -> dict[str, Any]:
    """Read an advocate."""
    return _with_codes(get_advocate(get_redis(), external_id))


@bp.get("/advocates")
@spec.validate(query=schemas.AdvocateListQuery,
               resp=responses(200, schemas.AdvocatePage, 404, 422), tags=TAGS)
def advocate_list() -> dict[str, Any]:
    """List advocates, oldest first; all of them, or those with a link in a campaign.

    A key limited to campaigns lists by campaign and sees only advocates whose
    every link is in its campaigns (one who also recommends elsewhere answers
    404 when read alone, too), so its pages may hold fewer than `limit`.
    """
    query: schemas.AdvocateListQuery = validated_query()
    r = get_redis()
    if query.campaign is not None:
        get_campaign(r, query.campaign)
    ids, after = store.page_advocate_ids(r, campaign_id=query.campaign,
                                         after=decode_cursor(query.cursor), limit=query.limit)
    settings = get_settings()
    found = _seen_by_caller(r, store.get_advocates(r, ids))
    codes = get_codes_of_advocates(r, [advocate.external_id for advocate in found])
    return {"items": [advocate_json(settings, advocate,
                                    referral_codes=codes[advocate.external_id])
                      for advocate in found],
            "next_cursor": encode_cursor(after)}


def _seen_by_caller(r: Any, advocates: list[Advocate]) -> list[Advocate]:
    """The advocates whose every campaign the calling key sees: one who also recommends
    for a campaign outside a campaign-limited key's is left out, as reading them one
    by one answers 404 (their personal data and codes span that campaign too)."""
    visible = visible_campaigns()
    if visible is None or not advocates:
        return advocates
    campaign_ids = store.list_campaign_ids(r)
    outside = set()
    for campaign_id, present in zip(campaign_ids, store.advocate_memberships(
            r, campaign_ids, [advocate.external_id for advocate in advocates]), strict=True):
        if campaign_id not in visible:
            outside.update(present)
    return [advocate for index, advocate in enumerate(advocates) if index not in outside]


@bp.delete("/advocates/<external_id>/personal-data")
@spec.validate(resp=responses(200, schemas.Advocate, 403, 404), tags=TAGS)
def advocate_erase(external_id: str) -> dict[str, Any]:
    """Erase an advocate's personal data, on their request.

    Name and contact are dropped, and the external id is replaced wherever it
    is stored (click events, links, boards, conversions, `referred_by` of
    others) by a random `erased-…` id, returned here; the old id answers 404
    from then on. Links keep working and every count stays, under the new id,
    so campaign figures do not change. Redis then rewrites its append-only file.
    The answer takes a few seconds: clicks that other processes resolved
    before the erasure are waited for, so that they are renamed too.
    """
    settings = get_settings()
    return advocate_json(settings, erase_personal_data(
        get_redis(), external_id, settle_seconds=settings.link_settle_seconds))
