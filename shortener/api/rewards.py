"""/api/v1/rewards: list rewards, and approve, reject or mark them paid."""

from __future__ import annotations

from typing import Any

from flask import g, request

from shortener.api import bp
from shortener.api import reward_schemas as schemas
from shortener.api.openapi import responses, spec
from shortener.api.render import decode_cursor, encode_cursor
from shortener.db import get_redis
from shortener.rewards.granting import reward_data
from shortener.rewards.review import list_rewards, set_reward_status

TAGS = ["rewards"]


@bp.get("/rewards")
@spec.validate(query=schemas.RewardQuery, resp=responses(200, schemas.RewardPage, 422),
               tags=TAGS)
def reward_list() -> dict[str, Any]:
    """List rewards oldest first; by campaign, advocate and status."""
    query: schemas.RewardQuery = request.context.query  # type: ignore[attr-defined]
    found, after = list_rewards(get_redis(), campaign_id=query.campaign,
                                advocate=query.advocate, status=query.status,
                                after=decode_cursor(query.cursor), limit=query.limit)
    return {"items": [reward_data(reward) for reward in found],
            "next_cursor": encode_cursor(after)}


@bp.patch("/rewards/<reward_id>")
@spec.validate(json=schemas.RewardUpdate,
               resp=responses(200, schemas.Reward, 403, 404, 409, 422), tags=TAGS)
def reward_change(reward_id: str) -> dict[str, Any]:
    """Approve, reject or mark paid a reward; the key that did it and when are recorded."""
    body: schemas.RewardUpdate = request.context.json  # type: ignore[attr-defined]
    changed = set_reward_status(get_redis(), reward_id, body.status,
                                by=f"key:{g.api_caller.key_id}")
    return reward_data(changed)
