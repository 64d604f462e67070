"""record_conversion(): an order reported back, attributed to a click or an advocate.

Idempotent on the external order id within a campaign: the campaign's own
counters and the order record change in one Lua script, so a repeated
report (a retry, a webhook sent twice) is answered with the first one and
counts nothing.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from typing import Any

from shortener import keys, scripts
from shortener.clicks import counters
from shortener.db import Client
from shortener.errors import InvalidInput, LinkNotFound
from shortener.links import store
from shortener.links.advocates import validate_external_id
from shortener.links.campaigns import get_campaign

MAX_ORDER_ID_LENGTH = 128
MAX_VALUE = 1e12


@dataclass(frozen=True)
class Conversion:
    order_id: str
    campaign_id: str
    advocate: str
    value: float
    currency: str
    click_id: str | None
    code: str | None
    ts: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Recorded:
    conversion: Conversion
    created: bool


def code_of_click(click_id: str) -> str:
    """The link code inside a click id (``<code>.<random>``)."""
    code, dot, token = click_id.partition(".")
    if not dot or not code or not token:
        raise InvalidInput("click_id is not a click id this service handed out",
                           field="click_id")
    return code


def _value(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not 0 <= value <= MAX_VALUE:
        raise InvalidInput("value must be a number from 0 to 1e12", field="value")
    return round(float(value), 4)


def _order_id(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ORDER_ID_LENGTH \
            or not value.isprintable():
        raise InvalidInput(
            f"order_id must be 1 to {MAX_ORDER_ID_LENGTH} printable characters", field="order_id"
        )
    return value


def record_conversion(
    r: Client,
    *,
    order_id: object,
    value: object = 0,
    currency: object = None,
    click_id: object = None,
    campaign_id: object = None,
    advocate: object = None,
    now: float | None = None,
) -> Recorded:
    """Attribute an order by click id, or by campaign and advocate.

    Raises InvalidInput naming the field, LinkNotFound for an unknown click id,
    CampaignNotFound for an unknown campaign.
    """
    order = _order_id(order_id)
    amount = _value(value)
    code: str | None = None
    if click_id is not None:
        if not isinstance(click_id, str):
            raise InvalidInput("click_id must be a string", field="click_id")
        code = code_of_click(click_id)
        link = store.get_link(r, code)
        if link is None:
            raise LinkNotFound("click_id names a link that does not exist", field="click_id")
        if campaign_id is not None and campaign_id != link.campaign_id:
            raise InvalidInput("campaign does not match the click's campaign", field="campaign")
        if advocate is not None and advocate != link.advocate:
            raise InvalidInput("advocate does not match the click's advocate", field="advocate")
        campaign_id, advocate = link.campaign_id, link.advocate
    elif campaign_id is None or advocate is None:
        raise InvalidInput("give click_id, or campaign and advocate",
                           field="click_id" if campaign_id is None else "advocate")
    if not isinstance(campaign_id, str):
        raise InvalidInput("campaign must be a string", field="campaign")
    campaign = get_campaign(r, campaign_id)
    advocate = validate_external_id(advocate)
    if currency is None:
        currency = campaign.currency
    if not isinstance(currency, str) or currency.upper() != campaign.currency:
        raise InvalidInput(f"currency must be the campaign's, {campaign.currency}",
                           field="currency")
    now = now or time.time()
    conversion = Conversion(order_id=order, campaign_id=campaign.id, advocate=advocate,
                            value=amount, currency=campaign.currency,
                            click_id=click_id if isinstance(click_id, str) else None,
                            code=code, ts=now)
    day = time.strftime("%Y%m%d", time.gmtime(now))
    earlier = r.register_script(scripts.RECORD_CONVERSION)(
        keys=[keys.campaign_orders(campaign.id), keys.campaign_totals(campaign.id),
              keys.campaign_day(campaign.id, day), keys.campaign_conversion_board(campaign.id)],
        args=[order, json.dumps(conversion.to_dict()), amount, counters.DAY_TTL_SECONDS,
              advocate],
    )
    if earlier:
        return Recorded(Conversion(**json.loads(earlier)), created=False)
    pipe = r.pipeline(transaction=False)
    scopes = [(keys.advocate_totals(advocate), keys.advocate_day(advocate, day))]
    if code:
        scopes.append((keys.link_totals(code), keys.link_day(code, day)))
    for totals, day_key in scopes:
        for key in (totals, day_key):
            pipe.hincrby(key, counters.CONVERSIONS, 1)
            pipe.hincrbyfloat(key, counters.CONVERSION_VALUE, amount)
        pipe.expire(day_key, counters.DAY_TTL_SECONDS)
    pipe.execute()
    return Recorded(conversion, created=True)

