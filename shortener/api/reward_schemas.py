"""Request and response bodies of /api/v1/rewards (kept apart from the crowded schemas.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shortener.api.schemas import (
    CURSOR,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Answer,
    CampaignId,
    ExternalId,
    Query,
    Request,
)
from shortener.rewards.models import STATUSES

REWARD_ID = r"^rw_[0-9a-f]{16}$"

Status = Literal[STATUSES]  # type: ignore[valid-type]


class RewardQuery(Query):
    campaign: CampaignId | None = None
    advocate: ExternalId | None = None
    status: Status | None = None
    cursor: str | None = Field(None, pattern=CURSOR, description="From `next_cursor`.")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class RewardUpdate(Request):
    status: Status = Field(description="pending -> approved -> paid; pending or approved "
                           "-> rejected. paid and rejected are final.")


class RewardStep(Answer):
    status: Status
    by: str = Field(description="Who: `key:<id>` for an API key, the marketer's e-mail "
                    "for the dashboard, `cli` for the command line.")
    at: dt.datetime


class Reward(Answer):
    id: str
    campaign: str
    advocate: str
    reward: str = Field(description="The tier's name.")
    conversions: int = Field(description="The tier's conversions.")
    status: Status
    created_at: dt.datetime
    updated_at: dt.datetime | None
    updated_by: str | None
    history: list[RewardStep]


class RewardPage(Answer):
    items: list[Reward]
    next_cursor: str | None
