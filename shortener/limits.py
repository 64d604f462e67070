"""The rate limiter (Flask-Limiter), its counters kept in the service's Redis.

Clients are told apart by a keyed hash of their address, so no IP address is
written to Redis, not even inside a rate-limit counter's key. Limits are set
per route with ``@limiter.limit(...)``; there is no default limit.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request
from flask_limiter import Limiter

from shortener.config import Settings, get_settings


def client_key() -> str:
    """A keyed hash of the client address: stable, and not reversible without the secret."""
    key = get_settings().secrets["visitor_key"].encode()[:64]
    address = (request.remote_addr or "").encode()
    return hashlib.blake2b(address, key=key, digest_size=12).hexdigest()


def storage_uri(settings: Settings) -> str:
    """The limits library's URI for the Redis the service uses."""
    url = settings.redis_url
    if not url:
        return f"redis+unix://{settings.redis_socket}"
    if url.startswith("unix://"):
        return "redis+" + url
    if url.startswith("rediss+cluster://"):
        return url.replace("rediss+cluster://", "redis+cluster://", 1)
    return url


# swallow_errors: a Redis hiccup must not lock marketers out; the request goes on.
limiter = Limiter(client_key, swallow_errors=True, strategy="moving-window")


def init_app(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(settings)
    if settings.redis_url.startswith("rediss+cluster://"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"ssl": True}
    limiter.init_app(app)
