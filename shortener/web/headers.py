"""Security headers on every response, set in one place.

Flask calls ``add_security_headers`` after every request it answers (pages,
error pages, the API, its docs, metrics, health, static files); the
ShortLinks middleware, which answers short links before Flask, calls it
too. A header a view set itself (the share page's stricter policy) stands.
"""

from __future__ import annotations

from typing import TypeVar

from flask import Flask, Response, request
from werkzeug.wrappers import Response as BaseResponse

# Flask's responses and the short-link middleware's plain werkzeug ones alike.
ResponseT = TypeVar("ResponseT", bound=BaseResponse)

# Pages load only their own scripts, styles and images (Swagger UI and
# Chart.js included: both are served from static/ and style through the
# DOM, which style-src does not govern); an injected <script> or a framing
# page gets nothing.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# JSON, CSV, metrics and the redirect load nothing at all.
DOCUMENT_POLICY = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
HSTS_SECONDS = 365 * 86400


def add_security_headers(response: ResponseT, *, secure: bool) -> ResponseT:
    """Add the headers; ``secure`` when the request came over https (as the proxy says)."""
    headers = response.headers
    page = response.mimetype == "text/html"
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if page else DOCUMENT_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # A page that names who may frame it (the survey's frame page) says so in its
    # policy alone: X-Frame-Options cannot name sites.
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    # Not on redirects: on the short link's 302 it would change the referrer
    # the destination receives.
    if page and not 300 <= response.status_code < 400:
        headers.setdefault("Referrer-Policy", "same-origin")
    if secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        return add_security_headers(response, secure=request.is_secure)
