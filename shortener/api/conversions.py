"""/api/v1/conversions: report an order (attributed to a click or an advocate), list them."""

from __future__ import annotations

from typing import Any

from flask import current_app, g

from shortener.analytics.conversions import list_conversions
from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec, validated_json, validated_query
from shortener.api.render import decode_cursor, encode_cursor
from shortener.clicks.conversions import Conversion, record_conversion
from shortener.db import get_redis
from shortener.fraud.review import list_review, set_conversion_status
from shortener.links.campaigns import get_campaign
from shortener.webhooks.events import conversion_data

TAGS = ["conversions"]


def conversion_json(conversion: Conversion) -> dict[str, Any]:
    # As the webhooks show it: one shape for a conversion everywhere, plus the referral
    # code, which the webhook queue does not keep (it may start with a name).
    return {**conversion_data(conversion), "referral_code": conversion.referral_code}


@bp.post("/conversions")
@spec.validate(json=schemas.ConversionCreate,
               resp=responses((200, 201), schemas.Conversion, 403, 404, 409, 422), tags=TAGS)
def conversion_report() -> tuple[dict[str, Any], int]:
    """Report an order: by the click id the destination received, or by campaign and advocate.

    Idempotent on `order_id` within a campaign: a repeat answers 200 with the
    first report and counts nothing; a new order answers 201. A click id must
    be one the redirect handed to a counted human click (it is signed; a
    made-up, altered or pre-signing id gets 422 naming `click_id`), and books
    one order (another order with it gets 409). By campaign and advocate, the
    advocate must have a link in the campaign (422 naming `advocate`); the
    conversion is credited to that link. By campaign and `code`, the order
    goes to the advocate whose referral code it is, with channel `code`; an
    unknown code gets 422 naming `code`.
    """
    body: schemas.ConversionCreate = validated_json()
    key = current_app.extensions["settings"].secrets["click_id_key"].encode()
    recorded = record_conversion(
        get_redis(), click_id_key=key, order_id=body.order_id, value=body.value,
        currency=body.currency, click_id=body.click_id, campaign_id=body.campaign,
        advocate=body.advocate, referral_code=body.code,
        burst_clicks=current_app.extensions["settings"].fraud_burst_clicks,
    )
    data = conversion_json(recorded.conversion)
    data["created"] = recorded.created
    return data, 201 if recorded.created else 200


@bp.get("/conversions")
@spec.validate(query=schemas.ConversionQuery,
               resp=responses(200, schemas.ConversionPage, 404, 422), tags=TAGS)
def conversion_list() -> dict[str, Any]:
    """List a campaign's conversions, oldest first, for audits.

    Filter by advocate and by UTC day (`since`, `until`, inclusive); continue
    with `cursor`. Conversions recorded before the list existed appear once
    `shortener conversions index` has run.
    """
    query: schemas.ConversionQuery = validated_query()
    after = decode_cursor(query.cursor)
    r = get_redis()
    campaign = get_campaign(r, query.campaign)
    if query.status == "review" and query.advocate is None and query.since is None \
            and query.until is None:
        # The queue has an index of its own: every page is full.
        queue = list_review(r, campaign.id, after=after, limit=query.limit)
        return {"items": [conversion_json(conversion) for conversion in queue.items],
                "next_cursor": encode_cursor(queue.next_position)}
    page = list_conversions(r, campaign.id, advocate=query.advocate, since=query.since,
                            until=query.until, after=after, limit=query.limit,
                            status=query.status)
    return {"items": [conversion_json(conversion) for conversion in page.items],
            "next_cursor": encode_cursor(page.next_position)}


@bp.patch("/conversions/<conversion_id>")
@spec.validate(json=schemas.ConversionUpdate,
               resp=responses(200, schemas.ConversionRecord, 403, 404, 409, 422), tags=TAGS)
def conversion_change(conversion_id: str) -> dict[str, Any]:
    """Accept or reject a conversion held for review.

    Accepting counts it in every figure exactly once (two accepts sent
    together count once) and may reach a reward tier; rejecting one in review
    changes no figure. A rejected conversion may still be accepted; an
    accepted one is final (422 naming `status`): reject the reward it earned
    instead. Sends a `conversion.updated` webhook event.
    """
    body: schemas.ConversionUpdate = validated_json()
    changed = set_conversion_status(get_redis(), conversion_id, body.status,
                                    by=f"key:{g.api_caller.key_id}")
    return conversion_json(changed)
