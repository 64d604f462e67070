"""record_answer(): a customer's "how did you hear about us?", from the widget or a server.

One answer per order and campaign, whoever sends it: the answer is stored
and counted in one script (store.save_answer), so a second answer, or two
at once, changes nothing. Then it meets the conversion with the same order
id, whichever came first: when the customer typed an advocate's referral
code and no conversion of the order has been reported yet, the answer
books the order for that advocate (value 0, attributed by the code), as
a code given at checkout would. An order already reported stays as it was
attributed (by click, code, or the advocate the shop named): the answer
only joins it.

Free text is personal data: capped at MAX_TEXT_LENGTH, stored only when
given, dropped after the retention window (CLICK_RETENTION_DAYS, as raw
click events) and by the erasure of an advocate it concerns. No address,
cookie or device detail is taken from the request.
"""

from __future__ import annotations

import dataclasses
import hmac
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from shortener.clicks.conversions import (
    CODE_CHANNEL,
    MAX_ORDER_ID_LENGTH,
    Conversion,
    record_conversion,
)
from shortener.db import Client
from shortener.errors import Conflict, InvalidInput, ShortenerError
from shortener.links.campaigns import get_campaign
from shortener.links.codes import advocate_for_code
from shortener.survey import store, tally
from shortener.survey.choices import HEARD_VIA, MAX_CODE_LENGTH, MAX_TEXT_LENGTH, is_heard_via
from shortener.survey.models import SurveyAnswer

SOURCES = ("widget", "api")
# An answer trims this many expired texts of its campaign on the way, so
# campaigns that get answers keep within the retention window without cron.
TRIM_PER_ANSWER = 50
MAX_TOKEN_LENGTH = 64


class InvalidSurveyToken(ShortenerError):
    status = 403
    code = "invalid-survey-token"


class OrderAnswered(Conflict):
    """The order has an answer already (the widget's view of a repeat)."""

    code = "survey-answered"


@dataclass(frozen=True)
class RecordedAnswer:
    answer: SurveyAnswer
    created: bool


def check_survey_token(r: Client, campaign_id: str, token: object) -> None:
    """Raise InvalidSurveyToken (403, naming ``token``) unless it is the campaign's token."""
    expected = store.get_survey_token(r, campaign_id)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH \
            or expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise InvalidSurveyToken("token is not this campaign's survey token; copy the "
                                 "snippet from the campaign again", field="token")


def _order_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ORDER_ID_LENGTH \
            or not value.isprintable():
        raise InvalidInput(f"order_id must be 1 to {MAX_ORDER_ID_LENGTH} printable characters",
                           field="order_id")
    return value


def _heard_via(value: object) -> str:
    if not is_heard_via(value):
        raise InvalidInput(f"heard_via must be one of {', '.join(HEARD_VIA)}",
                           field="heard_via")
    assert isinstance(value, str)
    return value


def _text(value: object, field: str) -> str | None:
    """Typed text as stored: None when empty; InvalidInput naming the field when too long."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH or not value.isprintable():
        raise InvalidInput(f"{field} must be at most {MAX_TEXT_LENGTH} printable characters",
                           field=field)
    return value.strip() or None


def _code_owner(r: Client, campaign_id: str, typed: str | None) -> str | None:
    if typed is None or len(typed) > MAX_CODE_LENGTH:
        return None
    return advocate_for_code(r, campaign_id, typed)


def _joined(*parts: str | None) -> str | None:
    text = " / ".join(part for part in parts if part)
    return text[:MAX_TEXT_LENGTH] or None


def record_answer(
    r: Client,
    *,
    click_id_key: bytes,
    campaign_id: object,
    order_id: object,
    heard_via: object,
    referrer: object = None,
    referrer_code: object = None,
    text: object = None,
    source: str,
    retention_days: int,
    now: float | None = None,
) -> RecordedAnswer:
    """Store the order's answer (unless it has one) and join it to the order's conversion.

    The widget sends what the customer typed as ``referrer`` (a name or a
    code: a referral code of the campaign is recognised, anything else is
    kept as text); a server sends ``referrer_code`` and ``text`` apart (a
    code that is not recognised is kept as text too). Raises InvalidInput
    naming the field, CampaignNotFound.
    """
    campaign = get_campaign(r, campaign_id if isinstance(campaign_id, str) else "")
    order = _order_id(order_id)
    channel = _heard_via(heard_via)
    typed = _text(referrer, "referrer")
    code = _text(referrer_code, "referrer_code")
    free = _text(text, "text")
    typed_code = code if code is not None else typed
    advocate = _code_owner(r, campaign.id, typed_code)
    if advocate is not None:
        stored_text = free if code is not None else None
    else:
        stored_text = _joined(code, typed, free)
    now = now or time.time()
    answer = SurveyAnswer(order_id=order, campaign_id=campaign.id, heard_via=channel,
                          source=source, ts=now, advocate=advocate, text=stored_text)
    created, answer = store.save_answer(r, answer)
    # The same answer sent again after its first call failed in storage (a 503 the
    # widget or server retries) finishes what that call left: the booking by code
    # (an order is stored once, so it books at most once) and the running count
    # (an order counts once). It still answers "not created".
    unfinished = not created and not answer.attributed and answer.advocate == advocate
    if created or unfinished:
        if advocate is not None and typed_code is not None and (
                created or store.get_order_conversion(r, campaign.id, order) is None):
            answer = _book_for_code(r, click_id_key, answer, typed_code, now=answer.ts)
        tally.note_order(r, campaign.id, order)
    if created:
        store.drop_texts_before(r, campaign.id, now - retention_days * 86400,
                                limit=TRIM_PER_ANSWER)
    return RecordedAnswer(answer, created)


def _book_for_code(r: Client, click_id_key: bytes, answer: SurveyAnswer, code: str, *,
                   now: float) -> SurveyAnswer:
    """Book the order by the typed code, for its advocate, unless a conversion was
    reported for it: as a code given at checkout (channel ``code``), value 0."""
    # Marked before booking, so that the conversion's own count (survey.tally) sees the
    # order as booked by the answer, not as measured; unmarked if the booking fails.
    marked = _mark_attributed(r, answer, True)
    try:
        recorded = record_conversion(r, click_id_key=click_id_key, order_id=answer.order_id,
                                     campaign_id=answer.campaign_id, referral_code=code,
                                     now=now)
    except ShortenerError:
        # The code's advocate cannot book it (their link was removed from the campaign):
        # the answer stands, joined to whatever the shop reports.
        return _mark_attributed(r, answer, False)
    except RedisError:
        # Storage failed before the order was stored, or after (while counting it):
        # the mark stays only on an order this booking stored. If Redis cannot answer
        # that either, the mark stays and the first error goes up.
        try:
            if not _booked_by_answer(r, answer, now=now):
                _mark_attributed(r, answer, False)
        except RedisError:
            pass
        raise
    if not recorded.created:
        return _mark_attributed(r, answer, False)
    return marked


def _booked_by_answer(r: Client, answer: SurveyAnswer, *, now: float) -> bool:
    """Whether the order's conversion is the one the answer's booking stores (by code,
    value 0, at the answer's time), not one the shop reported."""
    text = store.get_order_conversion(r, answer.campaign_id, answer.order_id)
    if text is None:
        return False
    conversion = Conversion.from_json(text)
    return conversion.channel == CODE_CHANNEL and conversion.value == 0 \
        and conversion.ts == now


def _mark_attributed(r: Client, answer: SurveyAnswer, attributed: bool) -> SurveyAnswer:
    marked = store.change_answer(
        r, answer.campaign_id, answer.order_id,
        lambda stored: dataclasses.replace(stored, attributed=attributed))
    return marked or answer

