"""/api/v1/survey-answers: a customer's "how did you hear about us?", sent server to server.

Also the campaign's survey fields (``survey_embed``, ``survey_embed_frame``)
that the campaign answers carry, and the token's rotation (the campaign's
stats carry ``self_reported``, from analytics/survey.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app

from shortener.analytics.survey import get_order_conversion
from shortener.api import bp, schemas
from shortener.api import survey_schemas as survey
from shortener.api.conversions import conversion_json
from shortener.api.openapi import responses, spec, validated_json
from shortener.api.render import campaign_json, iso
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.links.campaigns import get_campaign
from shortener.links.models import Campaign
from shortener.survey import embed
from shortener.survey.answers import record_answer
from shortener.survey.store import ensure_survey_tokens, rotate_survey_token

TAGS = ["survey"]


def campaigns_json(campaigns: Sequence[Campaign]) -> list[dict[str, Any]]:
    """Campaigns as the API shows them, each with the snippets a shop pastes."""
    tokens = ensure_survey_tokens(get_redis(), [campaign.id for campaign in campaigns])
    public_url = get_settings().public_url
    return [{**campaign_json(campaign),
             "survey_embed": embed.script_snippet(public_url, campaign.id, tokens[campaign.id]),
             "survey_embed_frame": embed.frame_snippet(public_url, campaign.id,
                                                       tokens[campaign.id])}
            for campaign in campaigns]


@bp.post("/survey-answers")
@spec.validate(json=survey.SurveyAnswerCreate,
               resp=responses((200, 201), survey.SurveyAnswer, 404, 422), tags=TAGS)
def survey_answer_report() -> tuple[dict[str, Any], int]:
    """Report what a customer answered to "how did you hear about us?".

    One answer per `order_id` within a campaign: a repeat answers 200 with
    the first answer and counts nothing; a new one answers 201. The answer
    joins the conversion with the same order id, whichever is reported
    first. A `referrer_code` of the campaign, for an order no conversion was
    reported for, books the order for that code's advocate (value 0); an
    order already reported keeps its attribution.
    """
    body: survey.SurveyAnswerCreate = validated_json()
    settings = current_app.extensions["settings"]
    r = get_redis()
    recorded = record_answer(
        r, click_id_key=settings.secrets["click_id_key"].encode(), campaign_id=body.campaign,
        order_id=body.order_id, heard_via=body.heard_via, referrer_code=body.referrer_code,
        text=body.text, source="api", retention_days=settings.click_retention_days)
    answer = recorded.answer
    conversion = get_order_conversion(r, answer.campaign_id, answer.order_id)
    data = answer.to_dict()
    data["campaign"] = data.pop("campaign_id")
    data.update(ts=iso(answer.ts), created=recorded.created,
                # Of the answer returned: a repeat returns the order's first answer.
                code_recognised=answer.advocate is not None,
                conversion=conversion_json(conversion) if conversion else None)
    return data, 201 if recorded.created else 200


@bp.post("/campaigns/<campaign_id>/survey-token")
@spec.validate(json=survey.SurveyTokenRotate, resp=responses(200, schemas.Campaign, 404, 422),
               tags=TAGS)
def survey_token_rotate(campaign_id: str) -> dict[str, Any]:
    """Give the campaign a new survey token; the old one stops working at once.

    The answer carries the new snippets: paste them into the shop's
    thank-you page again.
    """
    r = get_redis()
    campaign = get_campaign(r, campaign_id)
    rotate_survey_token(r, campaign.id)
    return campaigns_json([campaign])[0]
