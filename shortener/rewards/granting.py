"""grant_rewards(): after a conversion counts, create the rewards of the tiers now reached.

Each (campaign, advocate, tier) is granted once: the GRANT_REWARD script
claims it with HSETNX, so conversions counted at the same moment in
different processes, which all see the tier reached, create one reward.
"""

from __future__ import annotations

import secrets
import time

from shortener.db import Client
from shortener.links.models import Campaign
from shortener.rewards import store
from shortener.rewards.models import Reward
from shortener.webhooks import events


def reward_data(reward: Reward) -> dict[str, object]:
    """The reward as the API and webhooks show it."""
    data = reward.to_dict()
    data["created_at"] = events.iso(reward.created_at)
    data["updated_at"] = events.iso(reward.updated_at)
    data["history"] = [{**step, "at": events.iso(step["at"])} for step in reward.history]
    return data


def grant_rewards(r: Client, campaign: Campaign, advocate: str, *,
                  now: float | None = None) -> list[Reward]:
    """Create a pending reward for each tier the advocate's accepted conversions reach."""
    if not campaign.rewards:
        return []
    reached = store.get_accepted_conversions(r, campaign.id, advocate)
    created: list[Reward] = []
    for tier in campaign.rewards:
        if tier["conversions"] > reached:
            break
        reward = Reward(id="rw_" + secrets.token_hex(8), campaign=campaign.id,
                        advocate=advocate, reward=tier["name"],
                        conversions=tier["conversions"], created_at=now or time.time())
        if store.grant_reward(r, reward):
            created.append(reward)
    if created:
        # After the grant, not in its script: the queues live in other slots.
        pipe = r.pipeline(transaction=False)
        for reward in created:
            events.enqueue(r, "reward.created", reward_data(reward), pipe=pipe)
        pipe.execute()
    return created


def next_tier(campaign: Campaign, conversions: int) -> dict[str, object] | None:
    """The first tier the advocate has not reached, with how many conversions are missing."""
    for tier in campaign.rewards:
        if tier["conversions"] > conversions:
            return {**tier, "missing": tier["conversions"] - conversions}
    return None
