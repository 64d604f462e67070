"""The fraud review queue: conversions held for review, with their flags and evidence.

Editors and admins accept or reject them; a viewer sees the queue without
forms (and roles.py refuses a write with 403). The evidence shown is times,
channel and kind; the visitor hashes it was read from never leave Redis.
"""

from __future__ import annotations

import time
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from shortener.api.render import decode_cursor, encode_cursor
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import ConversionReviewForm
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import InvalidInput, ShortenerError
from shortener.fraud.review import count_waiting, list_review, set_conversion_status
from shortener.links import store as catalogue

REVIEW_PAGE_SIZE = 50
FLAG_LABELS = {
    "self_referral": "Self-referral",
    "repeat_visitor": "Repeat visitor",
    "no_human_click": "No human click",
    "burst": "Click burst",
}


def _moment(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts)) if ts is not None else "-"


def describe_evidence(evidence: dict[str, Any]) -> list[str]:
    """The evidence as short sentences for the reviewer."""
    lines = []
    if click := evidence.get("click"):
        lines.append(f"Click {_moment(click['at'])} UTC, {click['kind']}, via {click['channel']}")
    if visit := evidence.get("share_page_visit"):
        lines.append(f"Same visitor opened the advocate's share page {_moment(visit['at'])} UTC")
    if "visitor_conversions" in evidence:
        lines.append(f"{evidence['visitor_conversions']} conversions of this campaign through "
                     "this visitor's clicks that day")
    if "human_clicks" in evidence:
        lines.append("No human click on the advocate's links in this campaign")
    if burst := evidence.get("burst"):
        hour = f" in hour {burst['hour']:02d}:00 UTC" if burst.get("hour") is not None else ""
        lines.append(f"{burst['clicks']} clicks by this visitor on the link{hour} "
                     f"(limit {burst['limit']})")
    return lines


@bp.get("/review")
@login_required
def review_queue() -> Any:
    r = get_redis()
    campaigns = {campaign.id: campaign for campaign in
                 catalogue.get_campaigns(r, catalogue.list_campaign_ids(r))}
    waiting = count_waiting(r, list(campaigns))
    campaign_id = request.args.get("campaign") or None
    if campaign_id not in campaigns:
        # The first campaign with something to review, else the first.
        campaign_id = next((cid for cid, count in waiting.items() if count),
                           next(iter(campaigns), None))
    try:
        after = decode_cursor(request.args.get("after"))
    except InvalidInput:
        after = None
    page = list_review(r, campaign_id, after=after, limit=REVIEW_PAGE_SIZE) \
        if campaign_id else None
    rows = [{"conversion": conversion, "when": _moment(conversion.ts),
             "flags": [FLAG_LABELS.get(flag, flag) for flag in conversion.flags],
             "evidence": describe_evidence(conversion.evidence)}
            for conversion in (page.items if page else [])]
    return render_template(
        "dashboard/review.html", rows=rows, campaigns=campaigns, waiting=waiting,
        campaign_id=campaign_id, total=page.waiting if page else 0,
        next_cursor=encode_cursor(page.next_position) if page else None,
        form=ConversionReviewForm())


@bp.post("/review/<conversion_id>")
@login_required
def review_conversion(conversion_id: str) -> Any:
    form = ConversionReviewForm()
    campaign_id = request.args.get("campaign")
    back = url_for("dashboard.review_queue", campaign=campaign_id) if campaign_id \
        else url_for("dashboard.review_queue")
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return redirect(back), 303
    try:
        changed = set_conversion_status(get_redis(), conversion_id, form.status.data or "",
                                        by=g.user.email)
    except ShortenerError as exc:
        flash(exc.message, "error")
    else:
        flash(f"Order {changed.order_id} of {changed.advocate}: {changed.status}.", "success")
    return redirect(back), 303
