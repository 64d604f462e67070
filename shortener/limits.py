"""The one Flask-Limiter instance, with its counters in the service's Redis.

The API limits per key; other parts (the dashboard's login) can reuse
``limiter`` with their own ``key_func``. Storage follows REDIS_URL: the
embedded server's unix socket, a plain Redis URL, or a Redis Cluster.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from shortener.config import Settings

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def storage_uri(settings: Settings) -> str:
    """REDIS_URL in the spelling the ``limits`` package understands."""
    url = settings.redis_url
    if not url:
        return f"redis+unix://{settings.redis_socket}"
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    if url.startswith("rediss+cluster://"):
        return "redis+cluster://" + url.removeprefix("rediss+cluster://")
    return url


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        RATELIMIT_STORAGE_URI=storage_uri(settings),
        RATELIMIT_HEADERS_ENABLED=True,
        # A Redis hiccup must not turn every request into an error: let it through.
        RATELIMIT_SWALLOW_ERRORS=True,
        # Without a hash tag, so that a cluster spreads the counters over its slots.
        RATELIMIT_KEY_PREFIX="sh-limits",
        RATELIMIT_STORAGE_OPTIONS=(
            {"ssl": True} if settings.redis_url.startswith("rediss+cluster://") else {}
        ),
    )
    limiter.init_app(app)
