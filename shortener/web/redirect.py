"""GET /<code>: resolve, classify, build, answer 302 no-store, then record.

The redirect must not fail because analytics did: recording runs inside
one narrow guard that logs and carries on.
"""

from __future__ import annotations

import logging
import secrets
import time

from flask import Blueprint, Response, redirect, request
from redis.exceptions import RedisError

from shortener.classify import classify
from shortener.clicks.recording import (
    Click,
    claim_click,
    get_recent_preview,
    record_click,
    should_count,
)
from shortener.clicks.visitor import Visitor
from shortener.clicks.visitor_hash import get_salt
from shortener.config import get_settings
from shortener.db import Client, get_redis
from shortener.errors import LinkGone, LinkNotFound
from shortener.links.codes import is_code_shaped
from shortener.links.destination import build_destination_url
from shortener.links.resolving import resolve_enabled_link

log = logging.getLogger(__name__)
bp = Blueprint("redirect", __name__)

# A query parameter on the short URL that names the channel it was shared to
# (the share page's buttons add it); it survives apps that drop the referrer.
CHANNEL_PARAM = "ch"


@bp.get("/<code>")
def follow(code: str) -> Response:
    if not is_code_shaped(code):
        raise LinkNotFound("there is no link at this address", field="code")
    r = get_redis()
    settings = get_settings()
    now = time.time()
    link, campaign = resolve_enabled_link(r, code, now=now)
    day = time.strftime("%Y%m%d", time.gmtime(now))
    visitor = Visitor.from_request(
        request,
        key=settings.secrets["visitor_key"].encode(),
        salt=get_salt(r, day),
    )
    channel_tag = link.channel or visitor.query.get(CHANNEL_PARAM)
    classification = classify(
        user_agent=visitor.user_agent,
        referrer=visitor.referrer,
        query=visitor.query,
        channel_tag=channel_tag,
        recent_preview=_recent_preview(r, code, visitor, channel_tag),
    )
    counted = request.method != "HEAD"
    if counted and link.max_clicks and should_count(classification) \
            and not claim_click(r, code, link.max_clicks):
        raise LinkGone(f"link {code!r} has reached its click limit", field="code")

    click_id = f"{code}.{secrets.token_urlsafe(9)}"
    location = build_destination_url(
        campaign,
        link,
        click_id=click_id,
        click_id_param=settings.click_id_param,
        channel=classification.channel if should_count(classification) else None,
    )
    response = redirect(location, code=302)
    response.headers["Cache-Control"] = "no-store"
    if counted:
        _record(r, Click(
            click_id=click_id,
            code=code,
            campaign_id=campaign.id,
            advocate=link.advocate,
            ts=now,
            classification=classification,
            visitor_hash=visitor.visitor_hash,
            referrer_host=visitor.referrer_host,
        ))
    return response


def _recent_preview(r: Client, code: str, visitor: Visitor,
                    channel_tag: str | None) -> str | None:
    """The messenger that previewed this link lately, looked up only when it can matter."""
    if visitor.referrer or channel_tag:
        return None
    try:
        return get_recent_preview(r, code)
    except RedisError:
        return None


def _record(r: Client, click: Click) -> None:
    settings = get_settings()
    try:
        pipe = r.pipeline(transaction=False)
        record_click(r, pipe, click, stream_maxlen=settings.stream_maxlen,
                     preview_window_seconds=settings.preview_window_seconds)
        pipe.execute()
    except RedisError:
        log.exception("click not recorded", extra={"code": click.code})
