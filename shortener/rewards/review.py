"""Move a reward's status, list rewards, and export approved ones for payout."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

from shortener.db import Client
from shortener.errors import Conflict, InvalidInput, NotFound
from shortener.links import store as catalogue
from shortener.rewards import store
from shortener.rewards.granting import reward_data
from shortener.rewards.models import MOVES, STATUSES, Reward
from shortener.webhooks import events

EXPORT_COLUMNS = ("id", "campaign", "advocate", "name", "contact", "reward", "conversions",
                  "created_at", "approved_at", "approved_by")


class RewardNotFound(NotFound):
    code = "reward-not-found"


def get_reward(r: Client, reward_id: str) -> Reward:
    reward = store.get_reward(r, reward_id)
    if reward is None:
        raise RewardNotFound(f"reward {reward_id!r} does not exist", field="reward_id")
    return reward


def set_reward_status(r: Client, reward_id: str, status: object, *, by: str,
                      now: float | None = None) -> Reward:
    """pending -> approved -> paid, or -> rejected; records who and when.

    Raises RewardNotFound, InvalidInput naming ``status`` for an unknown
    status or a move the current one does not allow, Conflict when another
    change came first.
    """
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    reward = get_reward(r, reward_id)
    if status == reward.status:
        return reward
    if status not in MOVES[reward.status]:
        allowed = " or ".join(MOVES[reward.status]) or "nothing: it is final"
        raise InvalidInput(f"a {reward.status} reward can move to {allowed}", field="status")
    now = now or time.time()
    changed = dataclasses.replace(reward, status=str(status), updated_at=now, updated_by=by,
                                  history=[*reward.history,
                                           {"status": status, "by": by, "at": now}])
    if store.save_status(r, changed, was=reward.status) != 1:
        raise Conflict("the reward was changed at the same moment; read it and try again",
                       field="status")
    pipe = r.pipeline(transaction=False)
    events.enqueue(r, "reward.updated", reward_data(changed), pipe=pipe, now=now)
    pipe.execute()
    return changed


def list_rewards(r: Client, *, campaign_id: str | None = None, advocate: str | None = None,
                 status: str | None = None, after: store.Position | None = None,
                 limit: int = 100) -> tuple[list[Reward], store.Position | None]:
    """A page of rewards, oldest first, and where the next one starts."""
    found: list[Reward] = []
    while True:
        ids, after = store.page_reward_ids(r, campaign_id=campaign_id, after=after,
                                           limit=limit - len(found))
        found += [reward for reward in store.get_rewards(r, ids)
                  if (advocate is None or reward.advocate == advocate)
                  and (status is None or reward.status == status)]
        if after is None or len(found) >= limit:
            return found, after


def list_rewards_before(r: Client, *, before: store.Position, campaign_id: str | None = None,
                        advocate: str | None = None, status: str | None = None,
                        limit: int = 100) -> tuple[list[Reward], store.Position | None]:
    """The page of rewards just before ``before``, oldest first, and the position to go
    back from next (None when nothing is before it)."""
    found: list[Reward] = []
    earlier: store.Position | None = before
    while earlier is not None and len(found) < limit:
        ids, earlier = store.page_reward_ids_before(r, campaign_id=campaign_id, before=earlier,
                                                    limit=limit - len(found))
        found = [reward for reward in store.get_rewards(r, ids)
                 if (advocate is None or reward.advocate == advocate)
                 and (status is None or reward.status == status)] + found
    return found, earlier


def iter_approved(r: Client, campaign_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Approved rewards as payout rows, with the advocate's name and contact."""
    after: store.Position | None = None
    while True:
        page, after = list_rewards(r, campaign_id=campaign_id, status="approved", after=after,
                                   limit=500)
        advocates = {advocate.external_id: advocate for advocate in
                     catalogue.get_advocates(r, {reward.advocate for reward in page})}
        for reward in page:
            person = advocates.get(reward.advocate)
            approval = reward.approved() or {}
            yield {
                "id": reward.id, "campaign": reward.campaign, "advocate": reward.advocate,
                "name": person.name if person else None,
                "contact": person.contact if person else None,
                "reward": reward.reward, "conversions": reward.conversions,
                "created_at": events.iso(reward.created_at),
                "approved_at": events.iso(approval.get("at")),
                "approved_by": approval.get("by"),
            }
        if after is None:
            return


def advocate_rewards(r: Client, campaign_id: str, advocate: str) -> list[Reward]:
    """An advocate's rewards in one campaign, rejected ones left out (for the share page)."""
    found, _ = list_rewards(r, campaign_id=campaign_id, advocate=advocate, limit=1000)
    return [reward for reward in found if reward.status != "rejected"]
