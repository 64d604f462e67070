"""The rewards page: review (approve, reject, mark paid) and the payout export of approved ones.

Rewards are shown REWARDS_PER_PAGE at a time, oldest first, with links to the
next and previous pages that keep the filters: ``after`` or ``before`` name a
reward's position (creation time and id).
"""

from __future__ import annotations

import math
import re
import time
from typing import Any
from urllib.parse import urlencode

from flask import flash, g, redirect, render_template, request, url_for

from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import RewardReviewForm
from shortener.dashboard.tables import Column, Table, csv_response
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import ShortenerError
from shortener.links import store as catalogue
from shortener.rewards.models import MOVES, STATUSES
from shortener.rewards.review import (
    EXPORT_COLUMNS,
    iter_approved,
    list_rewards,
    list_rewards_before,
    set_reward_status,
)
from shortener.rewards.store import Position

REWARDS_PER_PAGE = 50
REWARD_ID = re.compile(r"rw_[0-9a-f]{16}")
ACTIONS = {"approved": "Approve", "rejected": "Reject", "paid": "Mark paid"}


@bp.get("/rewards")
@login_required
def rewards() -> Any:
    r = get_redis()
    campaign_id = request.args.get("campaign") or None
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    after, before = _position("after"), _position("before")
    earlier: Position | None
    later: Position | None
    if before is not None:
        found, earlier = list_rewards_before(r, before=before, campaign_id=campaign_id,
                                             status=status, limit=REWARDS_PER_PAGE)
        later = (found[-1].created_at, found[-1].id) if found else before
    else:
        found, later = list_rewards(r, campaign_id=campaign_id, status=status, after=after,
                                    limit=REWARDS_PER_PAGE)
        earlier = (found[0].created_at, found[0].id) if found and after is not None else None
    kept = {name: value for name, value in (("campaign", campaign_id), ("status", status))
            if value}
    pager = {"previous": _href(kept, "before", earlier), "next": _href(kept, "after", later)}
    campaigns = {campaign.id: campaign for campaign in
                 catalogue.get_campaigns(r, catalogue.list_campaign_ids(r))}
    rows = [{"reward": reward, "campaign": campaigns.get(reward.campaign),
             "created": time.strftime("%Y-%m-%d %H:%M", time.gmtime(reward.created_at)),
             "actions": [(move, ACTIONS[move]) for move in MOVES[reward.status]]}
            for reward in found]
    here = {**kept, **{name: request.args[name] for name in ("after", "before")
                       if request.args.get(name)}}
    return render_template("dashboard/rewards.html", rows=rows, campaigns=campaigns, here=here,
                           campaign_id=campaign_id, status=status, statuses=STATUSES,
                           form=RewardReviewForm(), pager=pager)


def _position(name: str) -> Position | None:
    """``after`` or ``before`` as (creation time, reward id); a malformed one is ignored."""
    value = request.args.get(name)
    if not value:
        return None
    score, _, reward_id = value.partition("~")
    try:
        when = float(score)
    except ValueError:
        when = math.nan
    if not math.isfinite(when) or not REWARD_ID.fullmatch(reward_id):
        flash(f"{name} is not a page of this list; showing the first page", "error")
        return None
    return when, reward_id


def _href(kept: dict[str, str], name: str, position: Position | None) -> str | None:
    if position is None:
        return None
    return "?" + urlencode({**kept, name: f"{position[0]!r}~{position[1]}"}) + "#rewards"


@bp.post("/rewards/<reward_id>")
@login_required
def review_reward(reward_id: str) -> Any:
    form = RewardReviewForm()
    kept: dict[str, Any] = {name: value for name, value in request.args.items()
                            if name in {"campaign", "status", "after", "before"}}
    back = url_for("dashboard.rewards", **kept)
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return redirect(back), 303
    try:
        changed = _set(reward_id, form.status.data or "")
    except ShortenerError as exc:
        flash(exc.message, "error")
    else:
        flash(f"“{changed.reward}” for {changed.advocate}: {changed.status}.", "success")
    return redirect(back), 303


def _set(reward_id: str, status: str) -> Any:
    return set_reward_status(get_redis(), reward_id, status, by=g.user.email)


@bp.get("/rewards.csv")
@login_required
def rewards_export() -> Any:
    """Approved rewards for payout: who, what, and who approved it when."""
    campaign_id = request.args.get("campaign") or None
    table = Table("payout", "Approved rewards",
                  [Column(name, name) for name in EXPORT_COLUMNS],
                  rows=list(iter_approved(get_redis(), campaign_id)))
    return csv_response(table, f"rewards-approved{'-' + campaign_id if campaign_id else ''}.csv")
