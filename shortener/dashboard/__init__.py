"""The marketer dashboard: sign-in (auth.py), pages (views.py), forms, tables.

Server-rendered over the same domain and analytics functions as the API.
"""

from __future__ import annotations

from flask import Flask

# editing, users and roles add routes and checks to the views blueprint as they
# are imported.
from shortener.dashboard import (  # noqa: F401
    account,
    apikeys,
    auth,
    editing,
    review,
    rewards,
    roles,
    users,
    views,
    webhooks,
)
from shortener.dashboard.formatting import register_filters


def init_app(app: Flask) -> None:
    # The survey panel's routes join the views blueprint before it is registered.
    from shortener.dashboard import survey  # noqa: F401

    app.config["PERMANENT_SESSION_LIFETIME"] = auth.SESSION_MAX_AGE
    # A form's CSRF token lives as long as the session that holds its secret.
    app.config["WTF_CSRF_TIME_LIMIT"] = int(auth.SESSION_MAX_AGE.total_seconds())
    register_filters(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(account.bp)
    roles.init_app(app)
    editing.init_app(app)
