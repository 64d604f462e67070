"""Before any API view: the rate limit, the bearer key, and a readable JSON body.

Keys are checked once for the whole blueprint rather than per view, so no
view can forget it; the OpenAPI document and its docs page are the only
public endpoints.
"""

from __future__ import annotations

import hashlib

from flask import Response, g, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from shortener.api import bp
from shortener.api.apikeys import find_caller
from shortener.api.errors import error_response
from shortener.api.scopes import require_scope
from shortener.config import get_settings
from shortener.db import get_redis
from shortener.errors import InvalidInput, ShortenerError
from shortener.limits import client_key, limiter

PUBLIC_ENDPOINTS = frozenset({"api.openapi_document", "api.docs_page"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthorized(ShortenerError):
    status = 401
    code = "unauthorized"


class Forbidden(ShortenerError):
    status = 403
    code = "read-only-key"


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_key() -> str:
    """Per key: the token's digest (no lookup needed); per hashed address without one."""
    token = _bearer_token()
    if token:
        return "key:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "client:" + client_key()


def _api_rate_limit() -> str:
    limit = get_settings().api_rate_limit
    return "1000000/second" if limit == "off" else limit


limiter.limit(_api_rate_limit, key_func=rate_limit_key,
              exempt_when=lambda: get_settings().api_rate_limit == "off")(bp)


@bp.before_request
def require_api_key() -> None:
    """401 without a live key, 403 for a read-only key that writes; then parse the body."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = _bearer_token()
    if token is None:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'",
                           field="Authorization")
    caller = find_caller(get_redis(), token)
    if caller is None:
        raise Unauthorized("the API key is unknown or revoked", field="Authorization")
    if caller.read_only and request.method not in READ_METHODS:
        raise Forbidden("this API key is read-only", field="Authorization")
    g.api_caller = caller
    require_scope(caller)
    if request.method in {"POST", "PUT", "PATCH"} and request.url_rule is not None:
        _require_json_object()


def _require_json_object() -> None:
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    try:
        body = request.get_json()
    except BadRequest:
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")


@bp.errorhandler(Unauthorized)
def challenge(exc: Unauthorized) -> Response:
    """401 with the challenge RFC 9110 asks for, so clients know to send a bearer key."""
    response = error_response(exc.status, exc.code, exc.message, exc.field)
    response.headers["WWW-Authenticate"] = 'Bearer realm="shortener"'
    return response
