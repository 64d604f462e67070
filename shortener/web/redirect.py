"""GET /<code>: resolve, classify, build, answer 302 no-store, then record.

The hot path, answered by the ShortLinks WSGI middleware before Flask's
request machinery runs (the blueprint route serves the same answer for the
paths the middleware leaves to Flask). A link clicked lately resolves from
the process's LinkCache (no Redis round trip), and the click goes to the
click writer, which spools it and applies it in a batch off the request: a
click costs Redis nothing on the request unless the link has max clicks (an
exact Lua claim). The redirect must not fail because analytics did: with Redis gone, cached links
still answer 302 and their clicks wait in the spool; other codes get a 503.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Request, Response, current_app, request
from redis.exceptions import RedisError
from werkzeug.urls import iri_to_uri
from werkzeug.utils import escape, redirect
from werkzeug.wrappers import Response as BaseResponse

from shortener.classify import Classification, classify
from shortener.clicks.batching import ClickWriter
from shortener.clicks.network import NetworkCache, TrustedNetworks
from shortener.clicks.network import warm_up as warm_up_network_lookup
from shortener.clicks.recording import (
    Click,
    claim_click,
    record_click,
    record_throttled,
    should_count,
)
from shortener.clicks.throttling import VisitorLimiter
from shortener.clicks.visitor import Visitor
from shortener.clicks.visitor_hash import get_salt
from shortener.config import Settings, parse_rate
from shortener.errors import LinkGone, LinkNotFound, ShortenerError
from shortener.links.codes import is_code_shaped, is_short_link_path
from shortener.links.destination import build_destination_url, new_click_id
from shortener.links.resolving import LinkCache, warm_up_at_start
from shortener.logs import Every
from shortener.web import metrics
from shortener.web.headers import add_security_headers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
bp = Blueprint("redirect", __name__)

# A query parameter on the short URL that names the channel it was shared to
# (the share page's buttons add it); it survives apps that drop the referrer.
CHANNEL_PARAM = "ch"
RECORDING_LOG_SECONDS = 10.0
_recording_log = Every(RECORDING_LOG_SECONDS)


class Throttled(ShortenerError):
    status = 429
    code = "too-many-requests"


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["link_cache"] = LinkCache(fresh_seconds=settings.link_cache_seconds,
                                             max_entries=settings.link_cache_links,
                                             warmed=metrics.LINK_CACHE_WARMED.set)
    warm_up_at_start(app.extensions["link_cache"], app.extensions["redis"])
    rate = parse_rate(settings.redirect_rate_limit)
    app.extensions["redirect_limiter"] = VisitorLimiter(*rate) if rate else None
    app.extensions["trusted_networks"] = TrustedNetworks.parse(settings.trusted_networks)
    app.extensions["network_cache"] = NetworkCache(app.extensions["trusted_networks"])
    warm_up_network_lookup()
    address_rate = parse_rate(settings.redirect_address_rate_limit)
    app.extensions["address_limiter"] = VisitorLimiter(*address_rate) if address_rate else None
    app.register_blueprint(bp)
    # Flask types wsgi_app as a method; replacing it is Flask's documented way to add middleware.
    app.wsgi_app = ShortLinks(app, app.wsgi_app)  # type: ignore[method-assign]


class ShortLinks:
    """WSGI middleware: answers short links before Flask's request machinery.

    A redirect needs none of what Flask sets up for every request (contexts,
    session, URL matching, hooks), and under load that set-up costs more than
    the redirect itself. Only GET and HEAD on a path that can be a short code
    come here; an error is rendered by the Flask app as usual (its error page
    or problem JSON), and every other request goes straight to Flask.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD") or not is_short_link_path(path):
            return self.wsgi_app(environ, start_response)
        request = self.app.request_class(environ)
        started = time.perf_counter()
        try:
            location = _follow(self.app, request, path[1:])
        except (ShortenerError, RedisError) as exc:
            response = _error_page(self.app, request, exc)
            _observe(response.status_code, started)
            add_security_headers(response, secure=request.is_secure)
            return response(environ, start_response)
        headers, body = _found(location, secure=request.is_secure)
        _observe(302, started)
        start_response("302 FOUND", headers)
        return [] if method == "HEAD" else [body]


# Every header of the 302 but Location and Content-Length is the same for every
# click: made once, by the same code as a Flask redirect's (werkzeug's redirect,
# then add_security_headers), so the two answers cannot drift apart.
def _fixed_headers(*, secure: bool) -> list[tuple[str, str]]:
    template = add_security_headers(redirect("/", code=302), secure=secure)
    template.headers["Cache-Control"] = "no-store"
    return [(name, value) for name, value in template.headers.items()
            if name not in ("Location", "Content-Length")]


_FIXED_HEADERS = {secure: _fixed_headers(secure=secure) for secure in (False, True)}
# What werkzeug's iri_to_uri leaves as it is: a destination normalised by the
# WHATWG rules and our percent-encoded UTM values nearly always are.
_URI_AS_IS = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,/:;=?@#]*")


def _found(location: str, *, secure: bool) -> tuple[list[tuple[str, str]], bytes]:
    """The 302's headers and body, as werkzeug's redirect() would make them."""
    shown = escape(location)
    if not _URI_AS_IS.fullmatch(location):
        location = iri_to_uri(location)
    body = ("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target "
            f'URL: <a href="{shown}">{shown}</a>. If not, click the link.\n').encode()
    return [("Location", location), ("Content-Length", str(len(body))),
            *_FIXED_HEADERS[secure]], body


@functools.cache
def _histogram(status: int) -> Any:
    return metrics.REDIRECT_SECONDS.labels(str(status))


@functools.cache
def _click_counter(kind: str) -> Any:
    return metrics.CLICKS.labels(kind)


def _observe(status: int, started: float) -> None:
    _histogram(status).observe(time.perf_counter() - started)


@bp.get("/<code>")
def follow(code: str) -> BaseResponse:
    """Paths the middleware leaves to Flask (reserved words): the same answer."""
    # werkzeug's LocalProxy is typed as the object it proxies, which hides _get_current_object.
    return _timed(current_app._get_current_object(), request._get_current_object(), code)  # type: ignore[attr-defined]


def _timed(app: Flask, request: Request, code: str) -> BaseResponse:
    started = time.perf_counter()
    response: BaseResponse
    try:
        response = redirect(_follow(app, request, code), code=302,
                            Response=app.response_class)
        response.headers["Cache-Control"] = "no-store"
    except (ShortenerError, RedisError) as exc:
        response = _error_page(app, request, exc)
    _observe(response.status_code, started)
    return response


def _error_page(app: Flask, request: Request, exc: Exception) -> Response:
    """The app's own error rendering, in a request context of its own."""
    with app.request_context(request.environ):
        return app.make_response(app.handle_user_exception(exc))


def _allowed(extensions: dict[str, Any], visitor: Visitor, *, now: float) -> bool:
    """Both limits count every click: per visitor, and the ceiling per address."""
    limiter: VisitorLimiter | None = extensions["redirect_limiter"]
    allowed = limiter is None or limiter.allow(visitor.visitor_hash, now=now)
    ceiling: VisitorLimiter | None = extensions["address_limiter"]
    if ceiling is not None:
        allowed = ceiling.allow(visitor.address_hash, now=now) and allowed
    return allowed


def _follow(app: Flask, request: Request, code: str) -> str:
    """Where the click goes (the 302's location), once it is classified and recorded.

    Raises LinkNotFound, LinkGone or Throttled (rendered as pages), or
    RedisError when the link cannot be read.
    """
    if not is_code_shaped(code):
        raise LinkNotFound("there is no link at this address", field="code")
    extensions = app.extensions
    r = extensions["redis"]
    settings: Settings = extensions["settings"]
    now = time.time()
    cache: LinkCache = extensions["link_cache"]
    resolved = cache.resolve(r, code, now=now)
    link, campaign = resolved.link, resolved.campaign
    day = time.strftime("%Y%m%d", time.gmtime(now))
    key, salt = settings.secrets["visitor_key"].encode(), get_salt(r, day)
    visitor = Visitor.from_request(request, key=key, salt=salt,
                                   networks=extensions["network_cache"])
    counted = request.method != "HEAD"
    writer = extensions["click_writer"]
    if counted and not _allowed(extensions, visitor, now=now):
        metrics.THROTTLED.inc()
        with _recording_guard(code):
            record_throttled(writer, code=code, campaign_id=campaign.id,
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
        network=visitor.network,
        country=visitor.country,
    )
    human = should_count(classification)
    if counted and link.max_clicks and human and not claim_click(r, code, link.max_clicks):
        raise LinkGone(f"link {code!r} has reached its click limit", field="code")

    click_id = new_click_id(code, settings.secrets["click_id_key"].encode(),
                            convertible=counted and human)
    location = build_destination_url(
        campaign,
        link,
        click_id=click_id,
        click_id_param=settings.click_id_param,
        channel=classification.channel if human else None,
    )
    if counted:
        with _recording_guard(code):
            _record(cache, writer, code, classification, settings, Click(
                click_id=click_id,
                code=code,
                campaign_id=campaign.id,
                advocate=link.advocate,
                ts=now,
                classification=classification,
                visitor_hash=visitor.visitor_hash,
                referrer_host=visitor.referrer_host,
            ))
    return location


def _record(cache: LinkCache, writer: ClickWriter, code: str,
            classification: Classification, settings: Settings, click: Click) -> None:
    if classification.kind == "preview_bot" and classification.channel:
        cache.note_preview(code, classification.channel,
                           window_seconds=settings.preview_window_seconds)
    _click_counter(classification.kind).inc()
    record_click(writer, click)


@contextlib.contextmanager
def _recording_guard(code: str) -> Iterator[None]:
    """The one broad catch on the hot path: whatever analytics does, the 302 goes out.

    The failure is counted in recording_failures and logged with its
    traceback, at most once per RECORDING_LOG_SECONDS (with the number held
    back), so a fault that hits every click does not write a line per click.
    """
    try:
        yield
    except Exception:
        metrics.RECORDING_FAILURES.inc()
        if (held := _recording_log.due()) is not None:
            log.exception("click not recorded; the redirect was answered",
                          extra={"code": code, "failures_since_last": held})
