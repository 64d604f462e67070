"""Erasure and retention of what customers typed into the survey.

Free text is personal data: the customer's own words, often a friend's name.
An advocate's erasure (links/advocates.erase_personal_data) drops the text
of every answer that concerns them: answers whose code was theirs (which
also take their new opaque id), answers joined to an order attributed to
them, and answers whose text names them (their name or contact, in any
case). A customer's own request is met per order (erase_answer_text).
Counts by channel stay, as every count does.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable

from shortener.db import Client
from shortener.survey import store
from shortener.survey.models import SurveyAnswer

# Names shorter than this are not searched for in texts: "Al" would match half of them.
MIN_NAME_LENGTH = 3


def _mentions(text: str | None, names: list[str]) -> bool:
    folded = (text or "").casefold()
    return any(name in folded for name in names)


def erase_advocate_answers(r: Client, campaign_ids: Iterable[str], *, old: str, new: str,
                           personal: Iterable[str | None] = ()) -> int:
    """Drop the text of the campaigns' answers that concern the advocate, and give the
    answers that named their code the new id; returns how many answers changed."""
    names = [value.strip().casefold() for value in personal
             if value and len(value.strip()) >= MIN_NAME_LENGTH]
    changed = 0
    for campaign_id in sorted(set(campaign_ids)):
        for chunk in store.iter_answers(r, campaign_id):
            owners = store.get_order_advocates(r, campaign_id,
                                               [answer.order_id for answer in chunk])
            for answer, owner in zip(chunk, owners, strict=True):
                if answer.advocate not in (old, new) and owner not in (old, new) \
                        and not _mentions(answer.text, names):
                    continue

                def erase(stored: SurveyAnswer) -> SurveyAnswer:
                    advocate = new if stored.advocate == old else stored.advocate
                    return dataclasses.replace(stored, advocate=advocate, text=None)

                store.change_answer(r, campaign_id, answer.order_id, erase)
                changed += 1
    return changed


def erase_answer_text(r: Client, campaign_id: str, order_id: str) -> SurveyAnswer | None:
    """Drop the text of one order's answer (the customer's request); None if none."""
    return store.change_answer(r, campaign_id, order_id, store.drop_text)


def trim_survey_texts(r: Client, campaign_ids: Iterable[str], *, retention_days: int,
                      now: float | None = None) -> int:
    """Drop free text older than the retention window from these campaigns' answers."""
    cutoff = (now or time.time()) - retention_days * 86400
    return sum(store.drop_texts_before(r, campaign_id, cutoff) for campaign_id in campaign_ids)
