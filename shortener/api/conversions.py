"""POST /api/v1/conversions: an order reported back, attributed to a click or an advocate."""

from __future__ import annotations

from typing import Any

from flask import request

from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec
from shortener.api.render import iso
from shortener.clicks.conversions import record_conversion
from shortener.db import get_redis

TAGS = ["conversions"]


@bp.post("/conversions")
@spec.validate(json=schemas.ConversionCreate,
               resp=responses((200, 201), schemas.Conversion, 403, 404, 422), tags=TAGS)
def conversion_report() -> tuple[dict[str, Any], int]:
    """Report an order: by the click id the destination received, or by campaign and advocate.

    Idempotent on `order_id` within a campaign: a repeat answers 200 with the
    first report and counts nothing; a new order answers 201.
    """
    body: schemas.ConversionCreate = request.context.json  # type: ignore[attr-defined]
    recorded = record_conversion(
        get_redis(), order_id=body.order_id, value=body.value, currency=body.currency,
        click_id=body.click_id, campaign_id=body.campaign, advocate=body.advocate,
    )
    data = recorded.conversion.to_dict()
    data["campaign"] = data.pop("campaign_id")
    data["ts"] = iso(recorded.conversion.ts)
    data["created"] = recorded.created
    return data, 201 if recorded.created else 200
