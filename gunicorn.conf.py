"""Production gunicorn settings; `make run` and the Dockerfile use this file.

The master process starts the embedded Redis server (when REDIS_URL is
unset) before the workers fork, supervises it (a server that dies is
started again within a second), announces the service's public URL in
Redis once it listens, and stops the server cleanly when gunicorn exits,
or when it fails to start (a taken port exits without the on_exit hook).
"""

import atexit
import contextlib
import hashlib
import os
import shutil
import sys
import tempfile

from shortener.config import ConfigError, Settings
from shortener.cpus import available_cpus
from shortener.db import EmbeddedServer, connect, start_embedded_server

# A bad setting stops start-up with its message alone, not gunicorn's traceback.
try:
    settings = Settings.from_env()
except ConfigError as exc:
    sys.stderr.write(f"shortener: {exc}\n")
    sys.exit(2)

bind = f"{settings.host}:{settings.port}"
# Chosen by bench/redirect.py on 2 cores: one process per core with 4 threads
# each (gthread) gave the counted redirect 0.90 of the bare 302's throughput,
# against 0.5-0.6 for 3 sync workers (no keep-alive) and 0.72 for gevent,
# whose p99 was ten times worse. "Per core" means the cores this process may
# use: a container's CPU quota, not the host's count.
workers = int(os.environ.get("WEB_CONCURRENCY") or available_cpus())
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
# gunicornc's control socket sits in the data folder, which the service owns
# and can write (its default, ~/.gunicorn, is not writable for a system user
# in a container), and one per data folder, since gunicorn takes over any
# socket already at the path. Too long a path for a unix socket: a short one
# in the temporary folder, named after the data folder.
control_socket = str(settings.data_dir.resolve() / "gunicorn.ctl")
if len(control_socket) > 100:
    _digest = hashlib.sha256(control_socket.encode()).hexdigest()[:16]
    control_socket = os.path.join(tempfile.gettempdir(), f"shortener-gunicorn-{_digest}.ctl")

_embedded: list[EmbeddedServer] = []
_announced: list = []  # the master's Redis client, once it has announced the service

# Each worker writes its metrics here and /metrics sums them. It must be set
# before a worker imports prometheus_client, so it is set at load time.
_metrics_dir = tempfile.mkdtemp(prefix="shortener-metrics-")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", _metrics_dir)


def _fail(message):
    sys.stderr.write(f"shortener: {message}\n")
    sys.exit(2)


def on_starting(server):
    if not settings.redis_url:
        try:
            embedded = start_embedded_server(settings.data_dir)
        except ConfigError as exc:
            _fail(exc)
        _embedded.append(embedded)
        atexit.register(embedded.stop)
        embedded.supervise()


def when_ready(server):
    from redis.exceptions import RedisError

    from shortener.accounts.users import count_users
    from shortener.service import announce_service

    try:
        r = connect(settings)
        announce_service(r, settings)
        _announced.append(r)
        has_users = count_users(r) > 0
    except (RedisError, ConfigError) as exc:
        server.log.warning("could not announce the service in Redis: %s", exc)
        return
    if not has_users:
        # Plain lines for whoever just typed `make run`, not a log record.
        sys.stderr.write(next_steps(settings.public_url))


def next_steps(public_url):
    return (
        f"\nshortener is serving on {public_url}. No dashboard user exists yet. Next steps:\n"
        "  1. Create the first user (an admin); the password is printed once:\n"
        "       .venv/bin/shortener user create --email you@example.com --role admin\n"
        "     (in a container: docker exec -it <container> shortener user create ...)\n"
        f"  2. Sign in at {public_url}/login and open {public_url}/dashboard/\n\n"
    )


def post_worker_init(worker):
    # Replays what a dead worker left in the spool without waiting for a click.
    from shortener.clicks.batching import start_writers

    start_writers()
    # Reads the newest links into the redirect's cache without waiting for a click.
    from shortener.links.resolving import start_warm_ups

    start_warm_ups()
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
    from redis.exceptions import RedisError

    from shortener.service import withdraw_service

    for r in _announced:
        # Redis gone first: the announcement stays; `shortener status` probes it.
        with contextlib.suppress(RedisError):
            withdraw_service(r)
    for embedded in _embedded:
        embedded.stop()
    shutil.rmtree(_metrics_dir, ignore_errors=True)
