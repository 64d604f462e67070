"""Request and response bodies of /api/v1/survey-answers (kept apart from schemas.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shortener.api.schemas import NO_CONTROL, Answer, CampaignId, ConversionRecord, Request
from shortener.clicks.conversions import MAX_ORDER_ID_LENGTH
from shortener.survey.answers import SOURCES
from shortener.survey.choices import HEARD_VIA, MAX_CODE_LENGTH, MAX_TEXT_LENGTH

# Literal over the domain's tuples, as schemas.Channel: pydantic expands them at run time.
HeardVia = Literal[HEARD_VIA]  # type: ignore[valid-type]
Source = Literal[SOURCES]  # type: ignore[valid-type]

HEARD_VIA_DESCRIPTION = (
    "What the customer answered: a friend via WhatsApp (`friend_whatsapp`), via another "
    "messenger (`friend_messenger`), by e-mail (`friend_email`) or in person "
    "(`friend_in_person`); a social network (`social`); a search engine (`search`); "
    "something else (`other`).")


class SurveyAnswerCreate(Request):
    campaign: CampaignId
    order_id: str = Field(min_length=1, max_length=MAX_ORDER_ID_LENGTH, pattern=NO_CONTROL,
                          description="Your order id: one answer per order; a second "
                          "answer for it changes nothing.")
    heard_via: HeardVia = Field(description=HEARD_VIA_DESCRIPTION)
    referrer_code: str | None = Field(None, max_length=MAX_CODE_LENGTH, pattern=NO_CONTROL,
                                      description="A referral code the customer typed, in "
                                      "any case, with or without dashes. A code of the "
                                      "campaign books an order no conversion was reported "
                                      "for to its advocate; any other text is kept as "
                                      "`text`.")
    text: str | None = Field(None, max_length=MAX_TEXT_LENGTH, pattern=NO_CONTROL,
                             description="Free text (\"who recommended us?\"): personal "
                             "data, kept for the click retention window and erased with "
                             "the advocate it concerns.")


class SurveyTokenRotate(Request):
    """No fields: send `{}` (every API write is a JSON object)."""


class SurveyAnswer(Answer):
    campaign: str
    order_id: str
    heard_via: HeardVia
    source: Source = Field(description="`widget` for the embedded survey, `api` for this "
                           "endpoint.")
    ts: dt.datetime
    advocate: str | None = Field(description="The advocate whose referral code the "
                                 "customer typed; null for none.")
    text: str | None = Field(description="Free text; null once the retention window "
                             "has passed or after erasure.")
    attributed: bool = Field(description="True when this answer's code booked the order "
                             "for the advocate, as no conversion had been reported for it.")
    code_recognised: bool = Field(description="Whether the answer's referrer code was a "
                                  "code of the campaign (false when none was sent); for a "
                                  "repeat, the first answer's, which is returned.")
    created: bool = Field(description="False when the order had an answer already; the "
                          "first answer is returned.")
    conversion: ConversionRecord | None = Field(description="The conversion with the same "
                                                "order id, once reported.")
