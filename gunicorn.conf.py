"""Production gunicorn settings; `make run` and the Dockerfile use this file.

The master process starts the embedded Redis server (when REDIS_URL is
unset) before the workers fork, supervises it (a server that dies is
started again within a second), and stops it cleanly when gunicorn exits,
or when it fails to start (a taken port exits without the on_exit hook).
"""

import atexit
import os
import shutil
import tempfile

from shortener.config import Settings
from shortener.db import EmbeddedServer, start_embedded_server

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Chosen by bench/redirect.py on 2 cores: one process per core with 4 threads
# each (gthread) gave the counted redirect 0.90 of the bare 302's throughput,
# against 0.5-0.6 for 3 sync workers (no keep-alive) and 0.72 for gevent,
# whose p99 was ten times worse.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = os.environ.get("WORKER_CLASS", "shortener.web.worker.HeadersFirstWorker")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 10
keepalive = 5
# gunicorn's largest request line, above the API's own limit on the URL
# (shortener/api/auth.py), so that the API answers an over-long URL itself
# with problem JSON; past 8190 bytes gunicorn answers with its HTML page.
limit_request_line = 8190
accesslog = None  # Access logs would hold IP addresses; the app logs what it needs.
# Which proxies to believe about the client's address and scheme is the app's
# TRUSTED_PROXIES (ProxyFix); gunicorn would otherwise take X-Forwarded-Proto
# from any local process and call a plain request https.
forwarded_allow_ips = ""
errorlog = "-"

_embedded: list[EmbeddedServer] = []

# Each worker writes its metrics here and /metrics sums them. It must be set
# before a worker imports prometheus_client, so it is set at load time.
_metrics_dir = tempfile.mkdtemp(prefix="shortener-metrics-")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", _metrics_dir)


def on_starting(server):
    settings = Settings.from_env()
    if not settings.redis_url:
        embedded = start_embedded_server(settings.data_dir)
        _embedded.append(embedded)
        atexit.register(embedded.stop)
        embedded.supervise()


def post_worker_init(worker):
    # Replays what a dead worker left in the spool without waiting for a click.
    from shortener.clicks.batching import start_writers

    start_writers()
    # Sends webhook events; a lease per subscription in Redis keeps one sender each.
    from shortener.webhooks.delivery import start_workers

    start_workers()


def worker_exit(server, worker):
    # Write the last batch before the worker goes; if Redis is down it stays
    # in the spool for the next worker.
    from shortener.clicks.batching import close_writers

    close_writers()
    from shortener.webhooks.delivery import close_workers

    close_workers()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for embedded in _embedded:
        embedded.stop()
    shutil.rmtree(_metrics_dir, ignore_errors=True)
