"""The review queue: conversions held for review, and moving their status.

review -> accepted counts the conversion everywhere, once (the campaign's
figures in the same script that changes the status, then the advocate's, the
link's and the programme's), and may reach a reward tier (granted once, by
rewards.granting). review -> rejected changes no figure. A rejected one may
still be accepted (a mistake undone). Accepted is final: its figures,
rewards and webhooks have gone out; a fraud found later is handled by
rejecting the reward it earned.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass

from shortener import keys, scripts
from shortener.clicks import counters
from shortener.clicks.conversions import Conversion, count_conversion, parse_conversion_id
from shortener.db import Client
from shortener.errors import Conflict, InvalidInput, NotFound
from shortener.fraud.rules import MOVES, STATUSES
from shortener.links.campaigns import get_campaign
from shortener.rewards.granting import grant_rewards
from shortener.webhooks import events

# The last entry returned: its score (milliseconds) and order id.
Position = tuple[float, str]


class ConversionNotFound(NotFound):
    code = "conversion-not-found"


@dataclass(frozen=True)
class ReviewPage:
    items: list[Conversion]
    next_position: Position | None
    waiting: int


def get_conversion(r: Client, conversion_id: str) -> Conversion:
    """The conversion a conversion id names; raises ConversionNotFound."""
    named = parse_conversion_id(conversion_id)
    text = r.hget(keys.campaign_orders(named[0]), named[1]) if named else None
    if not text:
        raise ConversionNotFound(f"conversion {conversion_id!r} does not exist",
                                 field="conversion_id")
    return Conversion.from_json(text)


def set_conversion_status(r: Client, conversion_id: str, status: object, *, by: str,
                          now: float | None = None) -> Conversion:
    """Accept or reject a conversion; records who and when.

    Raises ConversionNotFound, InvalidInput naming ``status`` for an unknown
    status or a move the current one does not allow, Conflict when the
    conversion changed and the change asked for no longer applies. The same
    status again (two accepts sent together) answers the conversion as it is.
    """
    if status not in STATUSES or status == "review":
        raise InvalidInput("status must be accepted or rejected", field="status")
    for _ in range(3):
        conversion = get_conversion(r, conversion_id)
        if conversion.status == status:
            return conversion
        if status not in MOVES[conversion.status]:
            allowed = " or ".join(MOVES[conversion.status]) or "nothing: it is final"
            raise InvalidInput(f"a conversion {conversion.status} can move to {allowed}",
                               field="status")
        changed = dataclasses.replace(conversion, status=str(status), reviewed_by=by,
                                      reviewed_at=now or time.time())
        if _save_status(r, conversion, changed):
            break
    else:
        raise Conflict("the conversion was changed at the same moment; read it and try again",
                       field="status")
    pipe = r.pipeline(transaction=False)
    if changed.counted:
        count_conversion(pipe, changed)
    events.enqueue(r, "conversion.updated", events.conversion_data(changed), pipe=pipe,
                   now=changed.reviewed_at)
    pipe.execute()
    if changed.counted:
        grant_rewards(r, get_campaign(r, changed.campaign_id), changed.advocate,
                      now=changed.reviewed_at)
    return changed


def _save_status(r: Client, was: Conversion, changed: Conversion) -> bool:
    """Write the change if the status is still the one read, counting an accepted one in
    the campaign's figures in the same step; False when it moved meanwhile."""
    campaign_id = was.campaign_id
    day = time.strftime("%Y%m%d", time.gmtime(was.ts))
    outcome = r.register_script(scripts.SET_CONVERSION_STATUS)(
        keys=[keys.campaign_orders(campaign_id), keys.campaign_totals(campaign_id),
              keys.campaign_day(campaign_id, day), keys.campaign_conversion_board(campaign_id),
              keys.campaign_review(campaign_id)],
        args=[was.order_id, was.status, json.dumps(changed.to_dict()),
              "1" if changed.counted else "0", changed.value, counters.DAY_TTL_SECONDS,
              changed.advocate],
    )
    if outcome == -1:
        raise ConversionNotFound(f"conversion {was.id!r} does not exist",
                                 field="conversion_id")
    return bool(outcome == 1)


def list_review(r: Client, campaign_id: str, *, after: Position | None = None,
                limit: int = 50) -> ReviewPage:
    """Up to ``limit`` of the campaign's conversions waiting for review, oldest first."""
    key = keys.campaign_review(campaign_id)
    start: float | str = after[0] if after else "-inf"
    ties = int(r.zcount(key, after[0], after[0])) if after else 0
    rows = r.zrangebyscore(key, start, "+inf", start=0, num=limit + 1 + ties, withscores=True)
    if after is not None:
        rows = [(order, score) for order, score in rows
                if score > after[0] or (score == after[0] and order > after[1])]
    more = len(rows) > limit
    rows = rows[:limit]
    texts = r.hmget(keys.campaign_orders(campaign_id), [order for order, _ in rows]) \
        if rows else []
    items = [Conversion.from_json(text) for text in texts if text]
    last = (rows[-1][1], rows[-1][0]) if more and rows else None
    return ReviewPage(items, last, int(r.zcard(key)))


def count_waiting(r: Client, campaign_ids: list[str]) -> dict[str, int]:
    """How many conversions wait for review, per campaign."""
    pipe = r.pipeline(transaction=False)
    for campaign_id in campaign_ids:
        pipe.zcard(keys.campaign_review(campaign_id))
    return dict(zip(campaign_ids, (int(n) for n in pipe.execute()), strict=True)) \
        if campaign_ids else {}
