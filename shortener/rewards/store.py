"""Save, read, change and page rewards: the only Redis caller in rewards/."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable
from typing import Any

from redis.commands.core import Script

from shortener import keys, scripts
from shortener.db import Client
from shortener.links.store import _page
from shortener.rewards.models import Reward

Position = tuple[float, str]


class _Scripts:
    def __init__(self, r: Client) -> None:
        self.grant: Script = r.register_script(scripts.GRANT_REWARD)
        self.set_status: Script = r.register_script(scripts.SET_REWARD_STATUS)


_registered: weakref.WeakKeyDictionary[Any, _Scripts] = weakref.WeakKeyDictionary()


def _scripts(r: Client) -> _Scripts:
    found = _registered.get(r)
    if found is None:
        found = _registered[r] = _Scripts(r)
    return found


def claim(campaign_id: str, advocate: str, conversions: int) -> str:
    return f"{campaign_id}\t{advocate}\t{conversions}"


def grant_reward(r: Client, reward: Reward) -> bool:
    """Save the reward unless its tier was granted to the advocate before; True if saved."""
    return bool(_scripts(r).grant(
        keys=[keys.reward_claims(), keys.reward_records(), keys.reward_index(),
              keys.reward_campaign_index(reward.campaign)],
        args=[claim(reward.campaign, reward.advocate, reward.conversions), reward.id,
              reward.to_json(), reward.created_at],
    ))


def get_reward(r: Client, reward_id: str) -> Reward | None:
    text = r.hget(keys.reward_records(), reward_id)
    return Reward.from_json(text) if text else None


def get_rewards(r: Client, reward_ids: Iterable[str]) -> list[Reward]:
    ids = list(reward_ids)
    if not ids:
        return []
    return [Reward.from_json(text) for text in r.hmget(keys.reward_records(), ids) if text]


def save_status(r: Client, reward: Reward, *, was: str) -> int:
    """Write the changed reward if its status is still ``was``: 1, else 0 (-1 if gone)."""
    return int(_scripts(r).set_status(keys=[keys.reward_records()],
                                      args=[reward.id, was, reward.to_json()]))


def get_accepted_conversions(r: Client, campaign_id: str, advocate: str) -> int:
    """The advocate's accepted conversions in the campaign (its conversions board)."""
    return int(r.zscore(keys.campaign_conversion_board(campaign_id), advocate) or 0)


def page_reward_ids(r: Client, *, campaign_id: str | None, after: Position | None,
                    limit: int) -> tuple[list[str], Position | None]:
    """Reward ids oldest first, of a campaign or of all.

    No index per advocate: a key named by the external id would have to move
    on erasure, and rewards are few (one per advocate and tier).
    """
    key = keys.reward_campaign_index(campaign_id) if campaign_id else keys.reward_index()
    return _page(r, key, after, limit)


def page_reward_ids_before(r: Client, *, campaign_id: str | None, before: Position,
                          limit: int) -> tuple[list[str], Position | None]:
    """Up to ``limit`` reward ids just before ``before``, oldest first, and the position
    of the first of them when there are more before it (for a "previous" link)."""
    key = keys.reward_campaign_index(campaign_id) if campaign_id else keys.reward_index()
    score, member = before
    # Members that share the cursor's score come first in reverse; fetch past them.
    ties = int(r.zcount(key, score, score))
    rows = r.zrevrangebyscore(key, score, "-inf", start=0, num=limit + 1 + ties,
                              withscores=True)
    rows = [(name, value) for name, value in rows if value < score or name < member]
    more = len(rows) > limit
    rows = rows[:limit][::-1]
    earlier = (float(rows[0][1]), rows[0][0]) if more and rows else None
    return [name for name, _ in rows], earlier


def rename_advocate(r: Client, old: str, new: str) -> None:
    """Give the advocate's rewards and tier claims the erased id; can run again."""
    rename_field = r.register_script(scripts.RENAME_FIELD)
    for field, _ in list(r.hscan_iter(keys.reward_claims(), count=500)):
        campaign_id, advocate, tier = field.split("\t")
        if advocate == old:
            rename_field(keys=[keys.reward_claims()],
                         args=[field, claim(campaign_id, new, int(tier))])
    for reward_id, text in list(r.hscan_iter(keys.reward_records(), count=500)):
        reward = Reward.from_json(text)
        if reward.advocate == old:
            r.hset(keys.reward_records(), reward_id,
                   dataclasses.replace(reward, advocate=new).to_json())
