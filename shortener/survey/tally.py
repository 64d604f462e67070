"""The running count of friend answers whose order a click or a referral code brought.

The survey panel's estimate ("a friend, without a click or code") is the
friend answers less these; counting them as they happen keeps the page's
cost the same however many answers there are. An answer and its order's
conversion arrive in either order, so both sides note the order once the
other is there (note_order); the count takes each order once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from shortener import keys, scripts
from shortener.clicks.conversions import CODE_CHANNEL, Conversion
from shortener.db import Client
from shortener.survey import store
from shortener.survey.choices import FRIEND_ANSWERS
from shortener.survey.models import SurveyAnswer

ALL = "all"


def is_by_referral_code(conversion: Conversion) -> bool:
    """Whether the conversion was attributed by a referral code (and no click)."""
    return conversion.channel == CODE_CHANNEL


def is_measured(conversion: Conversion | None, answer: SurveyAnswer) -> bool:
    """Whether a click or a code brought the order, before the answer said anything."""
    if conversion is None:
        return False
    if conversion.click_id:
        return True
    return is_by_referral_code(conversion) and not answer.attributed


def note_order(r: Client, campaign_id: str, order_id: str) -> bool:
    """Count the order's friend answer as measured if its conversion makes it so and it
    is not counted yet; True when counted now. Call after storing either side."""
    answer = store.get_answer(r, campaign_id, order_id)
    if answer is None or answer.heard_via not in FRIEND_ANSWERS:
        return False
    text = r.hget(keys.campaign_orders(campaign_id), order_id)
    if text is None or not is_measured(Conversion.from_json(text), answer):
        return False
    day = time.strftime("%Y%m%d", time.gmtime(answer.ts))
    return bool(r.register_script(scripts.COUNT_MEASURED_ANSWER)(
        keys=[keys.survey_measured_orders(campaign_id), keys.survey_measured(campaign_id)],
        args=[order_id, day]))


def get_measured(r: Client, campaign_id: str, days: Sequence[str] | None = None) -> int:
    """Friend answers whose order a click or code brought: over all time, or over the
    answers given on the given UTC days."""
    if days is None:
        return int(r.hget(keys.survey_measured(campaign_id), ALL) or 0)
    if not days:
        return 0
    return sum(int(count or 0) for count in r.hmget(keys.survey_measured(campaign_id),
                                                     list(days)))
