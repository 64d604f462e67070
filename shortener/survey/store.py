"""The survey in Redis: each campaign's token, its answers and their counts.

The only module of the survey that calls Redis. Writers that change an
answer after it is stored (retention, erasure, attribution) swap the whole
record only if it is unchanged since read (scripts.SWAP_FIELD), so two of
them never undo each other.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence

from shortener import keys, scripts
from shortener.db import Client
from shortener.survey.models import SurveyAnswer

TOKEN_BYTES = 16
SCAN_CHUNK = 500
SWAP_ATTEMPTS = 5


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def get_survey_token(r: Client, campaign_id: str) -> str | None:
    return r.get(keys.survey_token(campaign_id))


def ensure_survey_tokens(r: Client, campaign_ids: Sequence[str]) -> dict[str, str]:
    """Each campaign's survey token, made (once, SET NX) for those that have none yet."""
    if not campaign_ids:
        return {}
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.get(keys.survey_token(campaign_id))
    found = dict(zip(campaign_ids, pipe.execute(), strict=True))
    missing = [campaign_id for campaign_id, token in found.items() if token is None]
    if missing:
        pipe = r.pipeline(transaction=False)
        for campaign_id in missing:
            # Two processes may make one at once; NX keeps the first, and both read it.
            pipe.set(keys.survey_token(campaign_id), new_token(), nx=True)
            pipe.get(keys.survey_token(campaign_id))
        made = pipe.execute()
        found.update(zip(missing, made[1::2], strict=True))
    return {campaign_id: str(token) for campaign_id, token in found.items()}


def rotate_survey_token(r: Client, campaign_id: str) -> str:
    """Give the campaign a new survey token; the old one stops working at once."""
    token = new_token()
    r.set(keys.survey_token(campaign_id), token)
    return token


def save_answer(r: Client, answer: SurveyAnswer) -> tuple[bool, SurveyAnswer]:
    """Store and count the order's answer, unless it has one: (created, the stored answer)."""
    day = time.strftime("%Y%m%d", time.gmtime(answer.ts))
    outcome, stored = r.register_script(scripts.RECORD_SURVEY_ANSWER)(
        keys=[keys.survey_answers(answer.campaign_id), keys.survey_totals(answer.campaign_id),
              keys.survey_days(answer.campaign_id), keys.survey_texts(answer.campaign_id)],
        args=[answer.order_id, answer.to_json(), answer.heard_via,
              f"{day}:{answer.heard_via}", int(answer.ts * 1000), "1" if answer.text else ""],
    )
    outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
    if outcome == "repeat":
        return False, SurveyAnswer.from_json(stored)
    return True, answer


def get_answer(r: Client, campaign_id: str, order_id: str) -> SurveyAnswer | None:
    text = r.hget(keys.survey_answers(campaign_id), order_id)
    return None if text is None else SurveyAnswer.from_json(text)


def has_answer(r: Client, campaign_id: str, order_id: str) -> bool:
    return bool(r.hexists(keys.survey_answers(campaign_id), order_id))


def iter_answers(r: Client, campaign_id: str) -> Iterator[list[SurveyAnswer]]:
    """The campaign's answers, a chunk at a time, in no particular order."""
    chunk: list[SurveyAnswer] = []
    for _order_id, text in r.hscan_iter(keys.survey_answers(campaign_id), count=SCAN_CHUNK):
        chunk.append(SurveyAnswer.from_json(text))
        if len(chunk) == SCAN_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def change_answer(r: Client, campaign_id: str, order_id: str,
                  change: Callable[[SurveyAnswer], SurveyAnswer]) -> SurveyAnswer | None:
    """Apply ``change`` to the stored answer, again if another writer got there first.

    Returns the answer as stored afterwards (None if there is none). The
    answers-with-text index follows: an answer left without text leaves it.
    """
    answers = keys.survey_answers(campaign_id)
    swap = r.register_script(scripts.SWAP_FIELD)
    for _ in range(SWAP_ATTEMPTS):
        before = r.hget(answers, order_id)
        if before is None:
            return None
        changed = change(SurveyAnswer.from_json(before))
        after = changed.to_json()
        if after == before or swap(keys=[answers], args=[order_id, before, after]):
            if changed.text is None:
                r.zrem(keys.survey_texts(campaign_id), order_id)
            return changed
    raise RuntimeError(f"survey answer {order_id!r} kept changing while being written")


def drop_text(answer: SurveyAnswer) -> SurveyAnswer:
    return dataclasses.replace(answer, text=None)


def drop_texts_before(r: Client, campaign_id: str, cutoff: float, *,
                      limit: int | None = None) -> int:
    """Drop the free text of answers given before ``cutoff`` (epoch seconds); how many."""
    order_ids = r.zrangebyscore(keys.survey_texts(campaign_id), "-inf", f"({int(cutoff * 1000)}",
                                start=0 if limit else None, num=limit)
    for order_id in order_ids:
        change_answer(r, campaign_id, order_id, drop_text)
    if order_ids:
        # An order id whose answer is gone (or textless) leaves the index too.
        r.zrem(keys.survey_texts(campaign_id), *order_ids)
    return len(order_ids)


def list_text_order_ids(r: Client, campaign_id: str) -> list[str]:
    """Order ids of the campaign's answers that still hold free text."""
    return list(r.zrange(keys.survey_texts(campaign_id), 0, -1))


def get_counts(r: Client, campaign_id: str, days: Sequence[str] | None = None
               ) -> dict[str, int]:
    """Answers by heard_via: over all time, or summed over the given UTC days."""
    if days is None:
        return {name: int(count) for name, count in
                r.hgetall(keys.survey_totals(campaign_id)).items()}
    wanted = set(days)
    counts: dict[str, int] = {}
    for field, count in r.hgetall(keys.survey_days(campaign_id)).items():
        day, _, name = field.partition(":")
        if day in wanted:
            counts[name] = counts.get(name, 0) + int(count)
    return counts



def get_order_advocates(r: Client, campaign_id: str, order_ids: Sequence[str]
                        ) -> list[str | None]:
    """The advocate each order's conversion is attributed to (None: not reported)."""
    if not order_ids:
        return []
    texts = r.hmget(keys.campaign_orders(campaign_id), list(order_ids))
    return [None if text is None else json.loads(text).get("advocate") for text in texts]


def get_order_conversion(r: Client, campaign_id: str, order_id: str) -> str | None:
    """The order's conversion as stored (JSON, see clicks.conversions), if reported."""
    text = r.hget(keys.campaign_orders(campaign_id), order_id)
    return None if text is None else str(text)
