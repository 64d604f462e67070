"""The survey widget a shop embeds in its thank-you page, and the endpoint it posts to.

- ``GET /survey/widget.js``: the script variant. One <script> tag builds the
  form in a shadow root where it stands and posts JSON (CORS, no
  credentials) to the endpoint below; its words come from
  survey/languages, chosen by ``data-lang``.
- ``GET /survey/<campaign>/frame``: the iframe variant, a plain HTML form
  that works without script. Its page may be framed by the campaign's
  allowed hosts (any port), or by any site when the campaign has none.
- ``POST /survey/<campaign>/answers``: public, protected by the campaign's
  survey token and the order id (one answer per order), rate-limited per
  client (SURVEY_RATE_LIMIT, counted under a keyed hash of the address,
  which is not stored). JSON gets JSON (problem details naming the field
  for bad input); the frame's form gets the frame page back.

Browsers may call the endpoint from the campaign's allowed hosts (from any
origin when it has none); CORS headers are sent by this endpoint only. No
cookie is read or set, and nothing of the request but the answer is kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from shortener.api.errors import error_response
from shortener.api.schemas import CAMPAIGN_ID
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.errors import InvalidInput, NotFound, ShortenerError
from shortener.limits import limiter
from shortener.links.campaigns import get_campaign
from shortener.links.destination import host_allowed
from shortener.links.models import Campaign
from shortener.survey.answers import OrderAnswered, check_survey_token, record_answer
from shortener.survey.choices import HEARD_VIA, MAX_TEXT_LENGTH
from shortener.survey.embed import ORDER_PLACEHOLDER
from shortener.survey.translations import all_texts, choose_language, texts_for
from shortener.web.headers import PAGE_POLICY

bp = Blueprint("survey", __name__, url_prefix="/survey")

# A survey answer is a few hundred bytes; the app's 2 MiB cap is for the API's bulk calls.
MAX_ANSWER_BYTES = 4096
WIDGET_SCRIPT = "js/survey-widget.js"
WIDGET_CACHE_SECONDS = 3600
PREFLIGHT_CACHE_SECONDS = 600
JSON_FIELDS = frozenset({"token", "order_id", "heard_via", "referrer", "lang"})


# Who may embed ---------------------------------------------------------------


def frame_ancestors(campaign: Campaign) -> str:
    """The CSP source list of the pages that may frame the survey of this campaign."""
    if not campaign.allowed_hosts:
        return "*"
    sources: list[str] = []
    for host in campaign.allowed_hosts:
        if host.startswith("*."):
            sources.append(f"{host[2:]}:*")
        sources.append(f"{host}:*")
    return " ".join(dict.fromkeys(sources))


def frame_policy(campaign: Campaign | None) -> str:
    ancestors = frame_ancestors(campaign) if campaign is not None else "'none'"
    return PAGE_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def origin_allowed(campaign: Campaign, origin: str | None) -> bool:
    """Whether a browser page at ``origin`` may post answers (no Origin: not a browser's
    cross-site call, and the token still has to match)."""
    if origin is None or not campaign.allowed_hosts:
        return True
    if origin.rstrip("/") == get_settings().public_url.rstrip("/"):
        return True
    try:
        parts = urlsplit(origin)
        hostname = parts.hostname
    except ValueError:  # not a URL (an unclosed IPv6 bracket, a bad port): not allowed
        return False
    return parts.scheme in ("http", "https") and bool(hostname) \
        and host_allowed(hostname or "", campaign.allowed_hosts)


class OriginNotAllowed(ShortenerError):
    status = 403
    code = "origin-not-allowed"


def _is_campaign_id(text: object) -> bool:
    return isinstance(text, str) and re.fullmatch(CAMPAIGN_ID, text) is not None


def _campaign(campaign_id: str) -> Campaign:
    if not _is_campaign_id(campaign_id):
        raise NotFound("there is no survey at this address", field="campaign")
    return get_campaign(get_redis(), campaign_id)


# The script variant ------------------------------------------------------------


@bp.get("/widget.js")
def widget() -> Response:
    """The widget, with every language's words and the choices written in."""
    assert current_app.static_folder is not None
    body = (Path(current_app.static_folder) / WIDGET_SCRIPT).read_text(encoding="utf-8")
    data = {"texts": all_texts(), "choices": list(HEARD_VIA), "maxText": MAX_TEXT_LENGTH}
    script = body.replace("/*SURVEY_DATA*/null", json.dumps(data, ensure_ascii=False))
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_CACHE_SECONDS}"
    # Loaded by the shop's page, from another site: say so for browsers that isolate.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


# The iframe variant -------------------------------------------------------------


def _frame(campaign: Campaign | None, *, language: str, status: int = 200,
           **context: Any) -> Response:
    texts = texts_for(language)
    page = render_template("survey/frame.html", t=texts, lang=choose_language(language),
                           choices=HEARD_VIA, max_text=MAX_TEXT_LENGTH,
                           campaign_id=campaign.id if campaign else "", **context)
    response = Response(page, status)
    response.headers["Content-Security-Policy"] = frame_policy(campaign)
    response.headers["Cache-Control"] = "no-store"
    # Not no-referrer: with it, the form's own POST would say "Origin: null". The
    # order id in this page's address goes to this service alone (its stylesheet, the form).
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/<campaign_id>/frame")
def frame(campaign_id: str) -> Response:
    language = request.args.get("lang", "")
    campaign = _campaign(campaign_id)
    token = request.args.get("token", "")
    order_id = request.args.get("order", "")
    check_survey_token(get_redis(), campaign.id, token)
    return _frame(campaign, language=language, token=token, order_id=order_id)


# The endpoint both post to ------------------------------------------------------


def _wants_json() -> bool:
    return request.is_json or request.method == "OPTIONS"


def _cors(response: Response, campaign: Campaign | None) -> Response:
    origin = request.headers.get("Origin")
    if origin and campaign is not None and origin_allowed(campaign, origin):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response


def _body() -> dict[str, Any]:
    too_large = AnswerTooLarge(f"an answer is at most {MAX_ANSWER_BYTES} bytes")
    if request.content_length is not None and request.content_length > MAX_ANSWER_BYTES:
        raise too_large
    # A chunked body has no length to check first: at most one byte past the cap is
    # read, whatever the framing, and parsed here.
    try:
        raw = request.stream.read(MAX_ANSWER_BYTES + 1)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise too_large
    if request.is_json:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object")
        unknown = sorted(set(body) - JSON_FIELDS)
        if unknown:
            raise InvalidInput(f"{unknown[0]} is not a survey field", field=unknown[0])
        return body
    # The frame's form (application/x-www-form-urlencoded); anything else holds no field.
    form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True) \
        if request.mimetype == "application/x-www-form-urlencoded" else {}
    return {name: form[name][0] for name in JSON_FIELDS if name in form}


class AnswerTooLarge(ShortenerError):
    status = 413
    code = "payload-too-large"


def _limit() -> str:
    return get_settings().survey_rate_limit


def _unlimited() -> bool:
    return request.method != "POST" or get_settings().survey_rate_limit == "off"


@bp.route("/<campaign_id>/answers", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@limiter.limit(_limit, exempt_when=_unlimited)
def answer(campaign_id: str) -> Response:
    campaign = _campaign(campaign_id)
    if request.method == "OPTIONS":
        response = Response(status=204, mimetype="text/plain")
        if origin_allowed(campaign, request.headers.get("Origin")):
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_CACHE_SECONDS)
        return _cors(response, campaign)
    if not origin_allowed(campaign, request.headers.get("Origin")):
        raise OriginNotAllowed("this page's site is not among the campaign's allowed hosts",
                               field="Origin")
    body = _body()
    r = get_redis()
    check_survey_token(r, campaign.id, body.get("token"))
    if body.get("order_id") == ORDER_PLACEHOLDER:
        # A snippet pasted as it came: every customer would answer for one "order".
        raise InvalidInput(f"order_id is still {ORDER_PLACEHOLDER}: the thank-you page must "
                           "put the order id in its place", field="order_id")
    settings = get_settings()
    wanted = body.get("lang")
    language = wanted if isinstance(wanted, str) else ""
    try:
        recorded = record_answer(
            r, click_id_key=settings.secrets["click_id_key"].encode(), campaign_id=campaign.id,
            order_id=body.get("order_id"), heard_via=body.get("heard_via"),
            referrer=body.get("referrer") or None, source="widget",
            retention_days=settings.click_retention_days)
    except InvalidInput as exc:
        if _wants_json():
            raise
        texts = texts_for(language)
        return _frame(campaign, language=language, status=exc.status, token=body.get("token"),
                      order_id=body.get("order_id") or "", chosen=body.get("heard_via"),
                      referrer=body.get("referrer") or "",
                      error=texts["choose"] if exc.field == "heard_via" else exc.message)
    if not recorded.created:
        if _wants_json():
            raise OrderAnswered("this order has an answer already", field="order_id")
        return _frame(campaign, language=language, done=texts_for(language)["answered"])
    if _wants_json():
        data = {"order_id": recorded.answer.order_id, "heard_via": recorded.answer.heard_via,
                "created": True}
        return _cors(Response(json.dumps(data), 201, mimetype="application/json"), campaign)
    return _frame(campaign, language=language, status=201, done=texts_for(language)["thanks"])


@bp.errorhandler(ShortenerError)
def survey_error(exc: ShortenerError) -> Response:
    return _error(exc.status, exc.code, exc.message, exc.field)


@bp.errorhandler(HTTPException)
def survey_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = _error(status, (exc.name or "error").lower().replace(" ", "-"),
                      exc.description or exc.name)
    if status == 429 and exc.get_response().headers.get("Retry-After"):
        response.headers["Retry-After"] = exc.get_response().headers["Retry-After"]
    return response


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    """Problem JSON for the script (readable cross-site), the frame page for the frame."""
    campaign = None
    campaign_id = (request.view_args or {}).get("campaign_id", "")
    if _is_campaign_id(campaign_id):
        try:
            campaign = get_campaign(get_redis(), campaign_id)
        except NotFound:
            campaign = None
    if _wants_json() or request.endpoint == "survey.widget":
        return _cors(error_response(status, code, message, field), campaign)
    language = request.values.get("lang", "")
    texts = texts_for(language)
    shown = texts["too_many"] if status == 429 else texts["failed"] if status >= 500 else message
    return _frame(campaign, language=language, status=status, error=shown, done=None,
                  broken=True)
