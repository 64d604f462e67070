"""Before any API view: the bearer key, its rate limit, and a readable JSON body.

Keys are checked once for the whole blueprint rather than per view, so no
view can forget it; the OpenAPI document and its docs page are the only
public endpoints. The key is checked before anything is counted: a valid
key's calls count against one limit per key across every endpoint, and
calls without a valid key count against the caller's address (its keyed
hash, never the address), so made-up tokens neither escape the limit nor
leave a counter each behind.
"""

from __future__ import annotations

import math
import re
import time

from flask import Response, g, request
from limits import parse as parse_limit
from redis.exceptions import RedisError
from werkzeug.exceptions import BadRequest, RequestURITooLarge, UnsupportedMediaType

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
# Deeper JSON is refused before it is parsed: json.loads recurses once per
# level, and no body of this API nests more than four.
MAX_JSON_DEPTH = 32
# A string runs to its closing quote or, unterminated, to the end: either way
# each byte is read once.
# Path and query of an API call; the longest real one (a cursor and filters)
# is well under 1 KiB. gunicorn's own limit (limit_request_line, 8190 bytes)
# sits above it, so an over-long URL gets this API's 414 problem JSON, not
# gunicorn's HTML page.
MAX_REQUEST_TARGET = 8000
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\Z)|[\[\]{}]', re.DOTALL)


class Unauthorized(ShortenerError):
    status = 401
    code = "unauthorized"


class Forbidden(ShortenerError):
    status = 403
    code = "read-only-key"


class RateLimited(ShortenerError):
    status = 429
    code = "too-many-requests"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def count_call(limit: str, scope: str, ident: str, *, field: str | None = None) -> None:
    """Count one call against ``limit`` (e.g. "600/minute"); raise RateLimited once over it.

    Like Flask-Limiter's swallow_errors, a Redis failure lets the call through.
    """
    if limit == "off":
        return
    item = parse_limit(limit)
    try:
        if limiter.limiter.hit(item, scope, ident):
            return
        reset, _ = limiter.limiter.get_window_stats(item, scope, ident)
    except RedisError:
        return
    retry_after = max(1, math.ceil(reset - time.time()))
    raise RateLimited(f"too many calls; try again in {retry_after} seconds",
                      retry_after=retry_after, field=field)


@bp.before_request
def require_api_key() -> None:
    """401 without a live key, 403 for a read-only key that writes, 429 over a limit.

    Then the body is parsed (POST, PUT, PATCH).
    """
    if len(request.path) + len(request.query_string) > MAX_REQUEST_TARGET:
        raise RequestURITooLarge(f"the URL is longer than {MAX_REQUEST_TARGET} characters")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = _bearer_token()
    caller = find_caller(get_redis(), token) if token is not None else None
    if caller is None:
        # A client that mistypes its key is told so; a token sprayer gets 429.
        count_call(get_settings().api_failed_key_limit, "api-key-failures", client_key(),
                   field="Authorization")
        if token is None:
            raise Unauthorized("send an API key as 'Authorization: Bearer <key>'",
                               field="Authorization")
        raise Unauthorized("the API key is unknown or revoked", field="Authorization")
    count_call(get_settings().api_rate_limit, "api-key", caller.key_id)
    if caller.read_only and request.method not in READ_METHODS:
        raise Forbidden("this API key is read-only", field="Authorization")
    g.api_caller = caller
    require_scope(caller)
    if request.method in {"POST", "PUT", "PATCH"} and request.url_rule is not None:
        _require_json_object()


def _require_json_object() -> None:
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        raise InvalidInput(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        body = request.get_json()
    except BadRequest:
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text, without parsing it (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        mark = token.group()
        if mark in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif mark in (b"]", b"}"):
            depth -= 1
    return deepest


@bp.errorhandler(RateLimited)
def slow_down(exc: RateLimited) -> Response:
    response = error_response(exc.status, exc.code, exc.message, exc.field)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.errorhandler(Unauthorized)
def challenge(exc: Unauthorized) -> Response:
    """401 with the challenge RFC 9110 asks for, so clients know to send a bearer key."""
    response = error_response(exc.status, exc.code, exc.message, exc.field)
    response.headers["WWW-Authenticate"] = 'Bearer realm="shortener"'
    return response
