"""shortener: short, tracked links per advocate and campaign, with dark-social tracking."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from shortener import db
from shortener.config import Settings
from shortener.instance import load_secrets
from shortener.logs import configure_logging
from shortener.migrations import upgrade


def _find_root() -> Path:
    """The folder holding templates/ and static/: the checkout, or the working directory
    when the package is installed elsewhere (the Docker image)."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "templates").is_dir() else Path.cwd()


ROOT = _find_root()
MAX_REQUEST_BYTES = 2 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, Redis, secrets, blueprints, error handlers."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    db.init_app(app, settings)
    settings = dataclasses.replace(settings, secrets=load_secrets(db.connection(app)))
    # Data written by an earlier version is upgraded before anything reads it.
    upgrade(db.connection(app))
    app.extensions["settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secrets["session_key"],
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )

    from shortener import api, dashboard, limits
    from shortener.clicks import recording
    from shortener.web import headers, health, home, metrics, redirect, share
    from shortener.web import survey as survey_pages
    from shortener.web.errors import register_error_handlers
    from shortener.web.sessions import SessionInterface
    from shortener.webhooks import delivery

    app.session_interface = SessionInterface()

    limits.init_app(app, settings)
    recording.init_app(app, settings, db.connection(app))
    delivery.init_app(app, settings, db.connection(app))
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(share.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(survey_pages.bp)
    dashboard.init_app(app)
    api.init_app(app)
    redirect.init_app(app, settings)
    register_error_handlers(app)
    headers.init_app(app)
    # Outermost, so that every layer below (the short-link middleware too) sees
    # the client's address rather than the proxy's.
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        # Flask types wsgi_app as a method; replacing it is how Flask adds middleware.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
