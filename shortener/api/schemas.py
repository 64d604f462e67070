"""The API's request and response bodies as pydantic models: the contract's one source.

spectree turns these into the OpenAPI document and validates every request
and response against them. Request bodies are strict (no unknown fields, no
type coercion, lengths and patterns as the domain enforces them), so input
that the document calls valid is what the domain accepts, and the rest gets
a documented 4xx. The domain still validates what a schema cannot say
(printable text, hosts a campaign allows, times in the future); its
messages are the ones callers see.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from shortener.classify import KINDS, LINK_CHANNELS
from shortener.clicks.conversions import MAX_ORDER_ID_LENGTH
from shortener.fraud.rules import FLAGS as FRAUD_FLAGS
from shortener.fraud.rules import STATUSES as CONVERSION_STATUSES
from shortener.links import rules
from shortener.links.campaigns import STATUSES
from shortener.links.rules import (
    MAX_ALLOWED_HOSTS,
    MAX_AMOUNT,
    MAX_CLICKS_LIMIT,
    MAX_DESTINATION_LENGTH,
    MAX_FRIEND_INCENTIVE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PERSONAL_FIELD_LENGTH,
    MAX_REWARD_GOAL,
    MAX_REWARD_NAME_LENGTH,
    MAX_REWARD_TIERS,
    MAX_TIER_CONVERSIONS,
    MAX_UTM_LENGTH,
)

MAX_BULK_ITEMS = 1000
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100

# Patterns anchored at both ends, as JSON Schema reads them unanchored.
CAMPAIGN_ID = r"^[1-9][0-9]{0,17}$"
EXTERNAL_ID = rules.anchored(rules.EXTERNAL_ID)
CODE = rules.anchored(rules.CODE)
ALIAS = rules.anchored(rules.ALIAS)
CLICK_ID = r"^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$"
URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\x9f]+$"
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
HOST = rules.anchored(rules.ALLOWED_HOST)
CURRENCY = rules.anchored(rules.CURRENCY)
# A cursor is SCORE~HEX (see render.encode_cursor): every string of this shape
# is a position, so any cursor the document accepts, the API accepts.
_SCORE = r"-?[0-9]{1,20}(\.[0-9]{1,20})?(e-?[0-9]{1,2})?"
CURSOR = rf"^{_SCORE}~([0-9a-f]{{2}}){{0,200}}$"
# Longer: a conversion's position carries an order id (128 characters, UTF-8).
CONVERSION_CURSOR = rf"^{_SCORE}~([0-9a-f]{{2}}){{0,600}}$"
TIME_ZONE = r"^[A-Za-z][A-Za-z0-9_+/-]{0,63}$"

# Literal over a tuple constant: pydantic expands it at run time; mypy wants the values spelled out,
# which would copy the rule the domain owns.
Channel = Literal[LINK_CHANNELS]  # type: ignore[valid-type]
CampaignId = Annotated[str, Field(pattern=CAMPAIGN_ID, examples=["1"])]
ExternalId = Annotated[str, Field(pattern=EXTERNAL_ID, description="The advocate's id in "
                                  "your shop or CRM.", examples=["cust-1042"])]
Url = Annotated[str, Field(pattern=URL, max_length=MAX_DESTINATION_LENGTH,
                           description="http or https only; no spaces or control characters.",
                           examples=["https://shop.example/spring"])]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]


def _whole(value: object) -> object:
    # JSON Schema's integer includes 5.0; strict mode alone would refuse it.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Whole(minimum: int, maximum: int) -> object:
    """An integer in [minimum, maximum] that also takes integer-valued floats such as 5.0."""
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_whole)]


def _not_null(schema: dict[str, object]) -> None:
    schema.pop("default", None)


def NotNull(**constraints: object) -> Any:
    """An optional field that may be left out but not sent as null (the domain refuses null)."""
    return Field(None, json_schema_extra=_not_null, **constraints)  # type: ignore[call-overload]


def _text_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 time such as 2030-01-31T23:59:00Z")
    return value


def _in_range(moment: dt.datetime) -> dt.datetime:
    if not 0 <= moment.timestamp() < rules.MAX_TIMESTAMP:
        raise ValueError(f"must be a time before {rules.MAX_TIME:%Y-%m-%d}")
    return moment


# Parsed from text despite strict bodies, and only from text: JSON has no time type.
Moment = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_text_only),
                   AfterValidator(_in_range)]


def _iso_day(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a day as YYYY-MM-DD")
    return value


# A day in a query string; only as YYYY-MM-DD (pydantic alone would read "0" as 1970-01-01).
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Personal = Annotated[str, Field(max_length=MAX_PERSONAL_FIELD_LENGTH, pattern=NO_CONTROL)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    # Query strings are text: numbers and dates in them are parsed, not refused.
    # Unknown parameters are refused like unknown body fields, so a typo is not
    # silently ignored.
    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details; ``field`` names the offending input."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code, e.g. `alias-taken`.")
    field: str | None = Field(description="The offending input as a dotted path, or null.")


class Utm(Request):
    utm_source: str | None = Field(None, max_length=MAX_UTM_LENGTH, pattern=NO_CONTROL)
    utm_medium: str | None = Field(None, max_length=MAX_UTM_LENGTH, pattern=NO_CONTROL)
    utm_campaign: str | None = Field(None, max_length=MAX_UTM_LENGTH, pattern=NO_CONTROL)
    utm_term: str | None = Field(None, max_length=MAX_UTM_LENGTH, pattern=NO_CONTROL)
    utm_content: str | None = Field(None, max_length=MAX_UTM_LENGTH, pattern=NO_CONTROL)


class UtmAnswer(Answer):
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None


# Fraud review ------------------------------------------------------------------

# Literal over the domain's tuples, as Channel above.
FraudFlag = Literal[FRAUD_FLAGS]  # type: ignore[valid-type]
ConversionStatus = Literal[CONVERSION_STATUSES]  # type: ignore[valid-type]
# A conversion id: the campaign id, a dot, the order id in unpadded URL-safe base64.
CONVERSION_ID = r"^[1-9][0-9]{0,17}\.[A-Za-z0-9_-]{2,700}$"


class FraudRules(Request):
    """Rules left out keep their current value (on, for a new campaign)."""

    self_referral: bool = NotNull(description="Hold a conversion whose click came from a "
                                  "visitor of the advocate's own share page that day.")
    repeat_visitor: bool = NotNull(description="Hold a conversion whose click's visitor is "
                                   "behind another conversion of the campaign that day.")
    no_human_click: bool = NotNull(description="Hold a conversion reported by advocate "
                                   "whose links in the campaign never had a human click.")
    burst: bool = NotNull(description="Hold a conversion whose click's visitor clicked the "
                          "link more than FRAUD_BURST_CLICKS times in one UTC hour.")


class FraudRulesAnswer(Answer):
    self_referral: bool
    repeat_visitor: bool
    no_human_click: bool
    burst: bool


class ClickEvidence(Answer):
    at: dt.datetime = Field(description="When the converting click was made.")
    channel: str
    kind: str


class ShareVisitEvidence(Answer):
    at: dt.datetime = Field(description="When that visitor first opened the advocate's "
                            "share page that day.")


class BurstEvidence(Answer):
    clicks: int = Field(description="Human clicks by the visitor on the link in the hour.")
    limit: int
    hour: int | None = Field(description="The UTC hour (0-23).")


class ConversionEvidence(Answer):
    """What the flags were read from: times, channel and kind; never an address or a
    visitor hash. Each part is present when it was found."""

    click: ClickEvidence | None = None
    share_page_visit: ShareVisitEvidence | None = None
    visitor_conversions: int | None = Field(None, description="Conversions of the campaign "
                                            "through that visitor's clicks of the day.")
    human_clicks: int | None = Field(None, description="Human clicks on the advocate's "
                                     "links in the campaign.")
    burst: BurstEvidence | None = None


class ConversionUpdate(Request):
    status: Literal["accepted", "rejected"] = Field(description="review -> accepted counts "
                                                    "the conversion everywhere, once; review "
                                                    "-> rejected counts nothing; rejected -> "
                                                    "accepted is allowed; accepted is final.")


# Campaigns -------------------------------------------------------------------


class RewardTier(Request):
    name: str = Field(min_length=1, max_length=MAX_REWARD_NAME_LENGTH, pattern=NO_CONTROL,
                      examples=["10 EUR voucher"])
    conversions: Whole(1, MAX_TIER_CONVERSIONS) = Field(  # type: ignore[valid-type]
        description="Accepted conversions an advocate needs for it.")


class RewardTierAnswer(Answer):
    name: str
    conversions: int


class CampaignFields(Request):
    utm: Utm | None = Field(None, description="UTM defaults merged into every click's "
                            "destination (a link's own UTM values win).")
    allowed_hosts: list[Annotated[str, Field(pattern=HOST,
                                             max_length=rules.MAX_HOST_LENGTH)]] | None = Field(
        None, max_length=MAX_ALLOWED_HOSTS,
        description="Hosts that link destinations may point to; `*.example.com` allows "
                    "subdomains. Empty: only the host of the campaign's destination. "
                    "The campaign's destination must be on them (422 naming "
                    "`destination`).")
    cost: Amount | None = Field(None, description="What the campaign costs, for cost per "
                                "advocate and ROI.")
    value_per_click: Amount | None = Field(None, description="What a human click is worth "
                                           "as paid media, for earned media value.")
    currency: str = NotNull(pattern=CURRENCY,
                            description=f"ISO 4217, default {rules.DEFAULT_CURRENCY}.")
    channel_utm: bool = NotNull(description="Write the classified channel into "
                                "utm_source/utm_medium where the campaign sets none.")
    reward_goal: Whole(1, MAX_REWARD_GOAL) | None = Field(  # type: ignore[valid-type]
        None, description="Human clicks an advocate needs for the reward (share page "
        "progress).")
    rewards: list[RewardTier] | None = Field(
        None, max_length=MAX_REWARD_TIERS, description="Reward tiers: when an advocate's "
        "accepted conversions reach one, a pending reward is created, once. Sent tiers "
        "replace the old ones; tiers already granted stay granted.")
    friend_incentive: str | None = Field(
        None, max_length=MAX_FRIEND_INCENTIVE_LENGTH, pattern=NO_CONTROL,
        description="What the advocate's friend gets, shown on the share page, e.g. "
        "\"Your friend gets 10 % off\".")
    code_prefix: str | None = Field(
        None, pattern=rules.anchored(rules.CODE_PREFIX), description="The start of every "
        "advocate's referral code (stored upper case), e.g. `SPRING` for `SPRING-7K2P`; "
        "without it, the first letters of the advocate's name. Codes given before a change "
        "keep their prefix.")
    fraud_rules: FraudRules | None = Field(
        None, description="Fraud review rules, each on or off; all on by default. A "
        "conversion any rule flags is held for review.")


class CampaignCreate(CampaignFields):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    destination: Url


class CampaignUpdate(CampaignFields):
    name: str = NotNull(min_length=1, max_length=MAX_NAME_LENGTH)
    destination: Url = NotNull()
    status: Literal[STATUSES] = NotNull(  # type: ignore[valid-type]
        description="`archived` stops minting and makes the campaign's links answer 410.")


class Campaign(Answer):
    id: str
    name: str
    destination: str
    utm: UtmAnswer
    allowed_hosts: list[str]
    cost: float | None
    value_per_click: float | None
    currency: str
    channel_utm: bool
    reward_goal: int | None
    # Literal over the domain's tuple, as Channel above.
    status: Literal[STATUSES]  # type: ignore[valid-type]
    created_at: dt.datetime
    rewards: list[RewardTierAnswer]
    friend_incentive: str | None
    code_prefix: str | None = None
    fraud_rules: FraudRulesAnswer
    survey_embed: str = Field(description="The <script> tag a shop pastes into its "
                              "thank-you page to ask \"how did you hear about us?\": "
                              "put the order id where ORDER_ID stands; `data-lang` picks "
                              "the language (en, de).")
    survey_embed_frame: str = Field(description="The same survey as an <iframe>, for "
                                    "pages that load no outside script: put the "
                                    "URL-encoded order id where ORDER_ID stands.")


class CampaignPage(Answer):
    items: list[Campaign]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; "
                                    "null on the last page.")


# Advocates -------------------------------------------------------------------


class AdvocateUpsert(Request):
    name: Personal | None = None
    contact: Personal | None = Field(None, description="E-mail or phone; erasable.")
    referred_by: ExternalId | None = Field(
        None, description="The advocate who recruited this one (must exist, and not be "
        "this advocate: 422); counts toward the campaign's K-factor.")


class Advocate(Answer):
    external_id: str
    name: str | None
    contact: str | None
    referred_by: str | None
    share_url: str = Field(description="The advocate's share page.")
    created_at: dt.datetime
    erased_at: dt.datetime | None
    referral_codes: dict[str, str] = Field(
        default_factory=dict, description="Campaign id to the advocate's referral code "
        "there: given with their first link in the campaign; customers type it at checkout "
        "(`POST /conversions` with `code`). Erasure takes the codes away.")


class AdvocatePage(Answer):
    items: list[Advocate]
    next_cursor: str | None


# Links -----------------------------------------------------------------------


class LinkFields(Request):
    advocate: ExternalId
    channel: Channel | None = Field(None, description="Tag the link with a channel; each "
                                    "(campaign, advocate, channel) has one link.")
    alias: str | None = Field(None, pattern=ALIAS, description="Custom code instead of a "
                              "generated one.")
    destination: Url | None = Field(None, description="Instead of the campaign's; must be "
                                    "on its allowed hosts.")
    utm: Utm | None = None
    expires_at: Moment | None = Field(None, description="RFC 3339 time with offset; "
                                      "the link answers 410 from then on. Must be in "
                                      "the future (a past time gets 422).")
    max_clicks: Whole(1, MAX_CLICKS_LIMIT) | None = Field(  # type: ignore[valid-type]
        None, description="Human clicks allowed; previews and scanners never use them up.")


class LinkCreate(LinkFields):
    campaign: CampaignId


class BulkLinkCreate(Request):
    campaign: CampaignId
    items: list[LinkFields] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


class LinkUpdate(Request):
    enabled: bool = NotNull()
    expires_at: Moment | None = None
    max_clicks: Whole(1, MAX_CLICKS_LIMIT) | None = None  # type: ignore[valid-type]


class Link(Answer):
    code: str
    short_url: str
    campaign: str
    advocate: str
    channel: Channel | None
    destination: str | None
    utm: UtmAnswer
    expires_at: dt.datetime | None
    max_clicks: int | None
    enabled: bool
    alias: bool
    created_at: dt.datetime
    created: bool | None = Field(None, description="On minting: false when the link "
                                 "already existed (minting is idempotent).")
    referral_code: str | None = Field(None, description="The advocate's referral code in "
                                      "the link's campaign.")


class BulkItemResult(Answer):
    code: str | None = None
    short_url: str | None = None
    created: bool | None = None
    error: Problem | None = Field(None, description="Why this item failed; nothing was "
                                  "written for it.")


class BulkLinkResult(Answer):
    items: list[BulkItemResult] = Field(description="One result per item, in order.")
    created: int
    existing: int
    failed: int


class LinkPage(Answer):
    items: list[Link]
    next_cursor: str | None


class PageQuery(Query):
    cursor: str | None = Field(None, pattern=CURSOR, description="From `next_cursor`.")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class CampaignListQuery(PageQuery):
    # Literal over the domain's tuple, as Channel above.
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]


class AdvocateListQuery(PageQuery):
    campaign: CampaignId | None = Field(None, description="Only advocates with a link in "
                                        "this campaign.")


class LinkListQuery(PageQuery):
    campaign: CampaignId | None = None
    advocate: ExternalId | None = None


# Stats -------------------------------------------------------------------------


class StatsQuery(Query):
    start: Day | None = Field(None, description="First day (YYYY-MM-DD) of the range; "
                              "without it, 29 days before `end`.")
    end: Day | None = Field(None, description="Last day of the range, inclusive; without "
                            "it, today in `tz` (no earlier than `start`, at most 366 days "
                            "after it). Neither: all time.")
    tz: str = Field("UTC", pattern=TIME_ZONE, description="IANA time zone of `start`, `end`, "
                    "`by_day` and `by_hour`, e.g. Europe/Berlin.")


class DayCount(Answer):
    day: dt.date
    clicks: int


class HourCount(Answer):
    hour: int = Field(ge=0, le=23)
    clicks: int


class ByKind(Answer):
    human: int
    preview_bot: int
    scanner: int
    crawler: int


class Stats(Answer):
    clicks: int = Field(description="Human clicks only.")
    unique_visitors: int = Field(description="Sum of daily unique visitors.")
    by_channel: dict[str, int]
    by_kind: ByKind = Field(description="Every fetch by kind: human clicks, messenger "
                            "preview fetches, e-mail scanners, crawlers.")
    by_device: dict[str, int]
    by_country: dict[str, int] = Field(description="Human clicks by country (ISO 3166-1 "
                                       "alpha-2, from the address's registry; the address "
                                       "is not kept).")
    dark: int = Field(description="Human clicks through private channels.")
    dark_share: float = Field(description="dark / clicks (0 without clicks).")
    previews: dict[str, int] = Field(description="Preview fetches by messenger: proof "
                                     "of a share there.")
    conversions: int
    conversion_value: float
    conversions_by_click: int = Field(0, description="Conversions reported with a click id.")
    conversions_by_code: int = Field(0, description="Conversions reported with a referral "
                                     "code (channel `code`: no click behind them).")
    start: dt.date | None
    end: dt.date | None
    tz: str
    by_day: list[DayCount] | None = Field(description="Human clicks per day in `tz`; "
                                          "with a range only.")
    by_hour: list[HourCount] | None = Field(description="Human clicks per hour of the day "
                                            "in `tz` over the range; with a range only.")


class LinkStats(Stats):
    code: str


class CampaignStats(Stats):
    campaign: str
    self_reported: dict[str, int] = Field(description="Survey answers by what customers "
                                          "said (`heard_via`), over the range's UTC days "
                                          "(all time without a range).")
    shares: dict[str, int] = Field(default_factory=dict, description="Taps on the share "
                                   "page's buttons by channel (UTC days over a range).")
    clicks_per_share: dict[str, float] = Field(
        default_factory=dict, description="Human clicks of a channel per share to it, for "
        "each channel shared: how many friends each WhatsApp share reaches against each "
        "e-mail.")


class AdvocateStats(Stats):
    advocate: str


class KpiQuery(Query):
    start: Day | None = None
    end: Day | None = None


class Kpis(Answer):
    campaign: str
    clicks: int
    unique_visitors: int
    conversions: int
    conversion_value: float
    conversions_by_click: int = Field(0, description="Conversions reported with a click id.")
    conversions_by_code: int = Field(0, description="Conversions reported with a referral "
                                     "code.")
    advocates: int = Field(description="Advocates with a link in the campaign.")
    active_advocates: int = Field(description="Advocates whose link brought a human click.")
    recruited_advocates: int = Field(description="Advocates whose `referred_by` is an "
                                     "advocate of the campaign.")
    converted_advocates: int = Field(0, description="Advocates with at least one "
                                     "conversion (all time).")
    dark_share: float | None = Field(description="dark clicks / clicks")
    referral_rate: float | None = Field(description="active_advocates / advocates")
    conversion_rate: float | None = Field(description="conversions / clicks")
    k_factor: float | None = Field(description="recruited_advocates / advocates")
    cost_per_advocate: float | None = Field(description="cost / advocates")
    earned_media_value: float | None = Field(description="clicks x value_per_click")
    roi: float | None = Field(description="(conversion_value - cost) / cost")
    currency: str


# Clicks ------------------------------------------------------------------------


class ClickQuery(Query):
    campaign: CampaignId
    since: Day | None = Field(None, description="First UTC day of clicks to export.")
    until: Day | None = Field(None, description="Last UTC day, inclusive.")
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,20}-[0-9]{1,20}$",
                               description="From `next_cursor` (JSON only).")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="JSON only; "
                       "CSV streams every click in the range.")


class Click(Answer):
    id: str = Field(description="Stream id; increases with time.")
    ts: dt.datetime
    click_id: str
    code: str
    campaign: str
    advocate: str
    # Literal over the classifier's tuple, as Channel above.
    kind: Literal[KINDS]  # type: ignore[valid-type]
    channel: str | None
    dark: bool | None
    signal: str
    confidence: float
    device: str
    os: str
    browser: str
    referrer_host: str
    country: str = Field(description="ISO 3166-1 alpha-2 of the client's address; "
                         "empty when unknown.")
    network: str = Field(description="Network class of the client's address: hosting, "
                         "cdn, vpn, tor, bot, reserved, unknown or trusted; empty for "
                         "clicks recorded before it was kept.")


class ClickPage(Answer):
    items: list[Click]
    next_cursor: str | None


# Conversions -------------------------------------------------------------------


class ConversionCreate(Request):
    """Attributed by `click_id`, by `campaign` and `advocate`, or by `campaign` and `code`
    (the advocate's referral code): one of the three is required."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"anyOf": [
        {"required": ["click_id"], "properties": {"click_id": {"type": "string"}}},
        {"required": ["campaign", "advocate"], "properties": {
            "campaign": {"type": "string"}, "advocate": {"type": "string"}}},
        {"required": ["campaign", "code"], "properties": {
            "campaign": {"type": "string"}, "code": {"type": "string"}}},
    ]})
    order_id: str = Field(min_length=1, max_length=MAX_ORDER_ID_LENGTH, pattern=NO_CONTROL,
                          description="Your order id; a second report of it changes nothing.")
    value: Amount = 0
    currency: str | None = Field(None, pattern=CURRENCY, description="Must be the "
                                 "campaign's; default it.")
    click_id: str | None = Field(None, pattern=CLICK_ID, description="The click id the "
                                 "destination received (`sclid`).")
    campaign: CampaignId | None = Field(None, description="With `advocate`, when there is "
                                        "no click id.")
    advocate: ExternalId | None = None
    code: str | None = Field(None, min_length=1, max_length=rules.MAX_REFERRAL_CODE_LENGTH,
                             description="With `campaign`: the advocate's referral code as "
                             "the customer typed it (any case; dashes, spaces and O for 0 "
                             "do not matter). A code that is no advocate's in the campaign "
                             "gets 422 naming `code`; the conversion's channel is `code`.")


class ConversionRecord(Answer):
    order_id: str
    campaign: str
    advocate: str
    value: float
    currency: str
    click_id: str | None
    code: str | None = Field(description="The link credited: the click's, or the "
                             "advocate's link in the campaign.")
    ts: dt.datetime
    referral_code: str | None = Field(None, description="The advocate's referral code, "
                                      "when the order was reported with one.")
    channel: str | None = Field(None, description="`code` for an order attributed by "
                                "referral code; otherwise null.")
    id: str = Field(pattern=CONVERSION_ID, description="For `PATCH "
                    "/api/v1/conversions/{id}`.")
    status: ConversionStatus = Field(description="accepted: counted; review: flagged, "
                                     "counted nowhere until accepted; rejected: never "
                                     "counted.")
    flags: list[FraudFlag] = Field(description="The risk flags raised (see the README).")
    evidence: ConversionEvidence
    reviewed_by: str | None = Field(description="Who accepted or rejected it: `key:<id>`, "
                                    "the marketer's e-mail, or `cli`.")
    reviewed_at: dt.datetime | None


class Conversion(ConversionRecord):
    created: bool = Field(description="False when the order was reported before.")


class ConversionQuery(Query):
    campaign: CampaignId
    advocate: ExternalId | None = Field(None, description="Only this advocate's conversions.")
    status: ConversionStatus | None = Field(None, description="Only conversions in this "
                                            "status; `review` lists the review queue.")
    since: dt.date | None = Field(None, description="First UTC day recorded.")
    until: dt.date | None = Field(None, description="Last UTC day recorded, inclusive.")
    # Longer than other cursors: it carries an order id (up to 128 characters).
    cursor: str | None = Field(None, pattern=CONVERSION_CURSOR,
                               description="From `next_cursor`.")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ConversionPage(Answer):
    items: list[ConversionRecord]
    next_cursor: str | None = Field(description="Null on the last page. Filtered by "
                                    "advocate, a page may hold fewer items than `limit` "
                                    "(even none) before the last.")
