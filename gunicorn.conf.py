"""Production gunicorn settings; `make run` and the Dockerfile use this file.

The master process starts the embedded Redis server (when REDIS_URL is
unset) before the workers fork, and stops it cleanly when gunicorn exits.
"""

import os

from shortener.config import Settings
from shortener.db import EmbeddedServer, start_embedded_server

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # Access logs would hold IP addresses; the app logs what it needs.
errorlog = "-"

_embedded: list[EmbeddedServer] = []


def on_starting(server):
    settings = Settings.from_env()
    if not settings.redis_url:
        _embedded.append(start_embedded_server(settings.data_dir))


def on_exit(server):
    for embedded in _embedded:
        embedded.stop()
