"""The one Flask-Limiter instance, its counters kept in the service's Redis.

Limits are set per route with ``@limiter.limit(...)``; there is no default
limit. The API counts its calls itself once it knows the key (see
``shortener.api.auth``) in the same storage; elsewhere, such as the
dashboard's login, clients are told apart by a keyed hash of their address,
so no IP address is written to Redis, not even inside a counter's key.
Storage follows REDIS_URL: the embedded server's unix socket, a plain Redis
URL, or a Redis Cluster.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter

from shortener.config import Settings, get_settings


def client_key() -> str:
    """A keyed hash of the client address: stable, and not reversible without the secret."""
    key = get_settings().secrets["visitor_key"].encode()[:64]
    address = (request.remote_addr or "").encode()
    return hashlib.blake2b(address, key=key, digest_size=12).hexdigest()


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


# The blueprints whose routes carry Flask-Limiter limits: the login and the
# survey widget's public endpoint. The API counts its calls itself, after
# checking the key (shortener/api/auth.py).
LIMITED_BLUEPRINTS = ("auth", "survey")

# swallow_errors: a Redis hiccup must not turn requests into errors or lock
# marketers out; the request goes on unlimited for that moment.
limiter = Limiter(client_key, headers_enabled=True, swallow_errors=True)


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        RATELIMIT_STORAGE_URI=storage_uri(settings),
        # Without a hash tag, so that a cluster spreads the counters over its slots.
        RATELIMIT_KEY_PREFIX="sh-limits",
        RATELIMIT_STORAGE_OPTIONS=(
            {"ssl": True} if settings.redis_url.startswith("rediss+cluster://") else {}
        ),
    )
    registries: tuple[dict[Any, list[Any]], ...] = (
        app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    existing = [list(registry.get(None, [])) for registry in registries]
    limiter.init_app(app)
    # Flask-Limiter hooks into every request of the app. Only these blueprints
    # set limits, so its hooks move to them: the redirect, which limits in
    # process (REDIRECT_RATE_LIMIT), and the pages skip that work entirely.
    for registry, kept in zip(registries, existing, strict=True):
        added = [hook for hook in registry.get(None, []) if hook not in kept]
        registry[None] = kept
        for blueprint in LIMITED_BLUEPRINTS:
            registry.setdefault(blueprint, []).extend(added)
