"""Survey figures: answers by channel, set beside the measured channel mix.

- get_self_reported(): a campaign's answers by heard_via, over all time or days;
- get_survey_figures(): those, the self-reported and measured mix by group
  (survey/choices.py folds both into the same groups), and the friend
  answers whose order no click or code brought: an estimate of the
  recommendations measurement cannot see;
- get_order_conversion(): the conversion an answer joins (same order id).

An order counts as measured when its conversion came with a click id or
by a referral code given at checkout; a conversion the answer's own code
booked does not count, nor one the shop attributed by naming the advocate.
The estimate reads every answer of the campaign (HSCAN, a chunk of orders
per round trip): it is for the dashboard and the API, not a hot path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from shortener import keys
from shortener.analytics.results import CampaignStats, GroupShare, SurveyFigures
from shortener.clicks.conversions import CODE_CHANNEL, Conversion
from shortener.db import Client
from shortener.survey import store
from shortener.survey.choices import FRIEND_ANSWERS, GROUPS, HEARD_VIA, group_of_channel
from shortener.survey.models import SurveyAnswer


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def get_self_reported(r: Client, campaign_id: str, days: Sequence[str] | None = None
                      ) -> dict[str, int]:
    """Answers by heard_via (every answer named, zero included)."""
    counts = store.get_counts(r, campaign_id, days)
    return {name: counts.get(name, 0) for name in HEARD_VIA}


def with_self_reported(r: Client, campaign_id: str, stats: CampaignStats) -> CampaignStats:
    """A campaign's figures with its answers by heard_via over the same UTC days (all
    time when the figures are all-time)."""
    days = None if stats.by_day is None else [day.day.replace("-", "")
                                               for day in stats.by_day]
    return dataclasses.replace(stats, self_reported=get_self_reported(r, campaign_id, days))


def get_order_conversions(r: Client, campaign_id: str, order_ids: Sequence[str]
                          ) -> list[Conversion | None]:
    if not order_ids:
        return []
    texts = r.hmget(keys.campaign_orders(campaign_id), list(order_ids))
    return [None if text is None else Conversion.from_json(text) for text in texts]


def get_order_conversion(r: Client, campaign_id: str, order_id: str) -> Conversion | None:
    return get_order_conversions(r, campaign_id, [order_id])[0]


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


def _in_days(answer: SurveyAnswer, days: frozenset[str] | None) -> bool:
    if days is None:
        return True
    return dt.datetime.fromtimestamp(answer.ts, dt.UTC).strftime("%Y%m%d") in days


def count_unmeasured_friends(r: Client, campaign_id: str,
                             days: Sequence[str] | None = None) -> tuple[int, int]:
    """(friend answers, those whose order had no click or code), over all time or days."""
    wanted = None if days is None else frozenset(days)
    friends = unmeasured = 0
    for chunk in store.iter_answers(r, campaign_id):
        chosen = [answer for answer in chunk
                  if answer.heard_via in FRIEND_ANSWERS and _in_days(answer, wanted)]
        conversions = get_order_conversions(r, campaign_id,
                                            [answer.order_id for answer in chosen])
        friends += len(chosen)
        unmeasured += sum(not is_measured(conversion, answer)
                          for conversion, answer in zip(conversions, chosen, strict=True))
    return friends, unmeasured


def get_survey_figures(r: Client, campaign_id: str, measured_by_channel: dict[str, int],
                       days: Sequence[str] | None = None) -> SurveyFigures:
    """Answers beside the measured channel mix (human clicks by channel, as the stats
    give it for the same days)."""
    self_reported = get_self_reported(r, campaign_id, days)
    measured = {group: 0 for group in GROUPS}
    for channel, clicks in measured_by_channel.items():
        measured[group_of_channel(channel)] += clicks
    answers, clicks = sum(self_reported.values()), sum(measured.values())
    friends, unmeasured = count_unmeasured_friends(r, campaign_id, days)
    mix = [GroupShare(group, self_reported[group], _share(self_reported[group], answers),
                      measured[group], _share(measured[group], clicks)) for group in GROUPS]
    return SurveyFigures(self_reported=self_reported, answers=answers, friend_answers=friends,
                         friend_unmeasured=unmeasured,
                         unmeasured_friend_share=round(unmeasured / friends, 4)
                         if friends else None, mix=mix)
