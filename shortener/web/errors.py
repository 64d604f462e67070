"""One place decides how an error looks: problem JSON for the API, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from shortener.api.errors import error_response
from shortener.errors import ShortenerError

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 410, 413, 429, 500, 503}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def render_error(status: int, code: str, message: str, field: str | None = None) -> Response:
    if wants_json():
        return error_response(status, code, message, field)
    template = f"errors/{status if status in PAGES else 500 if status >= 500 else 400}.html"
    response = Response(render_template(template, status=status, message=message), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ShortenerError)
    def domain_error(exc: ShortenerError) -> Response:
        return render_error(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "-")
        response = render_error(status, code, exc.description or exc.name)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(RedisError)
    def storage_unavailable(exc: RedisError) -> Response:
        log.warning("redis unavailable: %s", type(exc).__name__)
        response = render_error(503, "storage-unavailable",
                                "The service is briefly unavailable; try again in a moment.")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return render_error(500, "internal-error", "Something went wrong on our side.")
