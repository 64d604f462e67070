"""Slow clients against the real service: do other visitors' redirects still answer?

    .venv/bin/python bench/slow_clients.py [--slow 200] [--hold 60] [--probes 4]
                                           [--worker-class gthread] [--threads N]
                                           [--workers N]

Starts a real Redis server and the service under gunicorn.conf.py (the
worker settings overridable), opens ``--slow`` connections that send their
headers a line per second and never finish them (slowloris), and for
``--hold`` seconds (each one the server closes is opened again, so
``--slow`` stay open) sends redirects from ``--probes`` ordinary visitors, each
with a 2 s client timeout. Prints how many redirects were sent, how many
answered 302 within 2 s, the p50/p99/max latency, how many slow connections
the server closed (and were opened again), and whether the clicks counted in Redis equal the 302s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench.redirect import BROWSER_UA, free_port, start_gunicorn, start_redis, stop  # noqa: E402
from shortener import create_app  # noqa: E402
from shortener.analytics.queries import get_link_stats  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.links.campaigns import create_campaign  # noqa: E402
from shortener.links.minting import mint_link  # noqa: E402
from tests.serving import SlowClients  # noqa: E402

CLIENT_TIMEOUT_SECONDS = 2.0


def probe(port: int, path: str, until: float, latencies: list[float],
          failures: list[str]) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port,
                                                timeout=CLIENT_TIMEOUT_SECONDS)
        try:
            connection.request("GET", path, headers={"User-Agent": BROWSER_UA})
            response = connection.getresponse()
            response.read()
            if response.status == 302:
                latencies.append(time.monotonic() - started)
            else:
                failures.append(str(response.status))
        except OSError as exc:
            failures.append(type(exc).__name__)
        finally:
            connection.close()
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--hold", type=float, default=60)
    parser.add_argument("--probes", type=int, default=4)
    parser.add_argument("--worker-class")
    parser.add_argument("--threads")
    parser.add_argument("--workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sh-slow-"))
    redis_process, url = start_redis(work)
    app = create_app(Settings(data_dir=work / "app", redis_url=url))
    client = redis.Redis.from_url(url, decode_responses=True)
    campaign = create_campaign(client, name="Slow", destination="https://shop.example/")
    code = mint_link(client, app.extensions["settings"], campaign_id=campaign.id,
                     advocate="alice").link.code
    env = {**os.environ, "REDIS_URL": url, "DATA_DIR": str(work / "serve"),
           "REDIRECT_RATE_LIMIT": "off", "LOG_LEVEL": "ERROR"}
    for name, value in (("WORKER_CLASS", args.worker_class),
                        ("GUNICORN_THREADS", args.threads), ("WEB_CONCURRENCY", args.workers)):
        if value:
            env[name] = value
    port = free_port()
    service = start_gunicorn("app:app", env, port)
    latencies: list[float] = []
    failures: list[str] = []
    try:
        with SlowClients(port, args.slow, path=f"/{code}", reconnect=True) as slow:
            time.sleep(2)  # every slow connection is open and has been read from
            until = time.monotonic() + args.hold
            probes = [threading.Thread(target=probe,
                                       args=(port, f"/{code}", until, latencies, failures))
                      for _ in range(args.probes)]
            for thread in probes:
                thread.start()
            for thread in probes:
                thread.join()
            opened, closed = slow.opened, slow.dropped
        answered = len(latencies)
        deadline = time.monotonic() + 30
        while (counted := get_link_stats(client, code).clicks) != answered \
                and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(service)
        stop(redis_process)
    ordered = sorted(latencies) or [0.0]
    print(f"worker_class={env.get('WORKER_CLASS', 'default')} "
          f"threads={env.get('GUNICORN_THREADS', 'default')} "
          f"workers={env.get('WEB_CONCURRENCY', 'default')}")
    print(f"slow connections: {opened} opened, {closed} closed by the server, "
          f"held {args.hold:.0f} s")
    print(f"redirects sent: {answered + len(failures)}, 302 within "
          f"{CLIENT_TIMEOUT_SECONDS:.0f} s: {answered}, failed: {len(failures)} "
          f"({', '.join(sorted(set(failures))) or 'none'})")
    print(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms, "
          f"p99 {ordered[int(len(ordered) * 0.99) - 1 if len(ordered) > 1 else 0] * 1000:.1f} ms, "
          f"max {ordered[-1] * 1000:.1f} ms")
    print(f"clicks counted: {counted} of {answered} answered")


if __name__ == "__main__":
    main()
