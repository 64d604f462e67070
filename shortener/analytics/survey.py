"""Survey figures: answers by channel, set beside the measured channel mix.

- get_self_reported(): a campaign's answers by heard_via, over all time or days;
- get_survey_figures(): those, the self-reported and measured mix by group
  (survey/choices.py folds both into the same groups), and the friend
  answers whose order no click or code brought: an estimate of the
  recommendations measurement cannot see;
- get_order_conversion(): the conversion an answer joins (same order id).

An order counts as measured when its conversion came with a click id or
by a referral code given at checkout; a conversion the answer's own code
booked does not count, nor one the shop attributed by naming the advocate
(survey/tally.py). The estimate reads a running count that answers and
conversions keep, so a page costs the same however many answers there are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from shortener import keys
from shortener.analytics.results import CampaignStats, GroupShare, SurveyFigures
from shortener.clicks.conversions import Conversion
from shortener.db import Client
from shortener.survey import store
from shortener.survey.choices import FRIEND_ANSWERS, GROUPS, HEARD_VIA, group_of_channel
from shortener.survey.tally import get_measured


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


def count_unmeasured_friends(r: Client, campaign_id: str,
                             days: Sequence[str] | None = None) -> tuple[int, int]:
    """(friend answers, those whose order had no click or code), over all time or days:
    two reads, however many answers (survey/tally.py keeps the count)."""
    return _unmeasured(get_self_reported(r, campaign_id, days),
                       get_measured(r, campaign_id, days))


def _unmeasured(self_reported: dict[str, int], measured: int) -> tuple[int, int]:
    friends = sum(self_reported[name] for name in FRIEND_ANSWERS)
    return friends, max(friends - measured, 0)


def get_survey_figures(r: Client, campaign_id: str, measured_by_channel: dict[str, int],
                       days: Sequence[str] | None = None) -> SurveyFigures:
    """Answers beside the measured channel mix (human clicks by channel, as the stats
    give it for the same days)."""
    self_reported = get_self_reported(r, campaign_id, days)
    measured = {group: 0 for group in GROUPS}
    for channel, clicks in measured_by_channel.items():
        measured[group_of_channel(channel)] += clicks
    answers, clicks = sum(self_reported.values()), sum(measured.values())
    friends, unmeasured = _unmeasured(self_reported, get_measured(r, campaign_id, days))
    mix = [GroupShare(group, self_reported[group], _share(self_reported[group], answers),
                      measured[group], _share(measured[group], clicks)) for group in GROUPS]
    return SurveyFigures(self_reported=self_reported, answers=answers, friend_answers=friends,
                         friend_unmeasured=unmeasured,
                         unmeasured_friend_share=round(unmeasured / friends, 4)
                         if friends else None, mix=mix)
