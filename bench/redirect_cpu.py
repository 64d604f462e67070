"""CPU time per redirect, one hot link against links drawn at random, in alternating rounds.

    .venv/bin/python bench/redirect_cpu.py [--clicks 3000] [--links 10000] [--rounds 2]
                                           [--cached 500]

Where bench/redirect.py measures throughput, which a machine shared with
other work blurs, this counts CPU time, which it blurs much less: the app
(production settings, rate limits off) answers clicks through its WSGI
stack in this process, against a real Redis server, and the script prints
per click the CPU time of the request thread, of the other threads (the
click writer's flusher) and of the Redis server (INFO cpu). The link cache
holds only --cached links and does not warm up, so that random clicks
among --links mostly miss it, as they do for links beyond LINK_CACHE_LINKS
or minted since the worker started.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench.redirect import BROWSER_UA, seed_links, start_redis, stop  # noqa: E402
from shortener import create_app  # noqa: E402
from shortener.config import Settings  # noqa: E402
from shortener.links.resolving import LinkCache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=3000)
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cached", type=int, default=500)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sh-bench-cpu-"))
    redis_process, redis_url = start_redis(work)
    try:
        codes = seed_links(redis_url, work / "data", options.links)
        app = create_app(Settings(data_dir=work / "data", redis_url=redis_url,
                                  redirect_rate_limit="off", redirect_address_rate_limit="off"))
        # Not warmed up: a click on a link not cached reads it, as one beyond
        # LINK_CACHE_LINKS or minted since the worker started does.
        app.extensions["link_cache"] = LinkCache(
            fresh_seconds=app.extensions["settings"].link_cache_seconds,
            max_entries=options.cached, warm_up=False)
        server = redis.Redis.from_url(redis_url)
        client = app.test_client()

        def redis_cpu() -> float:
            info = server.info("cpu")
            return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])

        def run(pick: list[str], count: int) -> None:
            for _ in range(count):
                response = client.get(f"/{random.choice(pick)}",
                                      headers={"User-Agent": BROWSER_UA},
                                      environ_base={"REMOTE_ADDR": "93.184.216.34"})
                assert response.status_code == 302, response.status_code

        modes = {"hot link": codes[:1], "cold links": codes}
        for pick in modes.values():
            run(pick, 300)  # warm up
        figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in modes}
        for _ in range(options.rounds):
            for name, pick in modes.items():
                time.sleep(0.5)  # the flusher writes what the last round left
                process, thread, server_cpu = time.process_time(), time.thread_time(), \
                    redis_cpu()
                run(pick, options.clicks)
                time.sleep(0.5)
                request = time.thread_time() - thread
                others = time.process_time() - process - request
                figures[name].append((request, others, redis_cpu() - server_cpu))
        app.extensions["click_writer"].close()
        print(f"\nCPU µs per click, {options.clicks} clicks a round, medians of "
              f"{options.rounds} alternating rounds; cold: random among {len(codes)} links, "
              f"{options.cached} cached")
        print(f"{'':14}{'request':>10}{'writer':>10}{'redis':>10}{'total':>10}")
        totals = {}
        for name, rounds in figures.items():
            request, others, server_cpu = (
                sorted(values)[len(values) // 2] * 1e6 / options.clicks
                for values in zip(*rounds, strict=True))
            totals[name] = request + others + server_cpu
            print(f"{name:14}{request:>10.0f}{others:>10.0f}{server_cpu:>10.0f}"
                  f"{totals[name]:>10.0f}")
        print(f"cold/hot CPU per click: {totals['cold links'] / totals['hot link']:.2f}")
    finally:
        stop(redis_process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
