"""The campaign page's survey panel: what customers said beside what was measured,
the snippet for the shop's thank-you page, and the token's rotation."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_wtf import FlaskForm

from shortener.analytics.queries import days_between
from shortener.analytics.survey import get_survey_figures
from shortener.config import get_settings
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.ranges import DateRange
from shortener.dashboard.views import bp
from shortener.db import Client, get_redis
from shortener.links.campaigns import get_campaign
from shortener.links.models import Campaign
from shortener.survey import embed
from shortener.survey.store import ensure_survey_tokens, rotate_survey_token
from shortener.survey.translations import texts_for

ANSWER_LABELS = texts_for("en")["choices"]


class RotateSurveyTokenForm(FlaskForm):
    """Nothing but the CSRF token: a new token is a POST only this site can send."""


def survey_panel(r: Client, campaign: Campaign, channel_mix: dict[str, int],
                 span: DateRange) -> dict[str, Any]:
    """The panel's figures over the page's range, and the snippets with the current token."""
    public_url = get_settings().public_url
    token = ensure_survey_tokens(r, [campaign.id])[campaign.id]
    return {
        "figures": get_survey_figures(r, campaign.id, channel_mix,
                                      days_between(span.start, span.end)),
        "labels": ANSWER_LABELS,
        "embed": embed.script_snippet(public_url, campaign.id, token),
        "embed_frame": embed.frame_snippet(public_url, campaign.id, token),
        "rotate_form": RotateSurveyTokenForm(),
    }


@bp.post("/campaigns/<campaign_id>/survey-token")
@login_required
def rotate_survey(campaign_id: str) -> Any:
    r = get_redis()
    found = get_campaign(r, campaign_id)
    back = url_for("dashboard.campaign", campaign_id=found.id) + "#survey"
    if not RotateSurveyTokenForm().validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return redirect(back), 303
    rotate_survey_token(r, found.id)
    flash("The survey has a new token: paste the new snippet into the shop's thank-you page; "
          "the old one no longer works.", "success")
    return redirect(back), 303
