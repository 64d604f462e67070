"""GET /<code>: resolve, classify, build, answer 302 no-store, then record.

The hot path. A link clicked lately resolves from the process's LinkCache
(no Redis round trip), and the click goes to the click writer, which spools
it and applies it in a batch off the request: a click costs Redis nothing
on the request unless the link has max clicks (an exact Lua claim). The
redirect must not fail because analytics did: with Redis gone, cached links
still answer 302 and their clicks wait in the spool; other codes get a 503.
"""

from __future__ import annotations

import base64
import logging
import os
import random
import time

from flask import Blueprint, Flask, Response, current_app, redirect, request

from shortener.classify import classify
from shortener.clicks.recording import (
    Click,
    claim_click,
    get_writer,
    record_click,
    record_throttled,
    should_count,
)
from shortener.clicks.throttling import VisitorLimiter
from shortener.clicks.visitor import Visitor
from shortener.clicks.visitor_hash import get_salt
from shortener.config import Settings, get_settings, parse_rate
from shortener.db import get_redis
from shortener.errors import LinkGone, LinkNotFound, ShortenerError
from shortener.links.codes import is_code_shaped
from shortener.links.destination import build_destination_url
from shortener.links.resolving import LinkCache
from shortener.web import metrics

log = logging.getLogger(__name__)
bp = Blueprint("redirect", __name__)

# A query parameter on the short URL that names the channel it was shared to
# (the share page's buttons add it); it survives apps that drop the referrer.
CHANNEL_PARAM = "ch"


# Click ids name a click; they grant nothing (a conversion needs an API key),
# so they need to be unique, not secret. A generator seeded once from the OS
# spares the hot path a getrandom() system call per click.
_click_tokens = random.Random(os.urandom(32))
# Forked workers must not share a sequence (gunicorn --preload forks after import).
os.register_at_fork(after_in_child=lambda: _click_tokens.seed(os.urandom(32)))


def new_click_token() -> str:
    """12 URL-safe characters (72 random bits)."""
    return base64.urlsafe_b64encode(_click_tokens.getrandbits(72).to_bytes(9, "big")).decode()


class Throttled(ShortenerError):
    status = 429
    code = "too-many-requests"


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["link_cache"] = LinkCache(fresh_seconds=settings.link_cache_seconds)
    rate = parse_rate(settings.redirect_rate_limit)
    app.extensions["redirect_limiter"] = VisitorLimiter(*rate) if rate else None
    app.register_blueprint(bp)


@bp.get("/<code>")
def follow(code: str) -> Response:
    started = time.perf_counter()
    status = 500
    try:
        response = _follow(code)
        status = response.status_code
        return response
    except ShortenerError as exc:
        status = exc.status
        raise
    finally:
        metrics.REDIRECT_SECONDS.labels(str(status)).observe(time.perf_counter() - started)


def _follow(code: str) -> Response:
    if not is_code_shaped(code):
        raise LinkNotFound("there is no link at this address", field="code")
    r = get_redis()
    settings = get_settings()
    now = time.time()
    cache: LinkCache = current_app.extensions["link_cache"]
    resolved = cache.resolve(r, code, now=now)
    link, campaign = resolved.link, resolved.campaign
    day = time.strftime("%Y%m%d", time.gmtime(now))
    visitor = Visitor.from_request(
        request,
        key=settings.secrets["visitor_key"].encode(),
        salt=get_salt(r, day),
    )
    counted = request.method != "HEAD"
    limiter: VisitorLimiter | None = current_app.extensions["redirect_limiter"]
    if counted and limiter is not None and not limiter.allow(visitor.visitor_hash, now=now):
        metrics.THROTTLED.inc()
        record_throttled(get_writer(), code=code, campaign_id=campaign.id,
                         advocate=link.advocate, ts=now)
        raise Throttled("too many clicks from this visitor; try again in a minute",
                        field="code")
    channel_tag = link.channel or visitor.query.get(CHANNEL_PARAM)
    # The preview signal matters only for a click with nothing else to go on.
    recent_preview = None if visitor.referrer or channel_tag else resolved.preview
    classification = classify(
        user_agent=visitor.user_agent,
        referrer=visitor.referrer,
        query=visitor.query,
        channel_tag=channel_tag,
        recent_preview=recent_preview,
    )
    human = should_count(classification)
    if counted and link.max_clicks and human and not claim_click(r, code, link.max_clicks):
        raise LinkGone(f"link {code!r} has reached its click limit", field="code")

    click_id = f"{code}.{new_click_token()}"
    location = build_destination_url(
        campaign,
        link,
        click_id=click_id,
        click_id_param=settings.click_id_param,
        channel=classification.channel if human else None,
    )
    response = redirect(location, code=302)
    response.headers["Cache-Control"] = "no-store"
    if counted:
        if classification.kind == "preview_bot" and classification.channel:
            cache.note_preview(code, classification.channel)
        metrics.CLICKS.labels(classification.kind).inc()
        record_click(get_writer(), Click(
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
