"""record_conversion(): an order reported back, attributed to a click or an advocate.

Idempotent on the external order id within a campaign: the campaign's own
counters, the order record and the campaign's conversions by time change in
one Lua script, so a repeated report (a retry, a webhook sent twice) is
answered with the first one and counts nothing.

What may book a conversion:
- a click id that verifies with the instance's key (links/destination.py)
  and was handed to a counted human click; each click id books one order,
  so conversions by click id never outnumber human clicks;
- or a campaign and an advocate who has a link in it; the conversion is
  attributed to that link (the one without a channel, else the oldest);
- or a campaign and an advocate's referral code (links/codes.py), typed by
  the customer at checkout: attributed as by the advocate, with channel
  ``code`` (it travelled by voice, print or screenshot: dark).
Click ids handed out before they were signed do not verify and are refused;
such orders can be reported by campaign and advocate.

Reading conversions back is the read side's (analytics/conversions.py);
index_earlier_conversions() puts orders recorded before the conversions
were kept in time order into that order, so they can be audited too.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import time
from dataclasses import asdict, dataclass
from typing import Any, Self

from shortener import keys, scripts
from shortener.clicks import counters
from shortener.db import Client
from shortener.errors import (
    AdvocateNotInCampaign,
    ClickConverted,
    InvalidClickId,
    InvalidInput,
    LinkNotFound,
    UnknownReferralCode,
)
from shortener.fraud.assessing import Assessment, assess_conversion, take_back
from shortener.fraud.rules import DEFAULT_BURST_CLICKS
from shortener.links import store
from shortener.links.advocates import validate_external_id
from shortener.links.campaigns import get_campaign
from shortener.links.codes import advocate_for_code, get_referral_code
from shortener.links.destination import verify_click_id
from shortener.rewards.granting import grant_rewards
from shortener.webhooks import events

MAX_ORDER_ID_LENGTH = 128
MAX_VALUE = 1e12
# The channel of a conversion attributed by referral code (classify.CHANNELS).
CODE_CHANNEL = "code"


@dataclass(frozen=True)
class Conversion:
    """One reported order, as stored in the campaign's orders hash (JSON).

    Fields added later get a default, so records written before still load.
    """

    order_id: str
    campaign_id: str
    advocate: str
    value: float
    currency: str
    click_id: str | None
    code: str | None
    ts: float
    referral_code: str | None = None
    channel: str | None = None
    # Fraud review (see shortener.fraud): flagged conversions wait in "review".
    status: str = "accepted"
    flags: list[str] = dataclasses.field(default_factory=list)
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    reviewed_by: str | None = None
    reviewed_at: float | None = None

    @property
    def id(self) -> str:
        """The conversion's id: its campaign and order id, the latter URL-safe."""
        return conversion_id(self.campaign_id, self.order_id)

    @property
    def counted(self) -> bool:
        return self.status == "accepted"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, text: str) -> Self:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in json.loads(text).items() if name in names})


def conversion_id(campaign_id: str, order_id: str) -> str:
    """``<campaign>.<order id in unpadded URL-safe base64>``: no index to keep or erase."""
    token = base64.urlsafe_b64encode(order_id.encode()).rstrip(b"=").decode()
    return f"{campaign_id}.{token}"


def parse_conversion_id(value: str) -> tuple[str, str] | None:
    """The campaign and order id a conversion id names, or None if it names none."""
    campaign_id, _, token = value.partition(".")
    if not campaign_id.isdigit() or not token:
        return None
    try:
        order_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if conversion_id(campaign_id, order_id) != value:
        return None
    return campaign_id, order_id


@dataclass(frozen=True)
class Recorded:
    conversion: Conversion
    created: bool


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


def _campaign_id(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("campaign must be a string", field="campaign")
    return value


def record_conversion(
    r: Client,
    *,
    click_id_key: bytes,
    order_id: object,
    value: object = 0,
    currency: object = None,
    click_id: object = None,
    campaign_id: object = None,
    advocate: object = None,
    referral_code: object = None,
    now: float | None = None,
    burst_clicks: int = DEFAULT_BURST_CLICKS,
) -> Recorded:
    """Attribute an order by click id, by campaign and advocate, or by campaign and
    referral code.

    Raises InvalidInput naming the field (InvalidClickId for a click id that
    does not verify or belongs to another campaign, AdvocateNotInCampaign for
    an advocate without a link in the campaign), LinkNotFound for a click id
    whose link is gone, CampaignNotFound for an unknown campaign, and
    ClickConverted when the click id already booked another order, and
    UnknownReferralCode (naming ``code``) for a code that is no advocate's in
    the campaign. With a click id, a code must be the click's advocate's.

    The conversion's risk flags are assessed first (shortener.fraud): a
    flagged one is recorded with status ``review`` and counted nowhere until
    accepted; burst_clicks is the burst rule's limit (FRAUD_BURST_CLICKS).
    """
    order = _order_id(order_id)
    amount = _value(value)
    code: str | None = None
    if click_id is not None:
        code = verify_click_id(click_id, click_id_key)
        link = store.get_link(r, code)
        if link is None:
            raise LinkNotFound("click_id names a link that does not exist", field="click_id")
        if campaign_id is not None and _campaign_id(campaign_id) != link.campaign_id:
            raise InvalidClickId("click_id is a click on another campaign's link",
                                 field="click_id")
        if advocate is not None and advocate != link.advocate:
            raise InvalidInput("advocate does not match the click's advocate", field="advocate")
        campaign_id, advocate = link.campaign_id, link.advocate
    elif campaign_id is None or (advocate is None and referral_code is None):
        raise InvalidInput("give click_id, or campaign and advocate or code",
                           field="click_id" if campaign_id is None else "advocate")
    campaign = get_campaign(r, _campaign_id(campaign_id))
    shown_code: str | None = None
    if referral_code is not None:
        owner = advocate_for_code(r, campaign.id, referral_code) \
            if isinstance(referral_code, str) else None
        if owner is None:
            raise UnknownReferralCode(f"code {referral_code!r} is no referral code of "
                                      f"campaign {campaign.id}", field="code")
        if advocate is not None and advocate != owner:
            raise InvalidInput("code is another advocate's referral code",
                               field="code")
        advocate = owner
        shown_code = get_referral_code(r, campaign.id, owner)
    advocate = validate_external_id(advocate)
    if code is None:
        if not store.is_campaign_advocate(r, campaign.id, advocate):
            raise AdvocateNotInCampaign(
                f"advocate {advocate!r} has no link in campaign {campaign.id}", field="advocate")
        code = store.get_advocate_link_code(r, campaign.id, advocate)
    if currency is None:
        currency = campaign.currency
    if not isinstance(currency, str) or currency.upper() != campaign.currency:
        raise InvalidInput(f"currency must be the campaign's, {campaign.currency}",
                           field="currency")
    now = now or time.time()
    if r.hexists(keys.campaign_orders(campaign.id), order):
        # A repeat report: answered by the script below, without assessing it again.
        assessment = Assessment([], {})
    else:
        assessment = assess_conversion(
            r, campaign, advocate=advocate, code=code,
            click_id=click_id if isinstance(click_id, str) else None, now=now,
            burst_clicks=burst_clicks, by_referral_code=shown_code is not None)
    conversion = Conversion(order_id=order, campaign_id=campaign.id, advocate=advocate,
                            value=amount, currency=campaign.currency,
                            click_id=click_id if isinstance(click_id, str) else None,
                            code=code, ts=now, referral_code=shown_code,
                            channel=CODE_CHANNEL if shown_code and click_id is None else None,
                            status=assessment.status, flags=assessment.flags,
                            evidence=assessment.evidence)
    day = time.strftime("%Y%m%d", time.gmtime(now))
    outcome, detail = r.register_script(scripts.RECORD_CONVERSION)(
        keys=[keys.campaign_orders(campaign.id), keys.campaign_totals(campaign.id),
              keys.campaign_day(campaign.id, day), keys.campaign_conversion_board(campaign.id),
              keys.campaign_converted_clicks(campaign.id), keys.campaign_conversions(campaign.id),
              keys.campaign_review(campaign.id)],
        args=[order, json.dumps(conversion.to_dict()), amount, counters.DAY_TTL_SECONDS,
              advocate, conversion.click_id or "", int(now * 1000),
              "" if conversion.counted else "review"],
    )
    outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
    if outcome != "new":
        take_back(r, campaign.id, assessment)
    if outcome == "repeat":
        return Recorded(Conversion.from_json(detail), created=False)
    if outcome == "converted":
        raise ClickConverted("click_id has already booked another order; a click converts "
                             "once", field="click_id")
    pipe = r.pipeline(transaction=False)
    if conversion.counted:
        count_conversion(pipe, conversion)
    events.enqueue(r, "conversion.created", events.conversion_data(conversion), pipe=pipe,
                   now=now)
    pipe.execute()
    if conversion.counted:
        grant_rewards(r, campaign, advocate, now=now)
    # The order's survey answer, if it came first, counts as measured now (survey.tally
    # imports this module, hence the import here).
    from shortener.survey.tally import note_order
    note_order(r, campaign.id, order)
    return Recorded(conversion, created=True)


def count_conversion(pipe: Any, conversion: Conversion) -> None:
    """Queue the counts outside the campaign's hash tag: the advocate's, the link's and the
    programme's, on the conversion's day. (The campaign's own are counted by the script
    that records or accepts it.)"""
    day = time.strftime("%Y%m%d", time.gmtime(conversion.ts))
    amount, advocate, code = conversion.value, conversion.advocate, conversion.code
    month = counters.month_of(day)
    scopes = [(keys.advocate_totals(advocate), keys.advocate_month(advocate, month))]
    if code:
        scopes.append((keys.link_totals(code), keys.link_month(code, month)))
    for totals, month_key in scopes:
        pipe.hincrby(totals, counters.CONVERSIONS, 1)
        pipe.hincrbyfloat(totals, counters.CONVERSION_VALUE, amount)
        pipe.hincrby(month_key, counters.day_field(day, counters.CONVERSIONS), 1)
        pipe.hincrbyfloat(month_key, counters.day_field(day, counters.CONVERSION_VALUE), amount)
        pipe.expire(month_key, counters.MONTH_TTL_SECONDS)
    via = counters.CONVERSIONS_BY_CLICK if conversion.click_id else \
        counters.CONVERSIONS_BY_CODE if conversion.channel == CODE_CHANNEL else None
    if via:
        for totals, month_key in scopes:
            pipe.hincrby(totals, via, 1)
            pipe.hincrby(month_key, counters.day_field(day, via), 1)
        # Counted here, not by the script: these two are the campaign's only
        # counters that tell how an order was attributed.
        pipe.hincrby(keys.campaign_totals(conversion.campaign_id), via, 1)
        pipe.hincrby(keys.campaign_day(conversion.campaign_id, day), via, 1)
    programme_day = keys.programme_day(day)
    campaign_id = conversion.campaign_id
    if via:
        pipe.hincrby(programme_day, via, 1)
        pipe.hincrby(programme_day, counters.campaign_field(campaign_id, via), 1)
    pipe.hincrby(programme_day, counters.CONVERSIONS, 1)
    pipe.hincrbyfloat(programme_day, counters.CONVERSION_VALUE, amount)
    pipe.hincrby(programme_day, counters.campaign_field(campaign_id, counters.CONVERSIONS), 1)
    pipe.hincrbyfloat(programme_day,
                      counters.campaign_field(campaign_id, counters.CONVERSION_VALUE), amount)
    pipe.expire(programme_day, counters.DAY_TTL_SECONDS)


def index_earlier_conversions(r: Client, campaign_id: str) -> int:
    """Put the campaign's orders that are missing from its time order there; return how many.

    Safe to run at any time and more than once: an order already placed
    keeps its place.
    """
    added = 0
    entries: dict[str, float] = {}
    for order, text in r.hscan_iter(keys.campaign_orders(campaign_id), count=500):
        entries[order] = int(Conversion.from_json(text).ts * 1000)
        if len(entries) == 500:
            added += r.zadd(keys.campaign_conversions(campaign_id), entries, nx=True)
            entries = {}
    if entries:
        added += r.zadd(keys.campaign_conversions(campaign_id), entries, nx=True)
    return added
