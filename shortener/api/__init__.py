"""The JSON API under /api/v1: thin views over the domain, described by OpenAPI.

Each resource has its module (campaigns, advocates, links, stats, clicks,
conversions); ``auth`` checks keys and bodies before any of them runs;
``schemas`` holds the contract and ``openapi`` publishes it.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    # Importing the modules registers their views on the blueprint, once per process.
    from shortener.api import (  # noqa: F401
        advocates,
        auth,
        campaigns,
        clicks,
        conversions,
        docs,
        links,
        rewards,
        stats,
        survey,
        webhooks,
    )

    app.register_blueprint(bp)
