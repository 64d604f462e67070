"""The rewards page: review (approve, reject, mark paid) and the payout export of approved ones."""

from __future__ import annotations

import time
from typing import Any

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
    set_reward_status,
)

MAX_REWARD_ROWS = 500
ACTIONS = {"approved": "Approve", "rejected": "Reject", "paid": "Mark paid"}


@bp.get("/rewards")
@login_required
def rewards() -> Any:
    r = get_redis()
    campaign_id = request.args.get("campaign") or None
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    found, _ = list_rewards(r, campaign_id=campaign_id, status=status, limit=MAX_REWARD_ROWS)
    campaigns = {campaign.id: campaign for campaign in
                 catalogue.get_campaigns(r, catalogue.list_campaign_ids(r))}
    rows = [{"reward": reward, "campaign": campaigns.get(reward.campaign),
             "created": time.strftime("%Y-%m-%d %H:%M", time.gmtime(reward.created_at)),
             "actions": [(move, ACTIONS[move]) for move in MOVES[reward.status]]}
            for reward in found]
    return render_template("dashboard/rewards.html", rows=rows, campaigns=campaigns,
                           campaign_id=campaign_id, status=status, statuses=STATUSES,
                           form=RewardReviewForm())


@bp.post("/rewards/<reward_id>")
@login_required
def review_reward(reward_id: str) -> Any:
    form = RewardReviewForm()
    kept: dict[str, Any] = {name: value for name, value in request.args.items()
                            if name in {"campaign", "status"}}
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
